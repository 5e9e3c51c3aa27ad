/**
 * Every job the bot runs, declared once: its queue, its name, the zod schema of its payload, and how its id is
 * built. The id is the "exactly once" claim (BullMQ refuses a second job with the same id while the first is kept),
 * so ids are deterministic wherever a repeat must be a no-op.
 */
import { createHash } from 'node:crypto';
import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import { GuanceIssueSchema } from '../guance/schemas.js';
import { cardClickSchema, messageEventSchema } from '../lark/envelope.js';
import { notificationSchema } from '../sources/notification.js';
import { DEDUPE_SECONDS, DELIVERY_ID_SECONDS } from '../store/ttl.js';

/** Queue names. Keys live under the configured prefix, so several bots (or test runs) can share one Redis. */
export const QUEUES = {
  inbound: 'inbound',
  /** Card clicks: their own queue, so waiting for a click's result watches clicks only, not all message traffic. */
  clicks: 'clicks',
  deliver: 'deliver',
  schedule: 'schedule',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
/** Jobs of the `robots` family go to the queue of their sink (producer.ts robotQueueName), one worker each. */
export type QueueFamily = QueueName | 'robots';

/** Completed ids stay taken for the dedupe window: adding the same id again is a no-op in BullMQ. */
export { DEDUPE_SECONDS };

export interface JobSpec<T> {
  queue: QueueFamily;
  name: string;
  schema: z.ZodType<T>;
  /** Options that differ from the queue defaults (producer.ts). */
  options?: Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail' | 'attempts' | 'backoff'>;
}

const spec = <T>(queue: QueueFamily, name: string, schema: z.ZodType<T>, options?: JobSpec<T>['options']): JobSpec<T> => ({
  queue,
  name,
  schema,
  ...(options ? { options } : {}),
});

const scheduled = z.looseObject({});

export const JOBS = {
  /** A Lark message event: is it for the bot, and what does it ask. */
  message: spec('inbound', 'message', z.object({ eventId: z.string(), receivedAt: z.number(), event: messageEventSchema })),
  /** A card button click; the ingress waits for its result to answer Lark. */
  cardAction: spec('clicks', 'card-action', z.object({ eventId: z.string(), receivedAt: z.number(), click: cardClickSchema })),
  /** One issue card to one chat. */
  postIssueCard: spec(
    'deliver',
    'post-issue-card',
    z.object({ chatId: z.string().min(1), issue: GuanceIssueSchema, seenAt: z.number(), channel: z.string().optional() }),
    { removeOnComplete: { age: DELIVERY_ID_SECONDS }, attempts: 12 },
  ),
  /** A webhook notification (alert, Sentry, error report), verified and normalised: dedupe → card or card update. */
  ingestNotification: spec('inbound', 'ingest-notification', z.object({ notification: notificationSchema, receivedAt: z.number() })),
  /** One card of a stored snapshot (any source but Guance issues, which carry the issue) to one chat. */
  postCard: spec('deliver', 'post-card', z.object({ chatId: z.string().min(1), itemId: z.string().min(1), seenAt: z.number() }), {
    removeOnComplete: { age: DELIVERY_ID_SECONDS },
    attempts: 12,
  }),
  /**
   * One card (or one storm digest) to one robot sink. The issue travels along for Guance issues (its snapshot may
   * not be stored when no chat gets a card); other sources' snapshots are stored before this is queued.
   */
  postRobot: spec(
    'robots',
    'post-robot',
    z.object({
      sink: z.string().min(1),
      itemId: z.string().optional(),
      issue: GuanceIssueSchema.optional(),
      channel: z.string().optional(),
      digest: z.object({ target: z.string(), window: z.number() }).optional(),
      seenAt: z.number(),
    }),
    { removeOnComplete: { age: DELIVERY_ID_SECONDS }, attempts: 1 },
  ),
  /** The storm digest card of one chat and window: posted once. */
  postDigest: spec('deliver', 'post-digest', z.object({ chatId: z.string(), window: z.number(), page: z.number().int().min(0) }), { removeOnComplete: { age: DELIVERY_ID_SECONDS }, attempts: 12 }),
  /** PATCH the storm digest card to the lines it has now (throttled per slot, and once when the window closes). */
  refreshDigest: spec('deliver', 'refresh-digest', z.object({ chatId: z.string(), window: z.number(), page: z.number().int().min(0) }), { removeOnComplete: 1000, removeOnFail: 1000 }),
  /**
   * Escalation step `step` of one card (or of the storm digest page it is on): a delayed job, so it survives
   * restarts and fires once across replicas; it re-checks the issue before buzzing anyone.
   */
  escalate: spec(
    'deliver',
    'escalate',
    z.object({
      itemId: z.string(),
      chatId: z.string(),
      step: z.number().int().min(0),
      round: z.number().int().min(0).default(0),
      digest: z.object({ window: z.number(), page: z.number() }).optional(),
    }),
    { removeOnComplete: { age: DELIVERY_ID_SECONDS }, attempts: 8 },
  ),
  /** A snooze ends: re-surface the issue if it is still open and nobody's (one per item and snooze). */
  snoozeExpiry: spec('deliver', 'snooze-expiry', z.object({ itemId: z.string(), until: z.number() }), {
    removeOnComplete: { age: DELIVERY_ID_SECONDS },
    attempts: 8,
  }),
  /** Cron (DIGEST_CRON): queue the daily digest of every routed chat. */
  dailyDigest: spec('schedule', 'daily-digest', scheduled),
  /** One chat's daily digest card: one per chat and day. */
  postDailyDigest: spec('deliver', 'post-daily-digest', z.object({ chatId: z.string(), day: z.string() }), {
    removeOnComplete: { age: 3 * 24 * 3600 },
    attempts: 12,
  }),
  /** A Guance push hint: poll for new issues now (one per slot, whatever the burst). */
  hintPoll: spec('schedule', 'hint-poll', z.object({ receivedAt: z.number() }), { attempts: 4, removeOnComplete: 1000, removeOnFail: 1000 }),
  /** A Guance push hint: a sync round now, the hinted carded issues first, instead of at their sync turn. */
  hintSync: spec('schedule', 'hint-sync', z.object({ receivedAt: z.number() }), { attempts: 4, removeOnComplete: 1000, removeOnFail: 1000 }),
  /** PATCH one card message to the issue's snapshot as it is when the job runs. */
  refreshCard: spec('deliver', 'refresh-card', z.object({ issueUuid: z.string(), messageId: z.string() }), {
    removeOnComplete: 1000,
    removeOnFail: 1000,
  }),
  /** Scheduled: look for new issues. */
  pollIssues: spec('schedule', 'poll-issues', scheduled),
  /** Scheduled: bring Guance replies and status changes to the cards. */
  syncIssues: spec('schedule', 'sync-issues', scheduled),
} as const;

export type JobData<S> = S extends JobSpec<infer T> ? T : never;

/** BullMQ refuses ':' in custom ids and treats pure integers specially; ids are built only here. */
function jobId(...parts: string[]): string {
  return parts.map((part) => part.replace(/[^A-Za-z0-9_.-]/g, '_')).join('-');
}

export const jobIds = {
  /** Inbound events (messages, clicks): the event's dedupe key, so Lark re-sending it is the same job. */
  inbound: (dedupeKey: string) => jobId(dedupeKey),
  /** One card per chat and issue (or card item of another source), ever. */
  delivery: (chatId: string, issueUuid: string) => jobId('deliver', chatId, issueUuid),
  /** One escalation per card item, chat, step and round (a snooze that ends starts a new round). */
  escalation: (itemId: string, chatId: string, step: number, round = 0) => jobId('escalate', itemId, chatId, String(step), ...(round ? [String(round)] : [])),
  /** One expiry per snooze. */
  snoozeExpiry: (itemId: string, until: number) => jobId('snooze-expiry', itemId, String(until)),
  /** One daily digest per chat and day. */
  dailyDigest: (chatId: string, day: string) => jobId('daily-digest', chatId, day),
  /** One storm digest card per chat and window; its refreshes by slot (and a final one). */
  digest: (chatId: string, window: number, page: number) => jobId('digest', chatId, String(window), String(page)),
  digestRefresh: (chatId: string, window: number, page: number, slot: string) => jobId('digest-refresh', chatId, String(window), String(page), slot),
  /** One message per robot sink and card item, ever. */
  robotDelivery: (sink: string, itemId: string) => jobId('robot', sink, itemId),
  /** One delayed refresh per card and time slot: repeats within the slot share it. */
  throttledRefresh: (messageId: string, slot: number) => jobId('refresh-slot', messageId, String(slot)),
  /** A webhook notification, by its content-based key: the same delivery again is the same job. */
  notification: (key: string) => jobId('notification', createHash('sha256').update(key).digest('hex').slice(0, 40)),
  /** Push hints: one poll and one sync round per slot cover every issue a burst names. */
  hintPoll: (slot: number) => jobId('hint-poll', String(slot)),
  hintSync: (slot: number) => jobId('hint-sync', String(slot)),
  /** Every refresh is a new job: it renders whatever the snapshot is when it runs. */
  refresh: (messageId: string) => jobId('refresh', messageId, String(Date.now()), Math.random().toString(36).slice(2, 8)),
};

/**
 * Lark `uuid` idempotency keys for messages the bot sends (lark/client.ts hashes them to Lark's 50 characters):
 * the same key within Lark's window returns the message already sent instead of a second one.
 */
export const sendKeys = {
  answer: (messageId: string) => `answer-${messageId}`,
  rateLimitNotice: (messageId: string) => `ratelimited-${messageId}`,
  clickFailure: (eventId: string) => `card-failure-${eventId}`,
  threadPost: (entryKey: string, chatId: string) => jobId('sync', entryKey, chatId),
  escalationLine: (itemId: string, chatId: string, step: number, round = 0) => jobId('escalated', itemId, chatId, String(step), ...(round ? [String(round)] : [])),
  resurface: (itemId: string, chatId: string, until: number) => jobId('resurface', itemId, chatId, String(until)),
  warRoomLine: (itemId: string, chatId: string) => jobId('war-room-line', itemId, chatId),
};
