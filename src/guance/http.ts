/**
 * The one HTTP call to the Guance OpenAPI: take a budget slot, send, read the envelope, and hand any
 * failure to the errors map. Wire facts: ../shared/reference/guance-openapi.md §1.2 (the `DF-API-KEY`
 * header), §1.3 (envelope) and §1.6 (20 requests/min per key, hence the shared budget).
 *
 * What callers can rely on:
 *   - nothing is sent without a budget slot: a spent budget throws `GuanceRateLimited` (outcome `budget`),
 *     an unreachable Redis `UnavailableError` (no shared budget, so sending could break the key's limit
 *     for every replica);
 *   - a Guance rate-limit answer pauses the budget for every replica before `GuanceRateLimited` is thrown;
 *   - each failure is counted and logged once, here, with its trace id; the API key never reaches a log
 *     line or an error message.
 */
import type { z } from 'zod';
import { GuanceRateLimited, UnavailableError, errorMessage, type GuanceApiError, type GuanceErrorOutcome } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { KIND_WAIT_MS, type GuanceBudget, type SpendKind } from '../store/guance-budget.js';
import { effectiveStatus, guanceErrorFrom, guanceOutcomeOf, redactorFor, type GuanceFailure } from './errors-map.js';
import { GuanceEnvelopeSchema, describeSchemaError, type GuanceEnvelope, type GuancePageInfoPartial } from './schemas.js';

export interface GuanceHttpOptions {
  /** OpenAPI base, e.g. `https://openapi.guance.com` (paths start with `/api/v1`). */
  baseUrl: string;
  /** The API key id sent as `DF-API-KEY`. Never logged. */
  apiKey: string;
  budget: GuanceBudget;
  log: Logger;
  metrics?: Metrics;
  /** Per request, ms. Default 10 000. */
  timeoutMs?: number;
  /** How long each kind waits for a budget slot; defaults from `KIND_WAIT_MS`. */
  waitMs?: Partial<Record<SpendKind, number>>;
}

/** Result label of `guance_requests_total`. */
export type GuanceOutcome = 'ok' | 'budget_unavailable' | GuanceErrorOutcome;

export interface CallSpec<T> {
  method: 'GET' | 'POST';
  /** Real path, e.g. `/api/v1/issue/issue_abc/get`. */
  path: string;
  /** Template for logs and metrics, e.g. `issue/:uuid/get` (never the uuid: it would explode the label set). */
  endpoint: string;
  kind: SpendKind;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  content: z.ZodType<T>;
  /** A 404 is an expected answer here (logged at debug, not warn). */
  notFoundExpected?: boolean;
}

export interface CallResult<T> {
  content: T;
  pageInfo: GuancePageInfoPartial | undefined;
  traceId: string;
}

