/**
 * The issues sync follows: a Redis sorted set (member = issue uuid, score = when the issue is next due for a
 * check, ms; lower = sooner) plus one hash per issue with sync's own state and the hints others leave (bumps).
 *
 * Priority is the score:
 *   - bumped (someone saw its `updateAt` or status move): `bumpedAt − BUMP_LEAD_MS`, ahead of everything else;
 *   - never checked (just carded): due at once;
 *   - otherwise `lastCheckedAt + interval`, the interval short while the issue is active or freshly carded and
 *     long once it is idle or finished, so among the overdue the least recently checked comes first.
 * Resolved/Closed issues sit in a second sorted set by when they finished, and are unfollowed
 * SYNC_STOP_AFTER_HOURS later.
 */
import { z } from 'zod';
import type { Ctx } from '../src/context.js';

export const FINISHED_STATUSES: ReadonlySet<number> = new Set([20, 25]);

/** Bumped issues sort this far ahead of their bump time: before any ordinary due date. */
export const BUMP_LEAD_MS = 1e9;
const MINUTE = 60_000;
/** "Recently" for activity and carding. */
export const RECENT_MS = 15 * MINUTE;
const WARM_MS = 2 * 60 * MINUTE;
const DAY_MS = 24 * 60 * MINUTE;
/** When following starts, replies older than this before the card are history, not news. */
const BACKFILL_SECONDS = 60 * 60;
/** Entry uuids remembered per issue (entries older than the watermark's grace are old anyway). */
const SEEN_MAX = 200;
/** Followed-state keys outlive card links (30 days) a little; unfollowing deletes them earlier. */
const STATE_TTL_SECONDS = 31 * 24 * 60 * 60;

export const followStateSchema = z.object({
  /** ms. */
  followedAt: z.number(),
  /** Unix seconds: the issue's createAt. With `issueCreator`, recognises its "created" activity entry (not news). */
  issueCreatedAt: z.number(),
  issueCreator: z.string().default(''),
  /** Unix seconds: entries created before this are history. */
  since: z.number(),
  /** Unix seconds: the newest entry createAt handled. */
  watermark: z.number(),
  /** Recently handled entry uuids, oldest first. */
  seen: z.array(z.string()),
  /** Unix seconds: the issue `updateAt` already accounted for (a larger one is news). */
  knownUpdateAt: z.number(),
  /** ms; 0 = never checked. */
  lastCheckedAt: z.number(),
  /** ms when a person's reply or change was last found; 0 = never. */
  lastActivityAt: z.number(),
  /** ms when sync first saw it Resolved/Closed; null while open. */
  finishedAt: z.number().nullable(),
});
export type FollowState = z.infer<typeof followStateSchema>;

export interface FollowedIssue {
  uuid: string;
  createAt: number;
  updateAt: number;
  statusType: number;
  creator: string;
}

/** What a bump may say it saw: the issue's `updateAt` and its `statusType` (0 = "left the open list"). */
export interface BumpHint {
  updateAt?: number;
  statusType?: number;
}

export interface Followed {
  state: FollowState;
  /** ms; 0 = never bumped. */
  bumpedAt: number;
  /** Hints of the latest bumps not yet consumed by a check. */
  hint: BumpHint;
}

// ---------------------------------------------------------------------------------------------
// Pure priority rules
// ---------------------------------------------------------------------------------------------

/** Time between checks of an issue nobody bumped. */
export function checkIntervalMs(state: FollowState, now: number): number {
  if (state.finishedAt !== null) return 10 * MINUTE;
  const lastTouch = Math.max(state.lastActivityAt, state.followedAt);
  if (now - state.lastActivityAt < RECENT_MS) return 20_000;
  if (now - state.followedAt < RECENT_MS) return 30_000;
  if (now - lastTouch < WARM_MS) return 2 * MINUTE;
  if (now - lastTouch < DAY_MS) return 5 * MINUTE;
  return 15 * MINUTE;
}

/** The score: when the issue is next due (ms). Lower is sooner; bumped issues come first, earliest bump first. */
export function nextCheckAt(state: FollowState, bumpedAt: number, now: number): number {
  if (bumpedAt > state.lastCheckedAt) return bumpedAt - BUMP_LEAD_MS;
  if (state.lastCheckedAt === 0) return state.followedAt;
  return state.lastCheckedAt + checkIntervalMs(state, now);
}

