/** Coded errors: every failure the bot handles on purpose has a class, so callers branch on type, not on text. */
export class BotError extends Error {
  /** Whether the same call may succeed if tried again later (jobs retry these; the others fail for good). */
  readonly retryable: boolean;

  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown; retryable?: boolean },
  ) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.retryable = options?.retryable ?? false;
  }
}

/** A setting is missing or malformed; start-up prints `message` as one line and exits 1. */
export class ConfigError extends BotError {
  constructor(
    readonly setting: string,
    problem: string,
  ) {
    super(`Invalid setting ${setting}: ${problem}`, 'config');
  }
}

/** A request failed verification (signature, token); answered 401. */
export class VerificationError extends BotError {
  constructor(message: string) {
    super(message, 'verification');
  }
}

/** A request is malformed; answered 400 (or `status`). */
export class BadRequestError extends BotError {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message, 'bad_request');
  }
}

/** Redis or the queue cannot take the work right now; answered 503 so the sender retries. */
export class UnavailableError extends BotError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'unavailable', { ...options, retryable: true });
  }
}

/** Someone else holds the thing right now (a lock, a card being opened); the same work succeeds a moment later. */
export class BusyError extends BotError {
  constructor(
    message: string,
    /** When known, how long until it is free (a rate window's next slot). */
    readonly retryAfterMs?: number,
  ) {
    super(message, 'busy', { retryable: true });
  }
}

/** Lark answered with a non-zero code or a transport failure. */
export class LarkApiError extends BotError {
  constructor(
    message: string,
    readonly larkCode: number,
    readonly httpStatus: number | undefined,
    retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, `lark_${larkCode}`, { ...options, retryable });
  }
}

/** Lark said "too many requests": wait `retryAfterMs` before the next call. */
export class LarkRateLimited extends LarkApiError {
  constructor(
    message: string,
    larkCode: number,
    httpStatus: number | undefined,
    readonly retryAfterMs: number,
  ) {
    super(message, larkCode, httpStatus, true);
  }
}

/**
 * What kind of Guance failure an error is: the `outcome` label of `guance_requests_total`, and what callers
 * branch on (`isGuanceNotFound`) instead of reading status codes or texts.
 */
export type GuanceErrorOutcome =
  | 'budget'
  | 'rate_limited'
  | 'auth'
  | 'not_found'
  | 'refused'
  | 'server_error'
  | 'timeout'
  | 'network'
  | 'bad_response';

/**
 * Guance answered with an error envelope or a transport failure. `outcome` defaults to the generic
 * `server_error` / `refused` by `retryable`; src/guance/errors-map.ts always sets it.
 */
export class GuanceApiError extends BotError {
  readonly outcome: GuanceErrorOutcome;

  constructor(
    message: string,
    readonly errorCode: string,
    readonly httpStatus: number | undefined,
    retryable: boolean,
    options?: { cause?: unknown; outcome?: GuanceErrorOutcome },
  ) {
    super(message, errorCode || 'guance_error', { cause: options?.cause, retryable });
    this.outcome = options?.outcome ?? (retryable ? 'server_error' : 'refused');
  }
}

/**
 * Guance's limiter answered (HTTP 401 ft.*CurrentLimiting), or our own budget is spent: retry after `retryAfterMs`.
 * `outcome` says which (`budget`: nothing was sent); by default it follows the `'budget'` error code.
 */
export class GuanceRateLimited extends GuanceApiError {
  constructor(
    message: string,
    errorCode: string,
    readonly retryAfterMs: number,
    outcome: 'budget' | 'rate_limited' = errorCode === 'budget' ? 'budget' : 'rate_limited',
  ) {
    super(message, errorCode, 401, true, { outcome });
  }
}

/** A failure the same call cannot fix later (refused, not found, bad input): a job stops retrying. */
export function isPermanent(error: unknown): boolean {
  return error instanceof BotError && !error.retryable;
}

/** How long the server asked us to wait before the next call, when it said so. */
export function retryAfterMsOf(error: unknown): number | undefined {
  if (error instanceof LarkRateLimited || error instanceof GuanceRateLimited) return error.retryAfterMs;
  // Other coded errors (robot sinks) carry the wait their server asked for under the same name.
  const asked = error instanceof BotError ? (error as BotError & { retryAfterMs?: unknown }).retryAfterMs : undefined;
  return typeof asked === 'number' && asked > 0 ? asked : undefined;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
