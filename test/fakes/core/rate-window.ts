/**
 * Sliding-window rate counting, as the real platforms limit: Lark per chat and per message per
 * second, Guance per API key per rolling minute, the robot webhooks per robot per minute
 * (../shared/reference/lark-platform.md, guance-openapi.md, sources-and-sinks.md).
 */
export class RateWindow {
  private readonly hits = new Map<string, number[]>();

  constructor(readonly windowMs: number) {}

  /** Hits of `key` in (now − window, now]. */
  count(key: string, now: number): number {
    return this.recent(key, now).length;
  }

  hit(key: string, now: number): void {
    this.recent(key, now).push(now);
  }

  /** Records a hit and returns true, or returns false (recording nothing) once `limit` is reached; `limit <= 0` = no limit. */
  tryHit(key: string, limit: number, now: number): boolean {
    if (limit > 0 && this.count(key, now) >= limit) return false;
    this.hit(key, now);
    return true;
  }

  clear(): void {
    this.hits.clear();
  }

  private recent(key: string, now: number): number[] {
    const recent = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    this.hits.set(key, recent);
    return recent;
  }
}

/** The largest number of `times` (ms) inside any window of `windowMs`. */
export function busiestWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi += 1) {
    const t = sorted[hi] ?? 0;
    while ((sorted[lo] ?? 0) <= t - windowMs) lo += 1;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}
