/**
 * The daily digest (DIGEST_CRON, in BOT_TIMEZONE): one card per routed chat and day with its open issues by level,
 * the oldest unacknowledged with buttons, and yesterday's time to acknowledge. The cron tick fires once across
 * replicas (a BullMQ job scheduler); the card job's id is per chat and day, so a restart or a second tick that
 * day posts nothing new.
 */
import { DIGEST_MAX_ROWS, buildDailyDigestCard, type DailyDigestModel } from '../../cards/daily-digest-card.js';
import type { Ctx } from '../../src/context.js';
import { FINISHED_STATUSES, UNACKNOWLEDGED_STATUSES } from '../../src/guance/schemas.js';
import { JOBS, jobIds } from '../../src/queue/jobs.js';
import { handle } from '../../src/queue/workers.js';
import type { IssueSnapshot } from '../../src/store/index.js';
import { dayIn, levelSeverity } from '../issues/index.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Cards can be acted on for 14 days; older ones are not in a digest. */
const LOOKBACK_MS = 14 * DAY_MS;

export function percentileOf(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

/** Pure: the digest of one chat from its cards' snapshots. */
export function digestModel(snapshots: readonly IssueSnapshot[], ackSeconds: readonly number[], day: string, nowMs: number, timeZone: string): DailyDigestModel {
  const open = snapshots.filter((s) => !FINISHED_STATUSES.has(s.statusType));
  const byLevel = new Map<string, { open: number; unacknowledged: number }>();
  for (const s of open) {
    const level = s.level?.name ?? '—';
    const entry = byLevel.get(level) ?? { open: 0, unacknowledged: 0 };
    entry.open += 1;
    if (UNACKNOWLEDGED_STATUSES.has(s.statusType)) entry.unacknowledged += 1;
    byLevel.set(level, entry);
  }
  const counts = [...byLevel]
    .sort(([a], [b]) => levelSeverity(a) - levelSeverity(b) || a.localeCompare(b))
    .map(([level, c]) => ({ level, ...c }));
  const waiting = open
    .filter((s) => UNACKNOWLEDGED_STATUSES.has(s.statusType))
    .sort((a, b) => a.createdAt - b.createdAt)
    .map((s) => ({ uuid: s.uuid, title: s.title, level: s.level?.name ?? null, createdAt: s.createdAt, url: s.link || s.links?.[0]?.url || '' }));
  return {
    day,
    timeZone,
    now: Math.floor(nowMs / 1000),
    totalOpen: open.length,
    counts,
    waiting,
    ackTimes: ackSeconds.length ? { count: ackSeconds.length, medianSeconds: percentileOf(ackSeconds, 50), p90Seconds: percentileOf(ackSeconds, 90) } : null,
  };
}

/** Every chat some route sends to. */
function routedChats(ctx: Ctx): string[] {
  return [...new Set(ctx.routing.current.routes.flatMap((route) => route.chats))];
}

export const dailyDigest = handle(JOBS.dailyDigest, async (_data, ctx) => {
  const day = dayIn(Date.now(), ctx.config.timeZone);
  const chats = routedChats(ctx);
  for (const chatId of chats) await ctx.queues.add(JOBS.postDailyDigest, { chatId, day }, jobIds.dailyDigest(chatId, day));
  ctx.log.info('daily digest queued', { day, chats: chats.length });
  return { day, chats: chats.length };
});

export const postDailyDigest = handle(JOBS.postDailyDigest, async ({ chatId, day }, ctx, job) => {
  const now = Date.now();
  const ids = await ctx.store.links.cardedInChat(chatId, now - LOOKBACK_MS);
  const snapshots = (await Promise.all(ids.map((id) => ctx.store.links.snapshot(id)))).filter((s): s is IssueSnapshot => s !== null);
  const yesterday = dayIn(now - DAY_MS, ctx.config.timeZone);
  const model = digestModel(snapshots, await ctx.store.responseTimes.of('ack', yesterday), day, now, ctx.config.timeZone);
  const card = buildDailyDigestCard(model, ctx.config.language);
  const sent = await ctx.lark.sendCard(chatId, card, job.id ?? jobIds.dailyDigest(chatId, day));
  // The card's Acknowledge buttons may act on exactly the issues it lists.
  await ctx.store.links.saveListing(sent.messageId, model.waiting.slice(0, DIGEST_MAX_ROWS).map((w) => w.uuid));
  ctx.metrics.inc('daily_digests_total');
  ctx.log.info('daily digest posted', { chatId, day, open: model.totalOpen, waiting: model.waiting.length });
  return { messageId: sent.messageId };
});