/** What a sent request came back with, before it is judged. */
interface Answer {
  status: number;
  envelope: GuanceEnvelope | undefined;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export class GuanceHttp {
  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly budget: GuanceBudget;
  private readonly log: Logger;
  private readonly metrics: Metrics | undefined;
  private readonly timeoutMs: number;
  private readonly waitMs: Record<SpendKind, number>;
  private readonly redact: (text: string) => string;

  constructor(options: GuanceHttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.budget = options.budget;
    this.log = options.log;
    this.metrics = options.metrics;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.waitMs = { ...KIND_WAIT_MS, ...options.waitMs };
    // Guance's own texts should never echo the key, but make sure.
    this.redact = redactorFor(options.apiKey);
  }

  /** One request: a value, or a thrown `GuanceApiError` / `UnavailableError` (see the file comment). */
  async call<T>(spec: CallSpec<T>): Promise<CallResult<T>> {
    await this.takeSlot(spec);
    const started = Date.now();
    let answer: Answer;
    try {
      answer = await this.send(spec);
    } catch (error) {
      const failure: GuanceFailure = { kind: 'transport', endpoint: spec.endpoint, error, timeoutMs: this.timeoutMs };
      throw this.failed(spec, guanceErrorFrom(failure, { redact: this.redact }), { ms: Date.now() - started });
    }
    const { status, envelope } = answer;
    const traceId = envelope?.traceId ?? '';
    const ms = Date.now() - started;

    let contentProblem: string | undefined;
    if (status >= 200 && status < 300 && envelope !== undefined && envelope.success !== false) {
      const content = spec.content.safeParse(envelope.content);
      if (content.success) {
        this.count(spec.endpoint, 'ok');
        return { content: content.data, pageInfo: envelope.pageInfo, traceId };
      }
      contentProblem = describeSchemaError(content.error);
    }

    const failure: GuanceFailure = { kind: 'answer', endpoint: spec.endpoint, status, envelope, contentProblem };
    // Guance's limiter spoke: stop every replica until its window has passed, and tell the caller how long.
    const pausedMs = guanceOutcomeOf(failure) === 'rate_limited' ? await this.pause(spec.endpoint) : undefined;
    const error = guanceErrorFrom(failure, { redact: this.redact, pausedMs });
    const errorCode = envelope?.errorCode ?? '';
    throw this.failed(spec, error, { status: effectiveStatus(failure), errorCode, traceId, ms, pausedMs });
  }

  /** Takes a budget slot of the spec's kind, or throws without sending. */
  private async takeSlot(spec: CallSpec<unknown>): Promise<void> {
    const { endpoint, kind } = spec;
    let waitMs: number;
    try {
      waitMs = await this.budget.acquire(kind, this.waitMs[kind]);
    } catch (error) {
      this.count(endpoint, 'budget_unavailable');
      this.log.warn('guance request not sent: budget unavailable', { endpoint, kind, error: errorMessage(error) });
      throw new UnavailableError(`Guance request budget unavailable: ${errorMessage(error)}`, { cause: error });
    }
    if (waitMs > 0) {
      // Expected under load (background kinds do not wait): debug, and the caller retries later.
      this.count(endpoint, 'budget');
      this.log.debug('guance request not sent: budget spent', { endpoint, kind, retryAfterMs: waitMs });
      throw new GuanceRateLimited('budget spent', 'budget', waitMs, 'budget');
    }
  }

  /** Sends the request and reads the body; throws only when no answer arrived (timeout, network). */
  private async send(spec: CallSpec<unknown>): Promise<Answer> {
    const url = new URL(`${this.baseUrl}${spec.path}`);
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const response = await fetch(url, {
      method: spec.method,
      headers: { 'DF-API-KEY': this.apiKey, 'Content-Type': 'application/json' },
      ...(spec.body !== undefined ? { body: JSON.stringify(spec.body) } : {}),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    return { status: response.status, envelope: parseEnvelope(text) };
  }

  /** Pauses the shared budget; if Redis cannot take the pause, callers still wait a whole window. */
  private async pause(endpoint: string): Promise<number> {
    try {
      return await this.budget.pause();
    } catch (error) {
      this.log.warn('guance budget could not be paused', { endpoint, error: errorMessage(error) });
      return this.budget.windowMs;
    }
  }

  /** Counts and logs a failure once; returns the error to throw. */
  private failed(
    spec: CallSpec<unknown>,
    error: GuanceApiError,
    context: { status?: number; errorCode?: string; traceId?: string; ms: number; pausedMs?: number | undefined },
  ): GuanceApiError {
    const { outcome } = error;
    this.count(spec.endpoint, outcome);
    const level = outcome === 'not_found' && spec.notFoundExpected ? 'debug' : 'warn';
    // `detail`, not `message`: winston would merge a `message` key into the log line's text.
    this.log.log(level, 'guance request failed', {
      endpoint: spec.endpoint,
      method: spec.method,
      kind: spec.kind,
      outcome,
      retryable: error.retryable,
      status: context.status,
      errorCode: context.errorCode || error.errorCode,
      traceId: context.traceId,
      ms: context.ms,
      ...(context.pausedMs !== undefined ? { pausedMs: context.pausedMs } : {}),
      detail: error.message,
    });
    return error;
  }

  private count(endpoint: string, outcome: GuanceOutcome): void {
    this.metrics?.inc('guance_requests_total', { endpoint, outcome });
  }
}

/** The body as an envelope, or undefined when it is empty, not JSON, or not envelope-shaped. */
function parseEnvelope(text: string): GuanceEnvelope | undefined {
  let json: unknown;
  try {
    json = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
  const parsed = GuanceEnvelopeSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
