/**
 * What a robot's answer means: sent, or a failure that is retryable (maybe after a wait), permanent, or "dead"
 * (the robot or its group is gone: disable the sink and tell an admin). Pure: no I/O, no logging, no clock.
 * Wire facts: ../shared/reference/sources-and-sinks.md §3 (DingTalk codes), §4 (WeCom codes), §5–6 (what to
 * retry per sink) and lark-platform.md §8.1 (Lark custom-bot codes).
 *
 * All three robots answer HTTP 200 even on failure, so the body decides. The order, for every robot:
 *   1. HTTP 429: retryable, after `Retry-After` seconds when given;
 *   2. a non-zero code in the body: the robot's table (a code it does not know is permanent); with HTTP 5xx
 *      every code but a "dead" one is retryable, since the server was in trouble;
 *   3. no code: HTTP 5xx retryable, any other non-2xx permanent, a 2xx without a readable answer permanent
 *      (something else answered: a proxy or a wrong URL; retrying would not help and might post twice).
 */
import { z } from 'zod';
import { BotError } from '../errors.js';
import type { RobotKind } from './types.js';

export type RobotVerdict =
  | { ok: true }
  | {
      ok: false;
      /** The robot's code, or `http_<status>` / `bad_response` / `network` when it gave none. */
      code: number | string;
      message: string;
      retryable: boolean;
      /** Wait at least this long before the next message to this robot. */
      waitMs?: number;
      /** The robot or its group is gone: stop sending there (never retryable). */
      dead?: boolean;
    };
export type RobotFailure = Extract<RobotVerdict, { ok: false }>;

/** A robot refused a message or could not be reached. `code` is `robot_<kind>_<robotCode>`. */
export class RobotApiError extends BotError {
  /** Same name as `LarkRateLimited.retryAfterMs` / `GuanceRateLimited.retryAfterMs`. */
  readonly retryAfterMs: number | undefined;
  readonly dead: boolean;

  constructor(
    message: string,
    readonly kind: RobotKind,
    readonly robotCode: number | string,
    readonly httpStatus: number | undefined,
    retryable: boolean,
    options?: { retryAfterMs?: number | undefined; dead?: boolean | undefined; cause?: unknown },
  ) {
    super(message, `robot_${kind}_${robotCode}`, { cause: options?.cause, retryable });
    this.retryAfterMs = options?.retryAfterMs;
    this.dead = options?.dead ?? false;
  }
}

/** The error to throw for a failed verdict. */
export function robotErrorFrom(kind: RobotKind, failure: RobotFailure, httpStatus: number | undefined): RobotApiError {
  return new RobotApiError(failure.message, kind, failure.code, httpStatus, failure.retryable, {
    retryAfterMs: failure.waitMs,
    dead: failure.dead,
  });
}

/** DingTalk: 410100 "sent too fast" throttles the robot for 10 min (§3 Limits); 130101 is its older form. */
const DINGTALK_THROTTLE_MS = 600_000;
/** WeCom 45009: the block duration is undocumented; §6 says wait at least 60 s. */
const WECOM_THROTTLE_MS = 60_000;

const DINGTALK_DEAD: ReadonlySet<number> = new Set([400013, 400101, 400102, 400106]);
const WECOM_DEAD: ReadonlySet<number> = new Set([93000, 93004, 93008]);
/** 19001 "incoming webhook access token invalid": the hook is gone or mistyped, like WeCom 93000. */
const LARK_DEAD: ReadonlySet<number> = new Set([19001]);

const MAX_MESSAGE = 300;
const ROBOT_NAMES: Readonly<Record<RobotKind, string>> = {
  dingtalk: 'DingTalk robot',
  wecom: 'WeCom robot',
  'lark-webhook': 'Lark custom bot',
};

const codeSchema = z.union([z.number(), z.string().regex(/^-?\d{1,12}$/).transform(Number)]);
/** DingTalk and WeCom: `errcode`/`errmsg` (DingTalk's doc writes `"0"` as a string). */
const errcodeSchema = z.looseObject({ errcode: codeSchema, errmsg: z.string().optional() });
/** Lark custom bot: `code`/`msg`, or the older `StatusCode`/`StatusMessage` (9499 comes only in the older form). */
const larkSchema = z.looseObject({
  code: codeSchema.optional(),
  msg: z.string().optional(),
  StatusCode: codeSchema.optional(),
  StatusMessage: z.string().optional(),
});

interface BodyCode {
  code: number;
  text: string;
}

function errcodeOf(body: unknown): BodyCode | undefined {
  const parsed = errcodeSchema.safeParse(body);
  return parsed.success ? { code: parsed.data.errcode, text: parsed.data.errmsg ?? '' } : undefined;
}

function larkCodeOf(body: unknown): BodyCode | undefined {
  const parsed = larkSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { code, msg, StatusCode, StatusMessage } = parsed.data;
  // The current success carries both (`code: 0, StatusCode: 0`); a failure sets one of them.
  if (code !== undefined && code !== 0) return { code, text: msg ?? '' };
  if (StatusCode !== undefined && StatusCode !== 0) return { code: StatusCode, text: StatusMessage ?? msg ?? '' };
  if (code === undefined && StatusCode === undefined) return undefined;
  return { code: 0, text: msg ?? StatusMessage ?? '' };
}

/** `Retry-After` in seconds; the HTTP-date form would need a clock, so it is ignored (the caller backs off). */
function retryAfterMs(value: string | null | undefined): number | undefined {
  const seconds = value === null || value === undefined || value.trim() === '' ? Number.NaN : Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : undefined;
}

