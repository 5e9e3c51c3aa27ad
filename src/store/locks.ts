import { randomBytes } from 'node:crypto';
import type { RedisConnection } from './redis.js';
import { LOCK_MS } from './ttl.js';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

export interface Lock {
  release(): Promise<void>;
  /** Gives the holder another `ttlMs`, if it still holds the lock. */
  extend(ttlMs: number): Promise<void>;
}

/** SET NX PX with an owner token, released only by its owner: one holder across replicas, freed by expiry if it dies. */
async function tryLock(redis: RedisConnection, key: string, ttlMs: number): Promise<Lock | null> {
  const owner = randomBytes(12).toString('hex');
  const taken = await redis.set(key, owner, 'PX', ttlMs, 'NX');
  if (taken !== 'OK') return null;
  return {
    async release() {
      await redis.eval(RELEASE, 1, key, owner).catch(() => undefined);
    },
    async extend(ms) {
      await redis.eval(EXTEND, 1, key, owner, ms).catch(() => undefined);
    },
  };
}

/**
 * Runs `work` while holding the lock, or returns `undefined` at once when someone else holds it. The lock is
 * renewed while the work runs, so its TTL only bounds how long a holder that died (SIGKILL, lost host) blocks
 * the others, not how long the work may take.
 */
async function withLock<T>(redis: RedisConnection, key: string, ttlMs: number, work: () => Promise<T>): Promise<T | undefined> {
  const lock = await tryLock(redis, key, ttlMs);
  if (!lock) return undefined;
  // A lease heartbeat, not a schedule: it lives exactly as long as this holder's work, and must die with the
  // process, so that a killed holder's lock expires and another replica takes over.
  const renewal = setInterval(() => void lock.extend(ttlMs), Math.max(100, Math.floor(ttlMs / 3)));
  renewal.unref();
  try {
    return await work();
  } finally {
    clearInterval(renewal);
    await lock.release();
  }
}

/** The bot's named locks (durations in ttl.ts). */
export class Locks {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  /** Serialises status changes of one issue, whoever makes them (a click, a command, sync). */
  tryIssue(issueUuid: string): Promise<Lock | null> {
    return tryLock(this.redis, `${this.prefix}:issue-action:${issueUuid}`, LOCK_MS.issue);
  }

  withPoll<T>(work: () => Promise<T>): Promise<T | undefined> {
    return withLock(this.redis, `${this.prefix}:poll-lock`, LOCK_MS.poll, work);
  }

  withSync<T>(work: () => Promise<T>): Promise<T | undefined> {
    return withLock(this.redis, `${this.prefix}:sync-lock`, LOCK_MS.sync, work);
  }

  withScheduleOwner<T>(work: () => Promise<T>): Promise<T | undefined> {
    return withLock(this.redis, `${this.prefix}:scheduler-owner`, LOCK_MS.schedules, work);
  }
}
