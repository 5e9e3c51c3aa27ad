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
 * SYNC_STOP_AFTER_HOURS later. The sets themselves are src/store/followed.ts; the rules are here, pure.
 */
import { FINISHED_STATUSES } from '../../src/guance/schemas.js';
import { BUMP_LEAD_MS, type FollowState } from '../../src/store/index.js';

const MINUTE = 60_000;
/** "Recently" for activity and carding. */
const RECENT_MS = 15 * MINUTE;
const WARM_MS = 2 * 60 * MINUTE;
const DAY_MS = 24 * 60 * MINUTE;
/** When following starts, replies older than this before the card are history, not news. */
const BACKFILL_SECONDS = 60 * 60;
/** Entry uuids remembered per issue (entries older than the watermark's grace are old anyway). */
const SEEN_MAX = 200;

export interface FollowedIssue {
  uuid: string;
  createAt: number;
  updateAt: number;
  statusType: number;
  creator: string;
}

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
