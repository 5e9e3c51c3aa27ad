import type { RedisConnection } from './redis.js';
import { Cache } from './cache.js';
import { Answers, Claims } from './claims.js';
import { Cursors } from './cursors.js';
import { FollowedIssues } from './followed.js';
import { IssueLinks } from './issue-links.js';
import { Locks } from './locks.js';
import { RateWindow } from './rate-window.js';
import { pingRedis } from './redis.js';
import { ResponseTimes } from './response-times.js';
import { Storms } from './storms.js';
import { Subjects } from './subjects.js';

export type { CardLink, IssueSnapshot } from './issue-links.js';
export { issueSnapshotSchema } from './issue-links.js';
export { BUMP_LEAD_MS, type BumpHint, type FollowState, type Followed } from './followed.js';
export type { Lock } from './locks.js';
export type { Cache } from './cache.js';
export type { RateWindow } from './rate-window.js';
export type { SubjectCard } from './subjects.js';
export type { StormDecision } from './storms.js';

/**
 * Every piece of the bot's Redis state, by what it is for. Handlers reach Redis only through these; each module
 * names its keys under the configured prefix and takes its lifetimes from ttl.ts.
 */
export interface Store {
  links: IssueLinks;
  /** Webhook notifications' subjects → their card item. */
  subjects: Subjects;
  /** Storm control: card or digest line per target and item; digest lines and messages. */
  storms: Storms;
  /** Seconds to acknowledge / resolve per day, for the daily digest. */
  responseTimes: ResponseTimes;
  claims: Claims;
  answers: Answers;
  cursors: Cursors;
  followed: FollowedIssues;
  locks: Locks;
  cache: Cache;
  /** A rolling window of at most `limit` takes per `windowMs`, shared by replicas (e.g. Lark's 5 sends/s per chat). */
  rateWindow(windowMs: number, limit: number): RateWindow;
  /** True when Redis answers a PING quickly (readiness). */
  ping(): Promise<boolean>;
  /** Runs `task` now (if Redis is up) and on every reconnect; returns the function that stops it. */
  onReady(task: () => void): () => void;
}

export function createStore(redis: RedisConnection, prefix: string): Store {
  return {
    links: new IssueLinks(redis, prefix),
    subjects: new Subjects(redis, prefix),
    storms: new Storms(redis, prefix),
    responseTimes: new ResponseTimes(redis, prefix),
    claims: new Claims(redis, prefix),
    answers: new Answers(redis, prefix),
    cursors: new Cursors(redis, prefix),
    followed: new FollowedIssues(redis, prefix),
    locks: new Locks(redis, prefix),
    cache: new Cache(redis, prefix),
    rateWindow: (windowMs, limit) => new RateWindow(redis, prefix, windowMs, limit),
    // The key is never written: it only routes a Cluster's probe to the bot's slot (pingRedis).
    ping: () => pingRedis(redis, 500, `${prefix}:ready-probe`),
    onReady(task) {
      if (redis.status === 'ready') task();
      redis.on('ready', task);
      return () => redis.off('ready', task);
    },
  };
}
