/** Injected faults and latency: rules a test sets, looked up for every request. */
import { matchesRequest, sameMatch, type RecordedRequest, type RequestMatch } from './request.js';

/** The one fault every fake understands: close the socket without answering. */
export interface DropFault {
  kind: 'drop';
}

/**
 * The request is handled (its state changes, as if answered), then the socket is closed without the
 * answer: the work was done but the client cannot know. A retry must find it done (idempotency keys).
 */
export interface DropAfterWorkFault {
  kind: 'dropAfterWork';
}

/** The faults the core itself carries out; a fake's `faultReply` never sees them. */
export type CoreFault = DropFault | DropAfterWorkFault;

/** Faults in the order they were set; a request takes the first that matches and still has uses. */
export class FaultRules<F, R extends RecordedRequest = RecordedRequest> {
  private rules: { match: RequestMatch<R>; fault: F; remaining: number }[] = [];

  add(match: RequestMatch<R>, fault: F, times = 1): void {
    if (!Number.isInteger(times) || times < 1) throw new RangeError('failNext: times must be a positive integer');
    this.rules.push({ match, fault, remaining: times });
  }

  take(req: R): F | undefined {
    const rule = this.rules.find((r) => matchesRequest(r.match, req));
    if (rule === undefined) return undefined;
    rule.remaining -= 1;
    if (rule.remaining === 0) this.rules = this.rules.filter((r) => r !== rule);
    return rule.fault;
  }

  clear(): void {
    this.rules = [];
  }
}

/** Delays of answers; the latest rule that matches a request wins. No `match` = every request. */
export class LatencyRules<R extends RecordedRequest = RecordedRequest> {
  private rules: { match: RequestMatch<R> | undefined; ms: number }[] = [];

  /** Replaces the rule for the same match; `ms = 0` removes it, and without `match` removes every rule. */
  set(ms: number, match?: RequestMatch<R>): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('setLatency: ms must be a finite number >= 0');
    if (ms === 0 && match === undefined) {
      this.clear();
      return;
    }
    const same = (m: RequestMatch<R> | undefined): boolean =>
      m === undefined || match === undefined ? m === match : sameMatch(m, match);
    this.rules = this.rules.filter((r) => !same(r.match));
    if (ms > 0) this.rules.push({ match, ms });
  }

  for(req: R): number {
    for (let i = this.rules.length - 1; i >= 0; i -= 1) {
      const rule = this.rules[i];
      if (rule !== undefined && (rule.match === undefined || matchesRequest(rule.match, req))) return rule.ms;
    }
    return 0;
  }

  clear(): void {
    this.rules = [];
  }
}
