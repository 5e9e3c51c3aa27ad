import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { budgetShares, type GuanceBudgetShares } from '../../../src/config.js';
import { GuanceBudget, KIND_WAIT_MS, type SpendKind } from '../../../src/store/guance-budget.js';
import { Metrics } from '../../../src/metrics.js';
import { TEST_REDIS_URL, dropPrefix, testPrefix } from '../../helpers/redis.js';

const SHARES_20: GuanceBudgetShares = budgetShares(20); // {perMinute: 20, humanReserve: 5, pollPerMinute: 10}

let redisA: Redis;
let redisB: Redis;
let prefix: string;

beforeAll(async () => {
  redisA = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  redisB = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  await Promise.all([redisA.ping(), redisB.ping()]);
});

afterAll(() => {
  redisA.disconnect();
  redisB.disconnect();
});

beforeEach(() => {
  prefix = testPrefix('gbudget');
});

afterEach(async () => {
  await dropPrefix(prefix);
});

const budgetOn = (redis: Redis, shares = SHARES_20, options = {}) =>
  new GuanceBudget(redis, `${prefix}:guance-budget`, shares, options);

/** Takes `n` slots of `kind` one after another; returns how many were granted. */
async function takeSeq(budget: GuanceBudget, kind: SpendKind, n: number): Promise<number> {
  let granted = 0;
  for (let i = 0; i < n; i += 1) if ((await budget.tryTake(kind)) === 0) granted += 1;
  return granted;
}

describe('GuanceBudget shares', () => {
  it('has the documented defaults', () => {
    expect(SHARES_20).toEqual({ perMinute: 20, humanReserve: 5, pollPerMinute: 10 });
    expect(KIND_WAIT_MS).toEqual({ human: 20_000, poll: 0, sync: 0 });
  });

  it('lets people use the whole budget, and no more', async () => {
    const budget = budgetOn(redisA);
    expect(await takeSeq(budget, 'human', 20)).toBe(20);
    const wait = await budget.tryTake('human');
    expect(wait).toBeGreaterThan(59_000);
    expect(wait).toBeLessThanOrEqual(61_000);
    expect(await budget.usage()).toEqual({ human: 20, poll: 0, sync: 0, total: 20, pausedMs: 0 });
  });

  it('stops the poller at its own share', async () => {
    const budget = budgetOn(redisA);
    expect(await takeSeq(budget, 'poll', 15)).toBe(10);
    // The rest is still there for people.
    expect(await takeSeq(budget, 'human', 15)).toBe(10);
  });

  it('stops the poller at perMinute − humanReserve', async () => {
    const budget = budgetOn(redisA);
    expect(await takeSeq(budget, 'human', 8)).toBe(8);
    expect(await takeSeq(budget, 'poll', 10)).toBe(7); // total reaches 15 = 20 − 5
    expect((await budget.usage()).total).toBe(15);
    expect(await takeSeq(budget, 'human', 10)).toBe(5);
  });

  it('never lets sync eat the human reserve nor the poller’s unused share', async () => {
    const budget = budgetOn(redisA);
    // 20 − 5 reserve − 10 poll share = 5 for sync (and people's own use outside the reserve).
    expect(await takeSeq(budget, 'sync', 10)).toBe(5);
    expect(await takeSeq(budget, 'poll', 15)).toBe(10);
    expect(await takeSeq(budget, 'human', 10)).toBe(5);
    expect(await budget.usage()).toMatchObject({ human: 5, poll: 10, sync: 5, total: 20 });
  });

  it('keeps the poller’s share for the poller even after it spent part of it', async () => {
    const budget = budgetOn(redisA);
    expect(await takeSeq(budget, 'poll', 4)).toBe(4);
    expect(await takeSeq(budget, 'sync', 10)).toBe(5);
    expect(await takeSeq(budget, 'poll', 10)).toBe(6);
    expect(await takeSeq(budget, 'sync', 1)).toBe(0);
  });

  it('counts people against what sync may use', async () => {
    const budget = budgetOn(redisA);
    expect(await takeSeq(budget, 'human', 3)).toBe(3);
    expect(await takeSeq(budget, 'sync', 10)).toBe(2);
    expect(await takeSeq(budget, 'poll', 20)).toBe(10);
  });
});

