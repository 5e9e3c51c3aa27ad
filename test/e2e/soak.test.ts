import { describe, expect, it } from 'vitest';
import { runSoak } from '../helpers/soak/run.js';

/**
 * The short soak (npm run soak is the long one; both run test/helpers/soak/): ~600 signed message events at
 * 100/s against one bot process, its Redis stopped and started again in the middle. This is also the outage
 * test of issue 11: events answered 503 while Redis is away are re-sent as Lark would, and every event, the
 * re-sent ones included, is processed exactly once, by the same bot process (no restart). Start-up with Redis
 * absent is proven in lifecycle.test.ts.
 */
describe('soak, short', () => {
  it('503 only while Redis is away; every event processed exactly once after it comes back', async () => {
    const result = await runSoak({
      events: 600,
      ratePerSecond: 100,
      commentShare: 0.1,
      outageAt: 0.4,
      outageMs: 2_500,
      resendDelaysMs: [500, 1_000],
      idleMs: 0,
      settleMs: 0,
      timeoutMs: 25_000,
    });
    const { traffic } = result;
    expect(result.violations, JSON.stringify({ traffic, outage: result.outage, memory: result.memory })).toEqual([]);
    expect(traffic.events).toBe(600);
    expect(traffic.comments).toBe(60);
    expect(traffic.guanceCreates).toBe(60);
    expect(traffic.larkAnswers).toBe(60);
    // The outage was real: events were refused, re-sent and then accepted.
    expect(traffic.answered503).toBeGreaterThan(0);
    expect(traffic.resentComments).toBeGreaterThan(0);
  }, 40_000);
});
