import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Locks } from '../../../src/store/locks.js';
import { LOCK_MS } from '../../../src/store/ttl.js';
import { TEST_REDIS_URL, dropPrefix, testPrefix } from '../../helpers/redis.js';
import { sleep } from '../../helpers/wait.js';

/**
 * The poll and sync locks across replicas. Found by the chaos run (npm run chaos): a replica SIGKILLed while
 * polling held the poll lock for its whole 30 s TTL, so no replica looked for new issues meanwhile. The locks
 * are now renewed while their work runs, and their TTL only bounds the stall a dead holder causes.
 */
let redis: Redis;
const prefix = testPrefix('locks');

beforeAll(async () => {
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  await redis.ping();
});

afterAll(async () => {
  redis.disconnect();
  await dropPrefix(prefix);
});

describe('Locks', () => {
  it('a dead holder stalls the poll and sync locks for 10 s at most', () => {
    expect(LOCK_MS.poll).toBeLessThanOrEqual(10_000);
    expect(LOCK_MS.sync).toBeLessThanOrEqual(10_000);
  });

  it('one holder at a time; the lock is renewed while the work runs and freed when it ends', async () => {
    const locks = new Locks(redis, prefix);
    const key = `${prefix}:poll-lock`;
    let release: () => void = () => undefined;
    const holding = locks.withPoll(() => new Promise<string>((resolve) => (release = () => resolve('done'))));
    await expect.poll(() => redis.exists(key)).toBe(1);
    expect(await locks.withPoll(async () => 'second')).toBeUndefined();
    // Past a third of the TTL the renewal has run: the TTL is back near its full length.
    await sleep(LOCK_MS.poll / 3 + 500);
    expect(await redis.pttl(key)).toBeGreaterThan(LOCK_MS.poll - LOCK_MS.poll / 3);
    release();
    expect(await holding).toBe('done');
    expect(await redis.exists(key)).toBe(0);
    expect(await locks.withPoll(async () => 'next')).toBe('next');
  });
});
