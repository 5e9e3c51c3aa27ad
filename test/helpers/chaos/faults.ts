/**
 * Random faults for a chaos run, on the fakes' own fault rules: each rule matches a random share of
 * the requests it is about, for as long as the run says faults are on. Every injected fault is
 * counted where it is decided, so the figures are exact (a rule's predicate returning true means
 * that rule's fault is the one applied: the fakes take the first rule that matches).
 */
import type { GuanceFake, GuanceRecordedRequest } from '../../fakes/guance-server.js';
import type { LarkFake, RecordedRequest } from '../../fakes/lark-server.js';

/** Shares of the matching requests (0…1) that get each fault. */
export interface FaultRates {
  /** Lark message writes (send, reply, PATCH) answered HTTP 500. */
  larkServerError: number;
  /** Lark message writes done, then the connection closed without the answer. */
  larkLostAnswer: number;
  /** Any Lark API call (tenant token calls aside) answered 429 / 99991400. */
  larkRateLimited: number;
  /** Any Guance call answered 500, 502 or 503. */
  guanceServerError: number;
  /** Any Guance call answered 401 ft.TriggerApiAkCurrentLimiting. */
  guanceRateLimited: number;
}

export const DEFAULT_FAULT_RATES: FaultRates = {
  larkServerError: 0.1,
  larkLostAnswer: 0.05,
  larkRateLimited: 0.03,
  guanceServerError: 0.05,
  guanceRateLimited: 0.03,
};

export type FaultCounts = Record<keyof FaultRates, number>;

/** A rule stays in place for the whole run; `active` decides whether it fires. */
const FOREVER = Number.MAX_SAFE_INTEGER;
const LARK_MESSAGE_WRITE = /^(POST \/open-apis\/im\/v1\/messages(\/[^/]+\/reply)?|PATCH \/open-apis\/im\/v1\/messages\/[^/]+)$/;
const LARK_TOKEN = '/open-apis/auth/';

export class ChaosFaults {
  readonly counts: FaultCounts = { larkServerError: 0, larkLostAnswer: 0, larkRateLimited: 0, guanceServerError: 0, guanceRateLimited: 0 };
  private active = false;

  constructor(lark: LarkFake, guance: GuanceFake, private readonly rates: FaultRates = DEFAULT_FAULT_RATES) {
    const larkWrite = (r: RecordedRequest) => LARK_MESSAGE_WRITE.test(`${r.method} ${r.path}`);
    const larkApi = (r: RecordedRequest) => r.path.startsWith('/open-apis/') && !r.path.startsWith(LARK_TOKEN);
    lark.failNext(this.sometimes('larkRateLimited', larkApi), { kind: 'rateLimit', resetSeconds: 1 }, FOREVER);
    lark.failNext(this.sometimes('larkServerError', larkWrite), { kind: 'status', status: 500 }, FOREVER);
    lark.failNext(this.sometimes('larkLostAnswer', larkWrite), { kind: 'dropAfterWork' }, FOREVER);
    const guanceApi = (r: GuanceRecordedRequest) => r.path.startsWith('/api/');
    guance.failNext(this.sometimes('guanceRateLimited', guanceApi), { kind: 'rateLimited' }, FOREVER);
    for (const status of [500, 502, 503]) {
      guance.failNext(this.sometimes('guanceServerError', guanceApi, 1 / 3), { kind: 'status', status }, FOREVER);
    }
  }

  start(): void {
    this.active = true;
  }

  stop(): void {
    this.active = false;
  }

  total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  /** `share` splits one rate over several rules (e.g. three 5xx statuses). */
  private sometimes<R>(kind: keyof FaultRates, about: (r: R) => boolean, share = 1): (r: R) => boolean {
    return (r) => {
      if (!this.active || !about(r) || Math.random() >= this.rates[kind] * share) return false;
      this.counts[kind] += 1;
      return true;
    };
  }
}
