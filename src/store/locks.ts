import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export interface Lock {
  release(): Promise<void>;
}

/** SET NX PX with an owner token, released only by its owner: one holder across replicas, freed by expiry if it dies. */
export async function tryLock(redis: Redis, key: string, ttlMs: number): Promise<Lock | null> {
  const owner = randomBytes(12).toString('hex');
  const taken = await redis.set(key, owner, 'PX', ttlMs, 'NX');
  if (taken !== 'OK') return null;
  return {
    async release() {
      await redis.eval(RELEASE, 1, key, owner).catch(() => undefined);
    },
  };
}

/** Runs `work` while holding the lock, or returns `undefined` at once when someone else holds it. */
export async function withLock<T>(redis: Redis, key: string, ttlMs: number, work: () => Promise<T>): Promise<T | undefined> {
  const lock = await tryLock(redis, key, ttlMs);
  if (!lock) return undefined;
  try {
    return await work();
  } finally {
    await lock.release();
  }
}