const isSuccess = (status: number): boolean => status >= 200 && status < 300;

function describe(kind: RobotKind, status: number, code: number | undefined, text: string): string {
  const parts = [code === undefined ? undefined : `code ${code}`, `HTTP ${status}`].filter((p) => p !== undefined);
  const what = text.trim() === '' ? 'refused the message' : text.trim();
  return `${ROBOT_NAMES[kind]}: ${what} (${parts.join(', ')})`.slice(0, MAX_MESSAGE);
}

type CodeTable = (code: number, text: string) => Omit<RobotFailure, 'ok' | 'code' | 'message'>;

const dingTalkTable: CodeTable = (code, text) => {
  if (code === -1) return { retryable: true };
  if (code === 410100 || code === 130101) return { retryable: true, waitMs: DINGTALK_THROTTLE_MS };
  // 310000 is a security check; only a stale timestamp is fixed by signing again (a retry re-signs).
  if (code === 310000) return { retryable: /invalid timestamp/i.test(text) };
  if (DINGTALK_DEAD.has(code)) return { retryable: false, dead: true };
  // 40035 / 43004 / 400105 (our bug), 430101–430104 (content refused), unknown codes: do not retry.
  return { retryable: false };
};

const weComTable: CodeTable = (code) => {
  if (code === -1) return { retryable: true };
  if (code === 45009) return { retryable: true, waitMs: WECOM_THROTTLE_MS };
  if (WECOM_DEAD.has(code)) return { retryable: false, dead: true };
  return { retryable: false };
};

const larkTable: CodeTable = (code) => {
  // 11232: system-wide throttling (e.g. on :00 and :30), lark-platform.md §7.
  if (code === 11232) return { retryable: true };
  // 19021: signature or stale timestamp; a retry signs again with a fresh timestamp.
  if (code === 19021) return { retryable: true };
  if (LARK_DEAD.has(code)) return { retryable: false, dead: true };
  // 9499 (bad request, also > 20 KB), 19022 (IP not allowed), 19024 (keyword missing), unknown codes.
  return { retryable: false };
};

function classify(
  kind: RobotKind,
  status: number,
  found: BodyCode | undefined,
  table: CodeTable,
  retryAfter: string | null | undefined,
): RobotVerdict {
  if (status === 429) {
    const waitMs = retryAfterMs(retryAfter);
    const message = describe(kind, status, found?.code, found?.text || 'too many requests');
    const code = found?.code || 'http_429';
    return { ok: false, code, message, retryable: true, ...(waitMs === undefined ? {} : { waitMs }) };
  }
  if (found !== undefined && found.code !== 0) {
    const verdict = table(found.code, found.text);
    const retryable = verdict.retryable || (status >= 500 && verdict.dead !== true);
    return { ok: false, code: found.code, message: describe(kind, status, found.code, found.text), ...verdict, retryable };
  }
  if (found !== undefined && isSuccess(status)) return { ok: true };
  if (status >= 500) {
    return { ok: false, code: `http_${status}`, message: describe(kind, status, undefined, 'server error'), retryable: true };
  }
  if (!isSuccess(status)) {
    return { ok: false, code: `http_${status}`, message: describe(kind, status, undefined, ''), retryable: false };
  }
  const message = describe(kind, status, undefined, 'answer without a result code');
  return { ok: false, code: 'bad_response', message, retryable: false };
}

/** DingTalk custom robot answer (`body` already parsed from JSON, or undefined). */
export function classifyDingTalk(httpStatus: number, body: unknown, retryAfter?: string | null): RobotVerdict {
  return classify('dingtalk', httpStatus, errcodeOf(body), dingTalkTable, retryAfter);
}

/** WeCom group robot answer. */
export function classifyWeCom(httpStatus: number, body: unknown, retryAfter?: string | null): RobotVerdict {
  return classify('wecom', httpStatus, errcodeOf(body), weComTable, retryAfter);
}

/** Lark custom bot answer. */
export function classifyLarkWebhook(httpStatus: number, body: unknown, retryAfter?: string | null): RobotVerdict {
  return classify('lark-webhook', httpStatus, larkCodeOf(body), larkTable, retryAfter);
}

/** The classifier of a robot kind. */
export function classifyRobotAnswer(
  kind: RobotKind,
  httpStatus: number,
  body: unknown,
  retryAfter?: string | null,
): RobotVerdict {
  switch (kind) {
    case 'dingtalk':
      return classifyDingTalk(httpStatus, body, retryAfter);
    case 'wecom':
      return classifyWeCom(httpStatus, body, retryAfter);
    default:
      return classifyLarkWebhook(httpStatus, body, retryAfter);
  }
}

/** No answer: a timeout or a network failure. Always retryable (DingTalk retries dedupe on `msgUuid`). */
export function robotTransportError(kind: RobotKind, error: unknown, timeoutMs: number): RobotApiError {
  const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  const cause = error instanceof Error ? error.cause : undefined;
  const code = cause instanceof Error && 'code' in cause && typeof cause.code === 'string' ? ` (${cause.code})` : '';
  const what = error instanceof Error ? error.message : String(error);
  const reason = timedOut ? `no answer within ${timeoutMs} ms` : `unreachable: ${what}${code}`;
  const message = `${ROBOT_NAMES[kind]}: ${reason}`.slice(0, MAX_MESSAGE);
  return new RobotApiError(message, kind, 'network', undefined, true, { cause: error });
}