describe('GuanceBudget across replicas', () => {
  it('two instances on two connections share one window (all human)', async () => {
    const a = budgetOn(redisA);
    const b = budgetOn(redisB);
    const results = await Promise.all(
      Array.from({ length: 80 }, (_, i) => (i % 2 === 0 ? a : b).tryTake('human')),
    );
    expect(results.filter((w) => w === 0)).toHaveLength(20);
    expect((await a.usage()).total).toBe(20);
  });

  it('never exceeds any limit under concurrent mixed takes', async () => {
    const a = budgetOn(redisA);
    const b = budgetOn(redisB);
    const kinds: SpendKind[] = ['sync', 'poll', 'human', 'sync', 'poll'];
    const jobs = Array.from({ length: 150 }, (_, i) => {
      const kind = kinds[i % kinds.length] ?? 'human';
      return (i % 2 === 0 ? a : b).tryTake(kind).then((wait) => ({ kind, wait }));
    });
    const results = await Promise.all(jobs);
    const granted = (kind: SpendKind) => results.filter((r) => r.kind === kind && r.wait === 0).length;
    const usage = await b.usage();
    expect(granted('human') + granted('poll') + granted('sync')).toBe(usage.total);
    expect(usage.total).toBeLessThanOrEqual(20);
    expect(usage.poll).toBeLessThanOrEqual(10);
    expect(usage.poll + usage.sync).toBeLessThanOrEqual(15);
    // Whatever the order, sync (together with people) stays within 20 − 5 reserve − 10 poll share.
    expect(usage.sync).toBeLessThanOrEqual(5);
  });

  it('concurrent sync never eats the poller’s share (no people involved)', async () => {
    const a = budgetOn(redisA);
    const b = budgetOn(redisB);
    const jobs = Array.from({ length: 60 }, (_, i) => {
      const kind: SpendKind = i % 3 === 0 ? 'poll' : 'sync';
      return (i % 2 === 0 ? a : b).tryTake(kind).then((wait) => ({ kind, wait }));
    });
    const results = await Promise.all(jobs);
    expect(results.filter((r) => r.kind === 'poll' && r.wait === 0)).toHaveLength(10);
    expect(results.filter((r) => r.kind === 'sync' && r.wait === 0)).toHaveLength(5);
    expect(await a.tryTake('human')).toBe(0); // and the reserve is still there
  });
});

describe('GuanceBudget pause', () => {
  it('blocks every kind until it expires', async () => {
    const budget = budgetOn(redisA);
    expect(await budget.pause(400)).toBe(400);
    for (const kind of ['human', 'poll', 'sync'] as const) {
      const wait = await budget.tryTake(kind);
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(400);
    }
    expect((await budget.usage()).pausedMs).toBeGreaterThan(0);
    expect((await budget.usage()).total).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await budget.tryTake('sync')).toBe(0);
    expect((await budget.usage()).pausedMs).toBe(0);
  });

  it('defaults to the rest of the window, at least the minimum, and never shortens a pause', async () => {
    const empty = budgetOn(redisA, SHARES_20, { minPauseMs: 5_000 });
    expect(await empty.pause()).toBe(5_000); // nothing in the window: the minimum

    const otherPrefix = testPrefix('gbudget');
    try {
      const budget = new GuanceBudget(redisA, `${otherPrefix}:guance-budget`, SHARES_20);
      await budget.tryTake('human');
      const rest = await budget.pause();
      expect(rest).toBeGreaterThan(60_000);
      expect(rest).toBeLessThanOrEqual(61_000);
      expect(await budget.pause(1_000)).toBeGreaterThan(60_000); // a shorter pause leaves the longer one
    } finally {
      await dropPrefix(otherPrefix);
    }
  });

  it('a pause on one replica holds the other', async () => {
    const a = budgetOn(redisA);
    const b = budgetOn(redisB);
    await a.pause(2_000);
    expect(await b.tryTake('human')).toBeGreaterThan(1_000);
    expect(await b.take('human', 100)).toBe(false);
  });
});

describe('GuanceBudget waiting', () => {
  const small: GuanceBudgetShares = { perMinute: 3, humanReserve: 1, pollPerMinute: 1 };

  it('take waits for a slot to free and succeeds', async () => {
    const budget = budgetOn(redisA, small, { windowMs: 800 });
    expect(await takeSeq(budget, 'human', 3)).toBe(3);
    expect(await budget.take('human', 50)).toBe(false);
    const started = Date.now();
    expect(await budget.take('human', 3_000)).toBe(true);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThan(300);
    expect(waited).toBeLessThan(2_000);
  });

  it('acquire reports how long the caller would still have to wait', async () => {
    const budget = budgetOn(redisA, small, { windowMs: 5_000 });
    expect(await budget.acquire('poll', 0)).toBe(0);
    const wait = await budget.acquire('poll', 0);
    expect(wait).toBeGreaterThan(4_000);
    expect(wait).toBeLessThanOrEqual(5_000);
  });

  it('a window slides: old entries leave one by one', async () => {
    const budget = budgetOn(redisA, small, { windowMs: 600 });
    await budget.tryTake('human');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await budget.tryTake('human');
    await budget.tryTake('human');
    const wait = await budget.tryTake('human');
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(320); // only the first entry has to leave
  });
});

describe('GuanceBudget metrics', () => {
  it('exposes usage as gauges', async () => {
    const budget = budgetOn(redisA);
    const metrics = new Metrics();
    budget.registerMetrics(metrics);
    await budget.tryTake('poll');
    await budget.tryTake('human');
    const text = await metrics.render();
    expect(text).toContain('larkbot_guance_budget_used{kind="poll"} 1');
    expect(text).toContain('larkbot_guance_budget_used{kind="human"} 1');
    expect(text).toContain('larkbot_guance_budget_limit 20');
  });
});
