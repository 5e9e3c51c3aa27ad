import { describe, expect, it } from 'vitest';
import { report, runChaos } from '../helpers/chaos.js';

/**
 * The short version of `npm run chaos` (bench/chaos.ts), so a regression fails the suite: the same run
 * in seconds instead of minutes. A high Guance budget lets the poller run every second. Guance
 * rate-limit answers are left to the long run: the bot then rightly pauses every replica until its
 * oldest request leaves Guance's 60 s window, longer than this whole test.
 */
describe('chaos, short', () => {
  it('two replicas under SIGKILL and Lark/Guance faults: one card per issue, one comment and one answer per message, within the budget', async () => {
    const lines: string[] = [];
    const verdict = await runChaos({
      label: 'chaos-short',
      issues: 10,
      events: 10,
      deliveriesPerEvent: 5,
      faultPhaseMs: 10_000,
      killEveryMs: [2_500, 3_500],
      minKills: 2,
      // A job running on a killed replica is taken over once its lock expires (~10–15 s): that bounds the drain.
      drainTimeoutMs: 35_000,
      budget: 600,
      pollIntervalSeconds: 1,
      // Few requests in a short run: higher shares, so every kind of fault is likely to happen at least once.
      rates: { larkServerError: 0.15, larkLostAnswer: 0.1, larkRateLimited: 0.05, guanceServerError: 0.1, guanceRateLimited: 0 },
      log: (line) => lines.push(line),
    });
    const figures = report(verdict);
    if (verdict.violations.length > 0) console.error([...lines, ...figures].join('\n'));
    expect(verdict.violations).toEqual([]);
    expect(verdict.figures.kills).toBeGreaterThanOrEqual(2);
    expect(verdict.figures.cards.seen).toBe(10);
    expect(verdict.figures.events.deliveriesAccepted).toBe(50);
  }, 75_000);
});
