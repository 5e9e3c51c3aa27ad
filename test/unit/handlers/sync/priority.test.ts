import { describe, expect, it } from 'vitest';
import { checkIntervalMs, initialFollowState, isBumpScore, markSeen, nextCheckAt } from '../../../../handlers/sync/priority.js';
import { BUMP_LEAD_MS, type FollowState } from '../../../../src/store/index.js';

const NOW = 1_800_000_000_000;
const MIN = 60_000;

function state(overrides: Partial<FollowState> = {}): FollowState {
  return {
    followedAt: NOW - 48 * 60 * MIN,
    issueCreatedAt: 1_700_000_000,
    issueCreator: 'acnt_creator',
    since: 1_700_000_000,
    watermark: 1_700_000_000,
    seen: [],
    knownUpdateAt: 1_700_000_000,
    lastCheckedAt: NOW - 10 * MIN,
    lastActivityAt: 0,
    finishedAt: null,
    ...overrides,
  };
}

/** The order a round walks: ascending score, as the sorted set gives it. */
function order(entries: Record<string, { state: FollowState; bumpedAt?: number }>): string[] {
  return Object.entries(entries)
    .map(([name, e]) => ({ name, score: nextCheckAt(e.state, e.bumpedAt ?? 0, NOW) }))
    .sort((a, b) => a.score - b.score)
    .map((e) => e.name);
}

describe('sync priority', () => {
  it('puts bumped issues first, then recently active, recently carded, then the least recently checked', () => {
    const checkedAt = NOW - 10 * MIN;
    expect(
      order({
        idleCheckedLongAgo: { state: state({ lastCheckedAt: NOW - 40 * MIN }) },
        idle: { state: state({ lastCheckedAt: checkedAt }) },
        carded: { state: state({ followedAt: NOW - 5 * MIN, lastCheckedAt: checkedAt }) },
        active: { state: state({ lastActivityAt: NOW - 2 * MIN, lastCheckedAt: checkedAt }) },
        bumped: { state: state({ lastCheckedAt: NOW - 30_000 }), bumpedAt: NOW - 1_000 },
        bumpedEarlier: { state: state({ lastCheckedAt: NOW - 30_000 }), bumpedAt: NOW - 5_000 },
      }),
    ).toEqual(['bumpedEarlier', 'bumped', 'idleCheckedLongAgo', 'active', 'carded', 'idle']);
  });

  it('checks a just-carded issue at once, before issues merely due', () => {
    const fresh = initialFollowState({ uuid: 'issue_1', creator: 'acnt_1', createAt: NOW / 1000 - 5, updateAt: NOW / 1000 - 5, statusType: 10 }, NOW);
    expect(nextCheckAt(fresh, 0, NOW)).toBe(NOW);
    expect(fresh.lastCheckedAt).toBe(0);
    expect(fresh.since).toBe(NOW / 1000 - 5);
  });

  it('does not backfill more than an hour of history for an old issue', () => {
    const old = initialFollowState({ uuid: 'issue_1', creator: 'acnt_1', createAt: NOW / 1000 - 86_400, updateAt: NOW / 1000 - 60, statusType: 10 }, NOW);
    expect(old.since).toBe(NOW / 1000 - 3600);
    expect(old.knownUpdateAt).toBe(NOW / 1000 - 60);
  });

  it('a bump older than the last check no longer counts', () => {
    const s = state({ lastCheckedAt: NOW - 1_000 });
    expect(nextCheckAt(s, NOW - 2_000, NOW)).toBe(s.lastCheckedAt + checkIntervalMs(s, NOW));
    expect(isBumpScore(nextCheckAt(s, NOW - 500, NOW), NOW)).toBe(true);
    expect(isBumpScore(NOW - 60 * MIN, NOW)).toBe(false);
    expect(nextCheckAt(s, NOW - 500, NOW)).toBe(NOW - 500 - BUMP_LEAD_MS);
  });

  it('checks active issues often, idle and finished ones rarely', () => {
    expect(checkIntervalMs(state({ lastActivityAt: NOW - MIN }), NOW)).toBe(20_000);
    expect(checkIntervalMs(state({ followedAt: NOW - MIN }), NOW)).toBe(30_000);
    expect(checkIntervalMs(state({ lastActivityAt: NOW - 60 * MIN }), NOW)).toBe(2 * MIN);
    expect(checkIntervalMs(state({ followedAt: NOW - 5 * 60 * MIN }), NOW)).toBe(5 * MIN);
    expect(checkIntervalMs(state(), NOW)).toBe(15 * MIN);
    expect(checkIntervalMs(state({ lastActivityAt: NOW - MIN, finishedAt: NOW - MIN }), NOW)).toBe(10 * MIN);
  });

  it('markSeen keeps a bounded list of uuids and moves the watermark forward only', () => {
    let s = state({ watermark: 100 });
    s = markSeen(s, [
      { uuid: 'a', createAt: 90 },
      { uuid: 'b', createAt: 120 },
    ]);
    expect(s.seen).toEqual(['a', 'b']);
    expect(s.watermark).toBe(120);
    for (let i = 0; i < 250; i += 1) s = markSeen(s, [{ uuid: `x${i}`, createAt: 110 }]);
    expect(s.seen).toHaveLength(200);
    expect(s.seen.at(-1)).toBe('x249');
    expect(s.watermark).toBe(120);
  });
});
