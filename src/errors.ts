/** Coded errors: every failure the bot handles on purpose has a class, so callers branch on type, not on text. */
export class BotError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
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
    super(message, 'unavailable', options);
  }
}

/** Lark answered with a non-zero code or a transport failure. */
export class LarkApiError extends BotError {
  constructor(
    message: string,
    readonly larkCode: number,
    readonly httpStatus: number | undefined,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, `lark_${larkCode}`, options);
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

/** Guance answered with an error envelope or a transport failure. */
export class GuanceApiError extends BotError {
  constructor(
    message: string,
    readonly errorCode: string,
    readonly httpStatus: number | undefined,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, errorCode || 'guance_error', options);
  }
}

/** Guance's limiter answered (HTTP 401 ft.*CurrentLimiting), or our own budget is spent: retry after `retryAfterMs`. */
export class GuanceRateLimited extends GuanceApiError {
  constructor(
    message: string,
    errorCode: string,
    readonly retryAfterMs: number,
  ) {
    super(message, errorCode, 401, true);
  }
}

/** A failure that the same call cannot fix later (refused, not found, bad input): a job stops retrying. */
export function isPermanent(error: unknown): boolean {
  return (error instanceof LarkApiError || error instanceof GuanceApiError) && !error.retryable;
}

/** How long the server asked us to wait before the next call, when it said so. */
export function retryAfterMsOf(error: unknown): number | undefined {
  return error instanceof LarkRateLimited || error instanceof GuanceRateLimited ? error.retryAfterMs : undefined;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
