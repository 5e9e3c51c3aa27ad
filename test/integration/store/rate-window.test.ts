import { afterAll, describe, expect, it } from 'vitest';
import { RateWindow } from '../../../src/store/rate-window.js';
import { TEST_REDIS_URL, dropPrefix, testClient, testPrefix } from '../../helpers/redis.js';

const prefix = testPrefix('rate-window');
const redis = testClient(TEST_REDIS_URL);

afterAll(async () => {
  await dropPrefix(prefix);
  redis.disconnect();
});

describe('RateWindow (real Redis)', () => {
  it('allows `limit` takes per window and then says how long to wait', async () => {
    const window = new RateWindow(redis, prefix, 10_000, 2);
    expect(await window.tryTake('plain')).toBe(0);
    expect(await window.tryTake('plain')).toBe(0);
    const waitMs = await window.tryTake('plain');
    expect(waitMs).toBeGreaterThan(9_000);
    expect(waitMs).toBeLessThanOrEqual(10_000);
  });

  it('a restamped take counts from when its work finished, not from when it started', async () => {
    const window = new RateWindow(redis, prefix, 10_000, 1);
    const first = await window.tryTakeEntry('restamped');
    expect(first.waitMs).toBe(0);
    // The work takes a while; until it is re-dated, the take still counts from its start.
    const started = Date.now();
    while (Date.now() - started < 60) await redis.ping();
    const before = await window.tryTake('restamped');
    expect(before).toBeLessThan(10_000 - 40);
    await window.restamp('restamped', first.entry);
    const after = await window.tryTake('restamped');
    expect(after).toBeGreaterThan(before + 40);
    expect(after).toBeLessThanOrEqual(10_000);
  });

  it('restamping a take that already left the window adds nothing', async () => {
    const window = new RateWindow(redis, prefix, 10_000, 1);
    await window.restamp('empty', 'no-such-entry');
    expect(await window.tryTake('empty')).toBe(0);
  });
});
