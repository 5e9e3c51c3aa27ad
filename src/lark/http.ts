/**
 * The one way the bot calls Lark: node-sdk with a request timeout and a token cache, Lark's 5/s limits taken
 * in Redis (shared by replicas) before a request leaves, every answer checked (`code === 0`, zod shape), one
 * error mapping (errors-map.ts), each failure counted and logged once. Wire facts:
 * ../shared/reference/lark-platform.md §6, §7, §9.
 */
import * as lark from '@larksuiteoapi/node-sdk';
import { z } from 'zod';
import { LarkApiError, LarkRateLimited, UnavailableError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { RateWindow, Store } from '../store/index.js';
import { NO_LARK_CODE, TOKEN_INVALID_CODES, larkErrorFrom, larkErrorFromBody } from './errors-map.js';
import { TokenCache, httpInstance, sdkLogger } from './sdk-plumbing.js';

export interface LarkHttpOptions {
  appId: string;
  appSecret: string;
  /** Base URL without trailing slash, e.g. https://open.feishu.cn (a trailing slash is stripped). */
  baseUrl: string;
  /** Look-ups kept across replicas (bot open_id, people's names), and Lark's 5/s limits shared by replicas. */
  store: Pick<Store, 'cache' | 'rateWindow'>;
  log: Logger;
  metrics?: Metrics;
  /** Per HTTP request (token fetch and API call each); default 10 000. */
  timeoutMs?: number;
}

/** Lark allows 5 messages/s per chat (shared by all bots) and 5 PATCH/s per message. */
const PER_SECOND_LIMIT = 5;
/**
 * Our window is a little longer than Lark's second: a slot is taken in Redis before the request leaves, and
 * the time until it reaches Lark varies (first call also fetches the token), so an exact 1000 ms window lets
 * a 6th request land within Lark's second and get 230020.
 */
const RATE_WINDOW_MS = 1000 + 200;
/** How long a send/reply/patch waits for a slot before giving up with LarkRateLimited. */
const RATE_MAX_WAIT_MS = 10_000;
const DEFAULT_TIMEOUT_MS = 10_000;

export const okEnvelope = z.looseObject({ code: z.literal(0), msg: z.string().optional() });
const codeOnly = z.looseObject({ code: z.number() });

type Outcome = 'ok' | 'error' | 'retryable' | 'rate_limited';

export class LarkHttp {
  readonly sdk: lark.Client;
  private readonly tokenCache = new TokenCache();
  private readonly limiter: RateWindow;
  private readonly log: Logger;
  private readonly metrics: Metrics | undefined;

  constructor(options: LarkHttpOptions) {
    this.log = options.log;
    this.metrics = options.metrics;
    this.limiter = options.store.rateWindow(RATE_WINDOW_MS, PER_SECOND_LIMIT);
    this.sdk = new lark.Client({
      appId: options.appId,
      appSecret: options.appSecret,
      domain: options.baseUrl.replace(/\/+$/, ''),
      cache: this.tokenCache,
      httpInstance: httpInstance(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      logger: sdkLogger(options.log, [options.appSecret]),
    });
  }

  /** Waits (bounded) for one of Lark's per-second slots named `key`, e.g. `lark:chat-rate:<chat>`. */
  async takeSlot(key: string, api: string): Promise<void> {
    let taken: boolean;
    try {
      taken = await this.limiter.take(key, RATE_MAX_WAIT_MS);
    } catch (error) {
      throw new UnavailableError(`${api}: rate limiter unavailable: ${errorMessage(error)}`, { cause: error });
    }
    if (!taken) {
      this.count(api, 'rate_limited');
      throw new LarkRateLimited(`${api}: no send slot within ${RATE_MAX_WAIT_MS} ms (5/s limit)`, 230020, undefined, 1000);
    }
  }

  /** One SDK call: maps errors, checks `code === 0` and the answer's shape, counts the outcome. */
  /** `expectedCodes`: failures the caller handles itself; they are logged at debug only. */
  async call<S extends z.ZodType>(
    api: string,
    schema: S,
    run: () => Promise<unknown>,
    expectedCodes?: ReadonlySet<number>,
  ): Promise<z.output<S>> {
    let body: unknown;
    try {
      body = await run();
    } catch (error) {
      throw this.failed(api, larkErrorFrom(error, api), expectedCodes);
    }
    const code = codeOnly.safeParse(body);
    if (code.success && code.data.code !== 0) throw this.failed(api, larkErrorFromBody(body, api), expectedCodes);
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw this.failed(api, new LarkApiError(`${api}: unexpected answer: ${z.prettifyError(parsed.error).slice(0, 300)}`, NO_LARK_CODE, 200, false));
    }
    this.count(api, 'ok');
    return parsed.data;
  }

  private failed(api: string, error: LarkApiError, expectedCodes?: ReadonlySet<number>): LarkApiError {
    if (TOKEN_INVALID_CODES.has(error.larkCode)) this.tokenCache.clear();
    const outcome: Outcome = error instanceof LarkRateLimited ? 'rate_limited' : error.retryable ? 'retryable' : 'error';
    this.count(api, outcome);
    const fields = { api, larkCode: error.larkCode, httpStatus: error.httpStatus, retryable: error.retryable };
    if (expectedCodes?.has(error.larkCode)) this.log.debug(error.message, fields);
    else if (outcome === 'error') this.log.warn(error.message, fields);
    else this.log.info(error.message, fields);
    return error;
  }

  private count(api: string, outcome: Outcome): void {
    this.metrics?.inc('lark_requests_total', { api, outcome });
  }
}
