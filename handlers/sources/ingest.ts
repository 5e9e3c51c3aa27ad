/**
 * A normalised notification → its card: a new card (one per target chat, exactly once), or the card of the same
 * subject updated in place (a repeat, a recovery, a reopen, a new assignee). Knows no source.
 */
import { BusyError } from '../../src/errors.js';
import type { Ctx } from '../../src/context.js';
import { JOBS } from '../../src/queue/jobs.js';
import { handle } from '../../src/queue/workers.js';
import type { Notification } from '../../src/sources/notification.js';
import { FINISHED_STATUSES, STATUS } from '../../src/guance/schemas.js';
import type { IssueSnapshot } from '../../src/store/index.js';
import { CARD_LINK_SECONDS } from '../../src/store/ttl.js';
import { enqueueCardDeliveries } from '../delivery/index.js';
import { builtInLevel, levelSeverity, stopReminders, ownItemId, refreshCardsSoon, withItemLock } from '../issues/index.js';


const SOURCE_NAMES: Record<Notification['source'], string> = { 'guance-alert': 'Guance monitor', sentry: 'Sentry', 'error-api': 'Error API' };

export type IngestEffect = 'new' | 'repeat' | 'resolve' | 'reopen' | 'update' | 'ignored';

function newSnapshot(n: Notification, itemId: string, resolved: boolean): IssueSnapshot {
  const now = Math.floor(Date.now() / 1000);
  return {
    uuid: itemId,
    title: n.title,
    level: builtInLevel(n.level),
    statusType: resolved ? STATUS.resolved : STATUS.open,
    source: SOURCE_NAMES[n.source],
    createdAt: n.time,
    updatedAt: now,
    assignees: n.assignee ? [n.assignee] : [],
    description: n.excerpt,
    link: '',
    kind: n.source,
    fields: n.fields,
    links: n.links,
    count: 1,
    lastSeenAt: n.time,
    people: n.people,
    ...(resolved ? { lastChange: sourceChange(n, 'resolve', STATUS.resolved) } : {}),
  };
}

function sourceChange(n: Notification, action: 'resolve' | 'reopen', statusType: number): IssueSnapshot['lastChange'] {
  return { action, statusType, by: { name: n.actor ?? SOURCE_NAMES[n.source], at: Math.floor(Date.now() / 1000), via: 'source' } };
}

const candidateId = (n: Notification) => ownItemId(n.source, `${n.subject}\n${n.key}`);
const claimSeconds = (n: Notification) => n.windowSeconds ?? CARD_LINK_SECONDS;

/**
 * The card item a notification lands on. Everything but an update claims the subject (a recovery with nothing
 * to match opens a small resolved card); an update only looks.
 */
async function cardItem(ctx: Ctx, n: Notification): Promise<{ itemId: string; opener: boolean } | null> {
  const candidate = candidateId(n);
  if (n.kind === 'update') {
    const itemId = await ctx.store.subjects.current(n.subject);
    return itemId ? { itemId, opener: false } : null;
  }
  const claim = await ctx.store.subjects.claim(n.subject, candidate, claimSeconds(n));
  // A retried job whose first attempt claimed the subject is still its opener.
  return { itemId: claim.itemId, opener: claim.fresh || claim.itemId === candidate };
}

/** Saved before the deliveries are queued (they render it); a retry after a crash finds it and queues again (same ids). */
async function openCard(ctx: Ctx, n: Notification, itemId: string, receivedAt: number): Promise<'new'> {
  const snapshot = (await ctx.store.links.snapshot(itemId)) ?? newSnapshot(n, itemId, n.kind === 'resolve');
  await ctx.store.links.saveSnapshot(snapshot);
  await enqueueCardDeliveries(ctx, snapshot, receivedAt);
  return 'new';
}

/** A repeat, a recovery, a reopen or an update of a carded subject, under the item's lock (counts never race). */
function updated(current: IssueSnapshot, n: Notification): { next: IssueSnapshot; effect: IngestEffect } {
  const now = Math.floor(Date.now() / 1000);
  const base = { ...current, updatedAt: now, people: [...new Set([...(current.people ?? []), ...n.people])] };
  switch (n.kind) {
    case 'open': {
      const moreSevere = levelSeverity(n.level) < levelSeverity(current.level?.name);
      return {
        next: {
          ...base,
          count: (current.count ?? 1) + 1,
          lastSeenAt: Math.max(current.lastSeenAt ?? 0, n.time),
          ...(moreSevere ? { level: builtInLevel(n.level) } : {}),
        },
        effect: 'repeat',
      };
    }
    case 'resolve':
      return { next: { ...base, statusType: STATUS.resolved, lastChange: sourceChange(n, 'resolve', STATUS.resolved) }, effect: 'resolve' };
    case 'reopen':
      return { next: { ...base, statusType: STATUS.open, lastChange: sourceChange(n, 'reopen', STATUS.open) }, effect: 'reopen' };
    case 'update':
      return { next: { ...base, ...(n.assignee ? { assignees: [n.assignee] } : {}) }, effect: 'update' };
  }
}

export async function ingest(ctx: Ctx, n: Notification, receivedAt: number): Promise<IngestEffect> {
  const item = await cardItem(ctx, n);
  if (!item) return 'ignored';
  if (item.opener) return openCard(ctx, n, item.itemId, receivedAt);
  return withItemLock(ctx, item.itemId, async () => {
    const current = await ctx.store.links.snapshot(item.itemId);
    // The opener of this subject has not saved its card yet (it is moments ahead): try again shortly.
    if (!current) throw new BusyError(`card item ${item.itemId} is being opened`);
    // The problem is back after its card was resolved: a new card, and the subject's next notifications go there.
    if (n.kind === 'open' && FINISHED_STATUSES.has(current.statusType)) {
      await ctx.store.subjects.replace(n.subject, candidateId(n), claimSeconds(n));
      return await openCard(ctx, n, candidateId(n), receivedAt);
    }
    const { next, effect } = updated(current, n);
    await ctx.store.links.saveSnapshot(next);
    await refreshCardsSoon(ctx, item.itemId);
    if (effect === 'resolve') await stopReminders(ctx, item.itemId);
    return effect;
  });
}

export const ingestNotification = handle(JOBS.ingestNotification, async ({ notification, receivedAt }, ctx) => {
  const effect = await ingest(ctx, notification, receivedAt);
  ctx.metrics.inc('notifications_total', { source: notification.source, effect });
  ctx.log.info('notification ingested', { source: notification.source, subject: notification.subject, kind: notification.kind, effect });
  return { effect };
});