export function isBumpScore(score: number, now: number): boolean {
  return score < now - BUMP_LEAD_MS / 2;
}

/** Initial state of an issue whose card was just posted. */
export function initialFollowState(issue: FollowedIssue, now: number): FollowState {
  const since = Math.max(issue.createAt, Math.floor(now / 1000) - BACKFILL_SECONDS);
  return {
    followedAt: now,
    issueCreatedAt: issue.createAt,
    issueCreator: issue.creator,
    since,
    watermark: since,
    seen: [],
    knownUpdateAt: issue.updateAt,
    lastCheckedAt: 0,
    lastActivityAt: 0,
    finishedAt: FINISHED_STATUSES.has(issue.statusType) ? now : null,
  };
}

/** Records entries as handled: their uuids (bounded) and the watermark. */
export function markSeen(state: FollowState, entries: ReadonlyArray<{ uuid: string; createAt: number }>): FollowState {
  if (entries.length === 0) return state;
  const seen = [...state.seen.filter((uuid) => !entries.some((e) => e.uuid === uuid)), ...entries.map((e) => e.uuid)];
  return {
    ...state,
    seen: seen.slice(-SEEN_MAX),
    watermark: Math.max(state.watermark, ...entries.map((e) => e.createAt)),
  };
}

// ---------------------------------------------------------------------------------------------
// Redis
// ---------------------------------------------------------------------------------------------

const followedKey = (ctx: Ctx) => ctx.key('sync', 'followed');
const finishedKey = (ctx: Ctx) => ctx.key('sync', 'finished');
const issueKey = (ctx: Ctx, issueUuid: string) => ctx.key('sync', 'issue', issueUuid);

// KEYS: followed, issue hash.  ARGV: uuid, now, bumpLead, hintUpdateAt|'', hintStatus|''.
// Only followed issues are bumped; the score only ever moves earlier.
const BUMP = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false then return 0 end
redis.call('HSET', KEYS[2], 'bumpedAt', ARGV[2])
if ARGV[4] ~= '' then
  local old = tonumber(redis.call('HGET', KEYS[2], 'hintUpdateAt') or '0') or 0
  if tonumber(ARGV[4]) > old then redis.call('HSET', KEYS[2], 'hintUpdateAt', ARGV[4]) end
end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[2], 'hintStatus', ARGV[5]) end
redis.call('ZADD', KEYS[1], 'XX', 'LT', tonumber(ARGV[2]) - tonumber(ARGV[3]), ARGV[1])
return 1
`;

// KEYS: followed, issue hash.  ARGV: uuid, score, checkStartedAt, bumpLead.
// A bump that arrived after the check started keeps the issue at the front; consumed hints are dropped.
const RESCHEDULE = `
local bumped = tonumber(redis.call('HGET', KEYS[2], 'bumpedAt') or '0') or 0
local score = tonumber(ARGV[2])
if bumped > tonumber(ARGV[3]) then
  score = math.min(score, bumped - tonumber(ARGV[4]))
else
  redis.call('HDEL', KEYS[2], 'hintUpdateAt', 'hintStatus')
