/**
 * The one model every source is normalised into (Guance monitor alerts, Sentry, the error API). From here the
 * path knows no source: dedupe → card (per target) → link → state changes on the card. The adapters that fill it
 * (the product's mapping of each source's scale and fields) are in handlers/sources/.
 */
import { z } from 'zod';

export const SOURCES = ['guance-issue', 'guance-alert', 'sentry', 'error-api'] as const;
export type SourceName = (typeof SOURCES)[number];
/** The sources that arrive by webhook (Guance issues arrive by polling and push hints). */
export type PushedSource = Exclude<SourceName, 'guance-issue'>;

export const LEVELS = ['P0', 'P1', 'P2', 'P3'] as const;
export type Level = (typeof LEVELS)[number];

/**
 * What a notification says about its subject:
 * - `open`: a new problem (or another occurrence of one already carded: its card is updated, not doubled);
 * - `resolve`: the source says it is over (alert recovery, Sentry issue resolved);
 * - `reopen`: the source says it is back (Sentry issue unresolved / regressed);
 * - `update`: details changed (Sentry assignee), no state change.
 */
export const NOTIFICATION_KINDS = ['open', 'resolve', 'reopen', 'update'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Links a card offers; the card names them by kind ("Open in Sentry", "Open alert", "Open report"). */
export const LINK_KINDS = ['sentry', 'guance-alert', 'report'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

export const notificationSchema = z.object({
  source: z.enum(['guance-alert', 'sentry', 'error-api']),
  /**
   * Content-based idempotency key: the same delivery sent again (sender retries, three identical posts at once)
   * has the same key and is a no-op. Never a per-request id (Sentry's Request-ID changes on every retry).
   */
  key: z.string().min(1).max(300),
  /**
   * What the card is about: every notification with the same subject lands on one card (a Sentry issue, an
   * alert's fault round, an error fingerprint).
   */
  subject: z.string().min(1).max(300),
  /** When set, a notification of the same subject arriving this long after its card was opened opens a new card. */
  windowSeconds: z.number().positive().optional(),
  kind: z.enum(NOTIFICATION_KINDS),
  title: z.string(),
  level: z.enum(LEVELS),
  /** Plain text, already cut to a card-sized excerpt by the adapter (≤ ~2,000 characters). */
  excerpt: z.string(),
  /** Project, environment, service, host, monitor…: label → value, in display order. */
  fields: z.array(z.object({ name: z.string(), value: z.string() })),
  links: z.array(z.object({ kind: z.enum(LINK_KINDS), url: z.string() })),
  /** E-mails of the people the payload names (assignees, @accounts): @mentioned on the card; an alert's are also buzzed when it escalates. */
  people: z.array(z.string()),
  fingerprint: z.string().optional(),
  /** Unix seconds: when it happened at the source. */
  time: z.number(),
  /** Who did it at the source, when a person did (Sentry actor, Guance manual recovery). */
  actor: z.string().optional(),
  /** The assignee the source names (Sentry issue.assigned). */
  assignee: z.string().optional(),
});
export type Notification = z.infer<typeof notificationSchema>;

/** What an adapter makes of a request body: notifications to ingest, or nothing worth a card (answered 202). */
export type Normalised = { ok: true; notifications: Notification[]; ignored?: string } | { ok: false; status: 400 | 422; error: string };
