/**
 * Maps whatever a Lark Open Platform call threw (or answered with `code != 0`) to our error classes.
 * See ../shared/reference/lark-platform.md §6 (codes), §7 (rate limits) and §9 (AxiosError shape).
 * Pure: no I/O, no logging; the client decides what to do with the result (e.g. clear the token cache).
 */
import { parseJson } from '../json.js';
import { z } from 'zod';
import { LarkApiError, LarkRateLimited } from '../errors.js';

/** `larkCode` of failures that carry no Lark code at all (timeouts, refused connections, unreadable answers). */
export const NO_LARK_CODE = -1;

/** HTTP 429's body code, also sent with HTTP 400 by some older APIs. */
const CODE_RATE_LIMITED = 99991400;
/** Tenant token invalid or expired / missing: fetch a new token and try again. */
export const TOKEN_INVALID_CODES: ReadonlySet<number> = new Set([99991663, 99991661]);
/** Per-chat / per-user message frequency (230020), message system limit (11232), older per-chat limit (11233). */
const MESSAGE_RATE_CODES: ReadonlySet<number> = new Set([230020, 11232, 11233]);
const DEFAULT_RETRY_AFTER_MS = 1000;

/** Transport failures worth retrying: the request may not have reached Lark, or its answer got lost. */
const RETRYABLE_TRANSPORT_CODES: ReadonlySet<string> = new Set([
  'ECONNABORTED', // axios timeout
  'ETIMEDOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ERR_NETWORK',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
]);

const envelopeSchema = z.looseObject({ code: z.number(), msg: z.string().optional() });

const headersSchema = z.looseObject({ 'x-ogw-ratelimit-reset': z.union([z.string(), z.number()]).optional() });

/** The parts of an AxiosError (or a fetch/system error) that matter here. Duck-typed: no axios import. */
const transportErrorSchema = z.looseObject({
  message: z.string().optional(),
  code: z.unknown().optional(),
  name: z.string().optional(),
  cause: z.unknown().optional(),
  response: z
    .looseObject({
      status: z.number(),
      data: z.unknown().optional(),
      headers: z.unknown().optional(),
    })
    .optional(),
});

const causeCodeSchema = z.looseObject({ code: z.unknown().optional() });
const stringCode = (code: unknown): string | undefined => (typeof code === 'string' && code !== '' ? code : undefined);

export interface LarkFailure {
  /** API name for the message, e.g. `im.message.create`. */
  api: string;
  httpStatus?: number | undefined;
  /** Lark's `code`, when the answer had one. */
  larkCode?: number | undefined;
  larkMsg?: string | undefined;
  /** `x-ogw-ratelimit-reset` header (seconds). */
  resetSeconds?: number | undefined;
  /** Transport error code (ECONNRESET, ECONNABORTED, …) when no answer arrived. */
  transportCode?: string | undefined;
  transportMessage?: string | undefined;
  cause?: unknown;
}

/** Tenant tokens (`t-…`), user tokens (`u-…`) and bearer values never go into messages. */
export function scrubTokens(text: string): string {
  return text.replace(/\bBearer\s+\S+/gi, 'Bearer [redacted]').replace(/\b[tu]-[0-9A-Za-z_-]{10,}/g, '[redacted-token]');
}

function describe(f: LarkFailure): string {
  const parts: string[] = [];
  if (f.larkCode !== undefined) parts.push(`code ${f.larkCode}`);
  if (f.httpStatus !== undefined) parts.push(`HTTP ${f.httpStatus}`);
  if (f.transportCode !== undefined) parts.push(f.transportCode);
  const what = f.larkMsg ?? f.transportMessage ?? 'request failed';
  return scrubTokens(`${f.api}: ${what}${parts.length ? ` (${parts.join(', ')})` : ''}`).slice(0, 500);
}

function isRetryableTransport(code: string | undefined, message: string | undefined): boolean {
  if (code !== undefined && RETRYABLE_TRANSPORT_CODES.has(code)) return true;
  return message !== undefined && /timeout|timed out|socket hang up|network error|other side closed/i.test(message);
}

