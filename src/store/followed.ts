/**
 * The issues sync follows: a sorted set (member = issue uuid, score = when the issue is next due for a check, ms;
 * lower = sooner), a second sorted set of the finished ones by when they finished, and one hash per issue with
 * sync's own state and the hints others leave (bumps). The priority rules that compute scores live with sync
 * (handlers/sync/priority.ts); this module only keeps them atomic across replicas.
 */
import type { RedisConnection } from './redis.js';
import { z } from 'zod';
import { parseJsonAs } from '../json.js';
import { SYNC_STATE_SECONDS } from './ttl.js';

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

/**
 * Bumped issues sort this far ahead of their bump time, before any ordinary due date: the score alone says
 * "bumped" (see isBumpScore in handlers/sync/priority.ts).
 */
export const BUMP_LEAD_MS = 1e9;

const numField = z.coerce.number().optional().catch(undefined);

export class FollowedIssues {
  private readonly followedKey: string;
  private readonly finishedKey: string;

  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {
    this.followedKey = `${prefix}:sync:followed`;
    this.finishedKey = `${prefix}:sync:finished`;
  }

  private issueKey(issueUuid: string): string {
    return `${this.prefix}:sync:issue:${issueUuid}`;
  }

  /** Starts following with `state`, due at `now`. Idempotent: an issue already followed keeps its state. */
  async follow(issueUuid: string, state: FollowState, now: number): Promise<void> {
    const tx = this.redis
      .multi()
      .hsetnx(this.issueKey(issueUuid), 'state', JSON.stringify(state))
      .expire(this.issueKey(issueUuid), SYNC_STATE_SECONDS)
      .zadd(this.followedKey, 'NX', now, issueUuid);
    if (state.finishedAt !== null) tx.zadd(this.finishedKey, 'NX', state.finishedAt, issueUuid);
    await tx.exec();
  }

  /** Moves a followed issue to the front (no-op, false, for an issue not followed). */
  async bump(issueUuid: string, hint: BumpHint, now: number): Promise<boolean> {
    const done = await this.redis.eval(
      BUMP,
      2,
      this.followedKey,
      this.issueKey(issueUuid),
      issueUuid,
      String(now),
      String(BUMP_LEAD_MS),
      hint.updateAt !== undefined ? String(hint.updateAt) : '',
      hint.statusType !== undefined ? String(hint.statusType) : '',
    );
    return Number(done) === 1;
  }

  async load(issueUuid: string): Promise<Followed | null> {
    const fields = await this.redis.hgetall(this.issueKey(issueUuid));
    const state = parseJsonAs(followStateSchema, fields.state);
    if (!state) return null;
    const hintUpdateAt = numField.parse(fields.hintUpdateAt);
    const hintStatus = numField.parse(fields.hintStatus);
    return {
      state,
      bumpedAt: numField.parse(fields.bumpedAt) ?? 0,
      hint: { ...(hintUpdateAt !== undefined ? { updateAt: hintUpdateAt } : {}), ...(hintStatus !== undefined ? { statusType: hintStatus } : {}) },
    };
  }

  async save(issueUuid: string, state: FollowState): Promise<void> {
    const tx = this.redis
      .multi()
      .hset(this.issueKey(issueUuid), 'state', JSON.stringify(state))
      .expire(this.issueKey(issueUuid), SYNC_STATE_SECONDS);
    if (state.finishedAt !== null) tx.zadd(this.finishedKey, 'NX', state.finishedAt, issueUuid);
    else tx.zrem(this.finishedKey, issueUuid);
    await tx.exec();
  }

  /** Sets the next due time `score` after a check that started at `checkStartedAt`, unless a later bump wants it sooner. */
  async reschedule(issueUuid: string, score: number, checkStartedAt: number): Promise<number> {
    return Number(
      await this.redis.eval(RESCHEDULE, 2, this.followedKey, this.issueKey(issueUuid), issueUuid, String(score), String(checkStartedAt), String(BUMP_LEAD_MS)),
    );
  }

  async unfollow(issueUuid: string): Promise<void> {
    await this.redis.multi().zrem(this.followedKey, issueUuid).zrem(this.finishedKey, issueUuid).del(this.issueKey(issueUuid)).exec();
  }

  /** Followed issues due by `now`, soonest (bumped) first. */
  async due(now: number, limit: number): Promise<Array<{ uuid: string; score: number }>> {
    const flat = await this.redis.zrangebyscore(this.followedKey, '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit);
    const out: Array<{ uuid: string; score: number }> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ uuid: flat[i] ?? '', score: Number(flat[i + 1]) });
    return out;
  }

  all(): Promise<string[]> {
    return this.redis.zrange(this.followedKey, 0, -1);
  }

  count(): Promise<number> {
    return this.redis.zcard(this.followedKey);
  }

  /** Issues finished (Resolved/Closed) before `before` (ms). */
  finishedBefore(before: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.finishedKey, '-inf', before);
  }
}
