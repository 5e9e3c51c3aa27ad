import { z } from 'zod';
import { GuanceApiError, GuanceRateLimited, UnavailableError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { KIND_WAIT_MS, type GuanceBudget, type SpendKind } from '../store/guance-budget.js';
import {
  GuanceChannelSchema,
  GuanceEnvelopeSchema,
  GuanceIssueSchema,
  GuanceLevelSchema,
  GuanceReplySchema,
  describeSchemaError,
  guanceListContent,
  resolvePageInfo,
  type GuanceChannel,
  type GuanceIssue,
  type GuanceLevel,
  type GuancePageInfo,
  type GuancePageInfoPartial,
  type GuanceReply,
} from './schemas.js';

export type { SpendKind } from '../store/guance-budget.js';

export interface GuanceClientOptions {
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

export interface GuanceIssueFilter {
  key: string;
  value: string | number;
  /** true = "is", false = "is not". */
  equal: boolean;
}

export interface GuanceIssueQuery {
  channelUUID: string;
  /** Unix seconds. */
  startTime?: number;
  /** Unix seconds. */
  endTime?: number;
  pageIndex: number;
  pageSize: number;
  filters?: GuanceIssueFilter[];
  search?: string;
}

export interface GuanceReplyQuery {
  pageIndex: number;
  pageSize: number;
  ordering?: '-createAt' | 'createAt';
}

/** Result label of `guance_requests_total`. */
export type GuanceOutcome =
  | 'ok'
  | 'budget'
  | 'budget_unavailable'
  | 'rate_limited'
  | 'auth'
  | 'not_found'
  | 'refused'
  | 'server_error'
  | 'timeout'
  | 'network'
  | 'bad_response';

interface CallSpec<T> {
  method: 'GET' | 'POST';
  /** Real path, e.g. `/api/v1/issue/issue_abc/get`. */
  path: string;
  /** Template for logs and metrics, e.g. `issue/:uuid/get`. */
  endpoint: string;
  kind: SpendKind;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  content: z.ZodType<T>;
  /** A 404 is an expected answer here (logged at debug, not warn). */
  notFoundExpected?: boolean;
}

interface CallResult<T> {
  content: T;
  pageInfo: GuancePageInfoPartial | undefined;
  traceId: string;
}

const RATE_LIMIT_CODE = /CurrentLimiting$/;
const DEFAULT_TIMEOUT_MS = 10_000;

/** True when the error is Guance's "no such object" (HTTP 404). */
export function isGuanceNotFound(error: unknown): boolean {
  return error instanceof GuanceApiError && error.httpStatus === 404;
}

/**
 * The Guance (观测云) OpenAPI, exception-tracking part. Every call first takes a slot of its kind
 * from the shared `GuanceBudget` (or throws `GuanceRateLimited(…, 'budget', …)` without sending),
 * then sends one request and maps the answer to a value or a coded error. (When Redis cannot be
 * reached the call throws `UnavailableError` without sending: there is no shared budget to spend.)
 *
 * | answer                                     | error                                                |
 * |--------------------------------------------|------------------------------------------------------|
 * | 2xx, `success !== false`, content parses   | –                                                    |
 * | 2xx whose body does not parse              | `GuanceApiError` `bad_response`, not retryable        |
 * | 401 `ft.*CurrentLimiting` (or 429)         | `GuanceRateLimited`; the budget is paused            |
 * | 401 / 403 otherwise                        | `GuanceApiError`, not retryable (auth / permission)   |
 * | 404                                        | `GuanceApiError`, not retryable (`getIssue` → null)   |
 * | other 4xx                                  | `GuanceApiError` with Guance's message, not retryable |
 * | 5xx, timeout, network error                | `GuanceApiError`, retryable                           |
 */
export class GuanceClient {
  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly budget: GuanceBudget;
  private readonly log: Logger;
  private readonly metrics: Metrics | undefined;
  private readonly timeoutMs: number;
  private readonly waitMs: Record<SpendKind, number>;

  constructor(options: GuanceClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.budget = options.budget;
    this.log = options.log;
    this.metrics = options.metrics;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.waitMs = { ...KIND_WAIT_MS, ...options.waitMs };
  }

  /** Live channels only (`deleteAt` -1 or missing). */
  async listChannels(kind: SpendKind): Promise<GuanceChannel[]> {
    const { content } = await this.call({
      method: 'GET',
      path: '/api/v1/channel/quick_list',
      endpoint: 'channel/quick_list',
      kind,
      content: guanceListContent(GuanceChannelSchema),
    });
    return content.items.filter((c) => c.deleteAt === undefined || c.deleteAt === -1);
  }

  async listIssues(
    query: GuanceIssueQuery,
    kind: SpendKind,
  ): Promise<{ issues: GuanceIssue[]; pageInfo: GuancePageInfo }> {
    const body = {
      channelUUID: query.channelUUID,
      pageIndex: query.pageIndex,
      pageSize: query.pageSize,
      search: query.search ?? '',
      filters: query.filters ?? [],
      ...(query.startTime !== undefined ? { startTime: query.startTime } : {}),
      ...(query.endTime !== undefined ? { endTime: query.endTime } : {}),
    };
    const { content, pageInfo } = await this.call({
      method: 'POST',
      path: '/api/v1/issue/list',
      endpoint: 'issue/list',
      kind,
      body,
      content: guanceListContent(GuanceIssueSchema),
    });
    return {
      issues: content.items,
      pageInfo: resolvePageInfo({ nested: content.pageInfo, topLevel: pageInfo }, query, content.items.length),
    };
  }

  /** null when Guance says the issue does not exist (HTTP 404). */
  async getIssue(uuid: string, kind: SpendKind): Promise<GuanceIssue | null> {
    try {
      const { content } = await this.call({
        method: 'GET',
        path: `/api/v1/issue/${encodeURIComponent(uuid)}/get`,
        endpoint: 'issue/:uuid/get',
        kind,
        content: GuanceIssueSchema,
        notFoundExpected: true,
      });
      return content;
    } catch (error) {
      if (isGuanceNotFound(error)) return null;
      throw error;
    }
  }

  /** Sends only the fields given (e.g. `{statusType: 20}`), as the docs' example does. */
  async modifyIssue(uuid: string, change: { statusType?: number }, kind: SpendKind): Promise<GuanceIssue> {
    const body = { ...(change.statusType !== undefined ? { statusType: change.statusType } : {}) };
    const { content } = await this.call({
      method: 'POST',
      path: `/api/v1/issue/${encodeURIComponent(uuid)}/modify`,
      endpoint: 'issue/:uuid/modify',
      kind,
      body,
      content: GuanceIssueSchema,
    });
    return content;
  }

  async createReply(
    input: { issueUUID: string; content: string; extend: Record<string, unknown> },
    kind: SpendKind,
  ): Promise<GuanceReply> {
    const { content } = await this.call({
      method: 'POST',
      path: '/api/v1/issue/reply/create',
      endpoint: 'issue/reply/create',
      kind,
      body: { issueUUID: input.issueUUID, content: input.content, extend: input.extend },
      content: GuanceReplySchema,
    });
    return content;
  }

  async listReplies(
    issueUuid: string,
    query: GuanceReplyQuery,
    kind: SpendKind,
  ): Promise<{ replies: GuanceReply[]; totalCount: number }> {
    const { content, pageInfo } = await this.call({
      method: 'GET',
      path: `/api/v1/issue/reply/${encodeURIComponent(issueUuid)}/list`,
      endpoint: 'issue/reply/:uuid/list',
      kind,
      query: { ordering: query.ordering, pageIndex: query.pageIndex, pageSize: query.pageSize },
      content: guanceListContent(GuanceReplySchema),
    });
    const page = resolvePageInfo({ nested: content.pageInfo, topLevel: pageInfo }, query, content.items.length);
    return { replies: content.items, totalCount: page.totalCount };
  }

  async listLevels(kind: SpendKind): Promise<GuanceLevel[]> {
    const { content } = await this.call({
      method: 'GET',
      path: '/api/v1/issue-level/list',
      endpoint: 'issue-level/list',
      kind,
      content: guanceListContent(GuanceLevelSchema),
    });
    return content.items;
  }

  // -------------------------------------------------------------------------------------------

  private async call<T>(spec: CallSpec<T>): Promise<CallResult<T>> {
    const { endpoint, method, kind } = spec;

    let waitMs: number;
    try {
      waitMs = await this.budget.acquire(kind, this.waitMs[kind]);
    } catch (error) {
      // Without Redis there is no shared budget: sending anyway could break the key's limit for every replica.
      this.count(endpoint, 'budget_unavailable');
      this.log.warn('guance request not sent: budget unavailable', { endpoint, kind, error: errorMessage(error) });
      throw new UnavailableError(`Guance request budget unavailable: ${errorMessage(error)}`, { cause: error });
    }
    if (waitMs > 0) {
      this.count(endpoint, 'budget');
      this.log.debug('guance request not sent: budget spent', { endpoint, kind, retryAfterMs: waitMs });
      throw new GuanceRateLimited('budget spent', 'budget', waitMs);
    }

    const url = new URL(`${this.baseUrl}${spec.path}`);
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }

    const started = Date.now();
    let status: number;
    let ok: boolean;
    let text: string;
    try {
      const response = await fetch(url, {
        method,
        headers: { 'DF-API-KEY': this.apiKey, 'Content-Type': 'application/json' },
        ...(spec.body !== undefined ? { body: JSON.stringify(spec.body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = response.status;
      ok = response.ok;
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      const failure = new GuanceApiError(
        timedOut ? `Guance did not answer within ${this.timeoutMs} ms` : `Guance unreachable: ${this.scrub(networkReason(error))}`,
        timedOut ? 'timeout' : 'network',
        undefined,
        true,
        { cause: error },
      );
      throw this.failed(spec, timedOut ? 'timeout' : 'network', failure, { ms: Date.now() - started });
    }

    let json: unknown;
    try {
      json = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      json = undefined;
    }
    const parsedEnvelope = GuanceEnvelopeSchema.safeParse(json);
    const envelope = parsedEnvelope.success ? parsedEnvelope.data : undefined;
    const errorCode = envelope?.errorCode ?? '';
    const traceId = envelope?.traceId ?? '';
    const guanceMessage = this.scrub(envelope?.message ?? '');
    const context = { status, errorCode, traceId, ms: Date.now() - started };

    if (ok && envelope !== undefined && envelope.success !== false) {
      const content = spec.content.safeParse(envelope.content);
      if (!content.success) {
        const failure = new GuanceApiError(
          `Guance answered ${endpoint} in an unexpected shape: ${describeSchemaError(content.error)}`,
          'bad_response',
          status,
          false,
        );
        throw this.failed(spec, 'bad_response', failure, context);
      }
      this.count(endpoint, 'ok');
      return { content: content.data, pageInfo: envelope.pageInfo, traceId };
    }
    if (ok && envelope === undefined) {
      const failure = new GuanceApiError(
        `Guance answered ${endpoint} with HTTP ${status} but no JSON envelope`,
        'bad_response',
        status,
        false,
      );
      throw this.failed(spec, 'bad_response', failure, context);
    }

    // An error: HTTP status, or `success: false` inside a 2xx (then `code` says what it was).
    const effective = ok && envelope?.code !== undefined && envelope.code >= 400 ? envelope.code : status;
    context.status = effective;

    if (RATE_LIMIT_CODE.test(errorCode) || effective === 429) {
      let pausedMs: number;
      try {
        pausedMs = await this.budget.pause();
      } catch (error) {
        this.log.warn('guance budget could not be paused', { endpoint, error: errorMessage(error) });
        pausedMs = this.budget.windowMs;
      }
      const failure = new GuanceRateLimited(
        `Guance rate limit hit${errorCode ? ` (${errorCode})` : ''}; paused ${Math.ceil(pausedMs / 1000)} s`,
        errorCode || 'rate_limited',
        pausedMs,
      );
      throw this.failed(spec, 'rate_limited', failure, { ...context, pausedMs });
    }
    if (effective === 401 || effective === 403) {
      const failure = new GuanceApiError(
        guanceMessage || `Guance refused the API key or the permission (HTTP ${effective})`,
        errorCode || 'auth',
        effective,
        false,
      );
      throw this.failed(spec, 'auth', failure, context);
    }
    if (effective === 404) {
      const failure = new GuanceApiError(guanceMessage || `Not found (${endpoint})`, errorCode || 'not_found', effective, false);
      throw this.failed(spec, 'not_found', failure, context);
    }
    if (effective >= 500 || effective === 408) {
      const failure = new GuanceApiError(
        `Guance server error (HTTP ${effective})${guanceMessage ? `: ${guanceMessage}` : ''}`,
        errorCode || 'server_error',
        effective,
        true,
      );
      throw this.failed(spec, 'server_error', failure, context);
    }
    const failure = new GuanceApiError(
      guanceMessage || `Guance refused the request (HTTP ${effective})`,
      errorCode || 'refused',
      effective,
      false,
    );
    throw this.failed(spec, 'refused', failure, context);
  }

  /** Counts and logs a failure once; returns the error to throw. */
  private failed<T>(
    spec: CallSpec<T>,
    outcome: GuanceOutcome,
    error: GuanceApiError,
    context: { status?: number; errorCode?: string; traceId?: string; ms: number; pausedMs?: number },
  ): GuanceApiError {
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
    this.metrics?.inc('guance_requests_total', 'Guance OpenAPI calls by endpoint and outcome', { endpoint, outcome });
  }

  /** Guance's own texts should never echo the key, but make sure. */
  private scrub(text: string): string {
    return this.apiKey.length >= 4 ? text.split(this.apiKey).join('[redacted]') : text;
  }
}

/** `fetch failed` says little; add the cause's code (ECONNREFUSED, UND_ERR_SOCKET …). */
function networkReason(error: unknown): string {
  const message = errorMessage(error);
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) {
    const code = 'code' in cause && typeof cause.code === 'string' ? cause.code : cause.message;
    return `${message} (${code})`;
  }
  return message;
}