/** Classifies one failure: the single place where codes become behaviour. */
function classifyLarkFailure(f: LarkFailure): LarkApiError {
  const message = describe(f);
  const code = f.larkCode;
  if (f.httpStatus === 429 || code === CODE_RATE_LIMITED) {
    const retryAfterMs =
      f.resetSeconds !== undefined && f.resetSeconds >= 0 ? Math.round(f.resetSeconds * 1000) : DEFAULT_RETRY_AFTER_MS;
    return new LarkRateLimited(message, code ?? CODE_RATE_LIMITED, f.httpStatus, retryAfterMs);
  }
  if (code !== undefined && MESSAGE_RATE_CODES.has(code)) {
    return new LarkRateLimited(message, code, f.httpStatus, DEFAULT_RETRY_AFTER_MS);
  }
  const options = f.cause !== undefined ? { cause: f.cause } : undefined;
  if (code !== undefined && TOKEN_INVALID_CODES.has(code)) {
    return new LarkApiError(message, code, f.httpStatus, true, options);
  }
  if (f.httpStatus !== undefined && f.httpStatus >= 500) {
    return new LarkApiError(message, code ?? f.httpStatus, f.httpStatus, true, options);
  }
  if (f.httpStatus === undefined && isRetryableTransport(f.transportCode, f.transportMessage)) {
    return new LarkApiError(message, NO_LARK_CODE, undefined, true, options);
  }
  return new LarkApiError(message, code ?? f.httpStatus ?? NO_LARK_CODE, f.httpStatus, false, options);
}

function parseBody(data: unknown): { code?: number; msg?: string } {
  let body = data;
  if (typeof data === 'string') {
    body = parseJson(data);
    if (body === undefined) return data.trim() ? { msg: data.trim().slice(0, 200) } : {};
  }
  const envelope = envelopeSchema.safeParse(body);
  return envelope.success ? { code: envelope.data.code, ...(envelope.data.msg !== undefined ? { msg: envelope.data.msg } : {}) } : {};
}

function parseReset(headers: unknown): number | undefined {
  const parsed = headersSchema.safeParse(headers);
  const raw = parsed.success ? parsed.data['x-ogw-ratelimit-reset'] : undefined;
  if (raw === undefined || raw === '') return undefined;
  const seconds = Number(raw);
  return Number.isFinite(seconds) ? seconds : undefined;
}

/** An answer that arrived with HTTP 2xx but `code != 0`. */
export function larkErrorFromBody(body: unknown, api: string, httpStatus = 200): LarkApiError {
  const { code, msg } = parseBody(body);
  return classifyLarkFailure({ api, httpStatus, larkCode: code ?? NO_LARK_CODE, larkMsg: msg ?? 'unexpected answer' });
}

/**
 * Any thrown value → LarkApiError (LarkRateLimited for rate limits). Understands the SDK's AxiosError
 * (`response.status`, `response.data.code/msg`, `response.headers['x-ogw-ratelimit-reset']`), transport
 * errors without a response (`code` ECONNRESET/ECONNABORTED/…), and passes LarkApiError through.
 * The AxiosError is deliberately NOT kept as `cause`: its `config` holds the `Authorization: Bearer t-…`
 * header (and, for the token call, the app secret), which util.inspect would print.
 */
export function larkErrorFrom(error: unknown, api = 'lark'): LarkApiError {
  if (error instanceof LarkApiError) return error;
  const parsed = transportErrorSchema.safeParse(error);
  if (!parsed.success) {
    return classifyLarkFailure({ api, transportMessage: String(error), cause: error });
  }
  const e = parsed.data;
  if (e.response) {
    const { code, msg } = parseBody(e.response.data);
    return classifyLarkFailure({
      api,
      httpStatus: e.response.status,
      larkCode: code,
      larkMsg: msg,
      resetSeconds: parseReset(e.response.headers),
      transportMessage: e.message,
    });
  }
  return classifyLarkFailure({
    api,
    transportCode: stringCode(e.code) ?? stringCode(causeCodeSchema.safeParse(e.cause).data?.code),
    transportMessage: e.message ?? e.name,
  });
}