end
redis.call('ZADD', KEYS[1], 'XX', score, ARGV[1])
return score
`;

/** Starts following an issue (its card was posted). Idempotent: an issue already followed keeps its state. */
export async function followIssue(ctx: Ctx, issue: FollowedIssue, now = Date.now()): Promise<void> {
  const state = initialFollowState(issue, now);
  const tx = ctx.redis
    .multi()
    .hsetnx(issueKey(ctx, issue.uuid), 'state', JSON.stringify(state))
    .expire(issueKey(ctx, issue.uuid), STATE_TTL_SECONDS)
    .zadd(followedKey(ctx), 'NX', now, issue.uuid);
  if (state.finishedAt !== null) tx.zadd(finishedKey(ctx), 'NX', state.finishedAt, issue.uuid);
  await tx.exec();
}

/**
 * Moves a followed issue to the front of the next sync round (no-op for issues not followed). Call it when
 * you see an issue's `updateAt` or status move (poller, actions); sync's own scan does the same.
 */
export async function bumpFollowed(ctx: Ctx, issueUuid: string, hint: BumpHint = {}, now = Date.now()): Promise<boolean> {
  const done = await ctx.redis.eval(
    BUMP,
    2,
    followedKey(ctx),
    issueKey(ctx, issueUuid),
    issueUuid,
    String(now),
    String(BUMP_LEAD_MS),
    hint.updateAt !== undefined ? String(hint.updateAt) : '',
    hint.statusType !== undefined ? String(hint.statusType) : '',
  );
  return Number(done) === 1;
}

/**
 * Call with an issue you just read from Guance (poller, `list`, an action that found the issue already changed):
 * bumps it when it is followed and its `updateAt` or status moved since sync last looked. Do not call it right
 * after the bot changed the issue itself; that costs sync a check for nothing.
 */
export async function noticeIssue(ctx: Ctx, issue: { uuid: string; updateAt: number; statusType: number }): Promise<boolean> {
  const followed = await loadFollowed(ctx, issue.uuid);
  if (!followed) return false;
  const shown = (await ctx.links.snapshot(issue.uuid))?.statusType;
  const moved = issue.updateAt > followed.state.knownUpdateAt || (shown !== undefined && issue.statusType !== shown);
  return moved && (await bumpFollowed(ctx, issue.uuid, { updateAt: issue.updateAt, statusType: issue.statusType }));
}

const numField = z.coerce.number().optional().catch(undefined);

export async function loadFollowed(ctx: Ctx, issueUuid: string): Promise<Followed | null> {
  const fields = await ctx.redis.hgetall(issueKey(ctx, issueUuid));
  if (!fields.state) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(fields.state);
  } catch {
    return null;
  }
  const state = followStateSchema.safeParse(raw);
  if (!state.success) return null;
  const hintUpdateAt = numField.parse(fields.hintUpdateAt);
  const hintStatus = numField.parse(fields.hintStatus);
  return {
    state: state.data,
    bumpedAt: numField.parse(fields.bumpedAt) ?? 0,
    hint: { ...(hintUpdateAt !== undefined ? { updateAt: hintUpdateAt } : {}), ...(hintStatus !== undefined ? { statusType: hintStatus } : {}) },
  };
}

export async function saveFollowState(ctx: Ctx, issueUuid: string, state: FollowState): Promise<void> {
  const tx = ctx.redis
    .multi()
    .hset(issueKey(ctx, issueUuid), 'state', JSON.stringify(state))
    .expire(issueKey(ctx, issueUuid), STATE_TTL_SECONDS);
  if (state.finishedAt !== null) tx.zadd(finishedKey(ctx), 'NX', state.finishedAt, issueUuid);
  else tx.zrem(finishedKey(ctx), issueUuid);
  await tx.exec();
}

/** Sets the next due time after a check that started at `checkStartedAt` (= `state.lastCheckedAt`). */
export async function reschedule(ctx: Ctx, issueUuid: string, state: FollowState, now = Date.now()): Promise<number> {
  const score = nextCheckAt(state, 0, now);
  return Number(
    await ctx.redis.eval(RESCHEDULE, 2, followedKey(ctx), issueKey(ctx, issueUuid), issueUuid, String(score), String(state.lastCheckedAt), String(BUMP_LEAD_MS)),
  );
}

export async function unfollow(ctx: Ctx, issueUuid: string): Promise<void> {
  await ctx.redis.multi().zrem(followedKey(ctx), issueUuid).zrem(finishedKey(ctx), issueUuid).del(issueKey(ctx, issueUuid)).exec();
}

/** Followed issues due by `now`, soonest (bumped) first. */
export async function dueFollowed(ctx: Ctx, now: number, limit: number): Promise<Array<{ uuid: string; score: number }>> {
  const flat = await ctx.redis.zrangebyscore(followedKey(ctx), '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit);
  const out: Array<{ uuid: string; score: number }> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push({ uuid: flat[i] ?? '', score: Number(flat[i + 1]) });
  return out;
}

export async function followedIssues(ctx: Ctx): Promise<string[]> {
  return ctx.redis.zrange(followedKey(ctx), 0, -1);
}

export async function followedCount(ctx: Ctx): Promise<number> {
  return ctx.redis.zcard(followedKey(ctx));
}

/** Issues Resolved/Closed for longer than `stopAfterMs`. */
export async function expiredFinished(ctx: Ctx, now: number, stopAfterMs: number): Promise<string[]> {
  return ctx.redis.zrangebyscore(finishedKey(ctx), '-inf', now - stopAfterMs);
}
