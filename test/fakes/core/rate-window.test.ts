import { describe, expect, it } from 'vitest';
import { busiestWindow, RateWindow } from './rate-window.js';

describe('RateWindow', () => {
  it('counts hits per key in (now − window, now]; tryHit refuses at the limit without recording', () => {
    const w = new RateWindow(1000);
    expect([w.tryHit('a', 2, 0), w.tryHit('a', 2, 500), w.tryHit('a', 2, 999)]).toEqual([true, true, false]);
    expect(w.count('a', 999)).toBe(2);
    expect(w.tryHit('b', 2, 999)).toBe(true);
    expect(w.tryHit('a', 2, 1000)).toBe(true); // the hit at 0 left the window
    expect(w.count('a', 1500)).toBe(1);
    expect(w.tryHit('a', 0, 1500)).toBe(true); // 0 = no limit, still counted
    expect(w.count('a', 1500)).toBe(2);
    w.clear();
    expect(w.count('a', 1500)).toBe(0);
  });

  it('busiestWindow finds the busiest window of any start', () => {
    expect(busiestWindow([], 60_000)).toBe(0);
    expect(busiestWindow([70_000, 0, 0, 50_000, 50_000, 60_000], 60_000)).toBe(4);
  });
});
