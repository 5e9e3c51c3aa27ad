/**
 * Maps whatever a Guance OpenAPI call came back with (an HTTP answer and its envelope, or a transport
 * failure) to our error classes. Wire facts: ../shared/reference/guance-openapi.md §1.3 (envelope),
 * §1.4 (error codes: the rate limit is HTTP 401 `ft.*CurrentLimiting`, not 429) and §1.6 (limits).
 * Pure: no I/O, no logging; the HTTP layer pauses the budget, counts and logs.
 *
 * | answer                                     | outcome        | error                                       |
 * |--------------------------------------------|----------------|---------------------------------------------|
 * | 2xx whose body has no envelope / bad shape | `bad_response` | `GuanceApiError`, not retryable             |
 * | 401 `ft.*CurrentLimiting`, or 429          | `rate_limited` | `GuanceRateLimited` (retry after the pause) |
 * | 401 / 403 otherwise                        | `auth`         | `GuanceApiError`, not retryable             |
 * | 404                                        | `not_found`    | `GuanceApiError`, not retryable             |
 * | 5xx, 408                                   | `server_error` | `GuanceApiError`, retryable                 |
 * | other 4xx (Guance's message kept)          | `refused`      | `GuanceApiError`, not retryable             |
 * | no answer in time / no connection          | `timeout`, `network` | `GuanceApiError`, retryable           |
 *
 * A 2xx envelope with `success: false` counts as an error whose status is the envelope's `code` (when ≥ 400):
 * the docs say `code` mirrors the HTTP status (§1.3), and the Terraform client treats `success == false` as an error.
 */
import { GuanceApiError, GuanceRateLimited, errorMessage, type GuanceErrorOutcome } from '../errors.js';
import type { GuanceEnvelope } from './schemas.js';

/** `ft.TriggerApiAkCurrentLimiting` (per key) and `ft.TriggerApiWorkspaceCurrentLimiting` (per workspace), §1.4. */
const RATE_LIMIT_CODE = /CurrentLimiting$/;

/** The envelope fields that decide the error (the rest is content). */
export type GuanceEnvelopeFacts = Pick<GuanceEnvelope, 'code' | 'errorCode' | 'message' | 'success'>;

/** One failed call, as the HTTP layer saw it. */
export type GuanceFailure =
  | {
      kind: 'transport';
      /** Endpoint template for messages, e.g. `issue/:uuid/get`. */
      endpoint: string;
      /** What `fetch` threw. */
      error: unknown;
      /** The timeout that was set, for the message. */
      timeoutMs: number;
    }
  | {
      kind: 'answer';
      endpoint: string;
      status: number;
      /** undefined when the body was not a JSON envelope. */
      envelope: GuanceEnvelopeFacts | undefined;
      /** Set when a 2xx envelope's `content` did not match the endpoint's schema: paths and reasons, no values. */
      contentProblem?: string | undefined;
    };

export interface GuanceErrorOptions {
  /** How long the budget was paused, for `rate_limited` (the HTTP layer pauses before building the error). */
  pausedMs?: number | undefined;
  /** Applied to every text that came from outside (Guance's message, the transport reason); keeps the key out. */
  redact?: ((text: string) => string) | undefined;
}

const isSuccessStatus = (status: number): boolean => status >= 200 && status < 300;

/** A redactor that replaces `secret` wherever it appears (secrets shorter than 4 characters are not worth it). */
export function redactorFor(secret: string): (text: string) => string {
  return (text) => (secret.length >= 4 ? text.split(secret).join('[redacted]') : text);
}

/** The status the answer stands for: the envelope's `code` for a 2xx `success: false` answer, else the HTTP status. */
export function effectiveStatus(failure: Extract<GuanceFailure, { kind: 'answer' }>): number {
  const { status, envelope } = failure;
  const code = envelope?.success === false ? envelope.code : undefined;
  return isSuccessStatus(status) && code !== undefined && code >= 400 ? code : status;
}

/** True when `fetch` gave up because of our timeout (`AbortSignal.timeout`) rather than the network. */
function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
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

/** What kind of failure this is: the single place where statuses and codes become behaviour. */
export function guanceOutcomeOf(failure: GuanceFailure): GuanceErrorOutcome {
  if (failure.kind === 'transport') return isTimeout(failure.error) ? 'timeout' : 'network';
  const { status, envelope } = failure;
  // A 2xx that is not an error envelope: either the body did not parse, or its content did not.
  const notAnEnvelope = envelope === undefined;
  const badContent = envelope?.success !== false && failure.contentProblem !== undefined;
  if (isSuccessStatus(status) && (notAnEnvelope || badContent)) return 'bad_response';
  const effective = effectiveStatus(failure);
  if (RATE_LIMIT_CODE.test(envelope?.errorCode ?? '') || effective === 429) return 'rate_limited';
  if (effective === 401 || effective === 403) return 'auth';
  if (effective === 404) return 'not_found';
  if (effective >= 500 || effective === 408) return 'server_error';
  return 'refused';
}

/** The typed error for one failure. Rate limits become `GuanceRateLimited` retrying after `pausedMs`. */
export function guanceErrorFrom(failure: GuanceFailure, options: GuanceErrorOptions = {}): GuanceApiError {
  const redact = options.redact ?? ((text: string) => text);
  const outcome = guanceOutcomeOf(failure);

  if (failure.kind === 'transport') {
    const message =
      outcome === 'timeout'
        ? `Guance did not answer within ${failure.timeoutMs} ms`
        : `Guance unreachable: ${redact(networkReason(failure.error))}`;
    return new GuanceApiError(message, outcome, undefined, true, { cause: failure.error, outcome });
  }

  const { endpoint, status, envelope } = failure;
  const errorCode = envelope?.errorCode ?? '';
  const guanceMessage = redact(envelope?.message ?? '');
  const effective = effectiveStatus(failure);
  const fail = (message: string, retryable: boolean): GuanceApiError =>
    new GuanceApiError(message, errorCode || outcome, effective, retryable, { outcome });

  switch (outcome) {
    case 'bad_response':
      return new GuanceApiError(
        failure.contentProblem !== undefined
          ? `Guance answered ${endpoint} in an unexpected shape: ${failure.contentProblem}`
          : `Guance answered ${endpoint} with HTTP ${status} but no JSON envelope`,
        'bad_response',
        status,
        false,
        { outcome },
      );
    case 'rate_limited': {
      const pausedMs = options.pausedMs ?? 0;
      return new GuanceRateLimited(
        `Guance rate limit hit${errorCode ? ` (${errorCode})` : ''}; paused ${Math.ceil(pausedMs / 1000)} s`,
        errorCode || 'rate_limited',
        pausedMs,
        'rate_limited',
      );
    }
    case 'auth':
      return fail(guanceMessage || `Guance refused the API key or the permission (HTTP ${effective})`, false);
    case 'not_found':
      return fail(guanceMessage || `Not found (${endpoint})`, false);
    case 'server_error':
      return fail(`Guance server error (HTTP ${effective})${guanceMessage ? `: ${guanceMessage}` : ''}`, true);
    default:
      return fail(guanceMessage || `Guance refused the request (HTTP ${effective})`, false);
  }
}

/** True when the error is Guance's "no such object" (HTTP 404), e.g. an issue deleted since we saw it. */
export function isGuanceNotFound(error: unknown): boolean {
  return error instanceof GuanceApiError && error.outcome === 'not_found';
}
