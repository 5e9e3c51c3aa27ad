/**
 * Lark / Feishu custom (group webhook) bot: `POST /open-apis/bot/v2/hook/<token>`
 * (../shared/reference/lark-platform.md §7–8, sources-and-sinks.md §5, samples/lark/custom-bot-*.json).
 * Answers are HTTP 200 even on failure (as the reference says; read the body). Bodies are the
 * recorded ones: success `{StatusCode:0,StatusMessage:"success",code:0,data:{},msg:"success"}` (or
 * the legacy `{Extra:null,StatusCode:0,StatusMessage:"success"}`), 19001, 19021, 19024, 9499, 11232.
 *
 * Checks: token (19001), body size over 20 KB or not a JSON object (9499), signature in the body
 * (19021), msg_type and its content — `interactive` needs a `card` object — (9499), keywords (19024),
 * the per-bot rolling windows, 5 per second and 100 per minute (11232).
 */
import type { Reply } from '../core/http-fake.js';
import type { FakeRequest, RecordedRequest } from '../core/request.js';
import { RateWindow } from '../core/rate-window.js';
import { HOUR_MS, hasKeyword, hmacBase64, isRecord, utf8Bytes, type Robot, type RobotPlatform, type RobotRecordedRequest } from './robot.js';

export const LARK_BOT_PATH = /^\/open-apis\/bot\/v2\/hook\/([^/]+)$/;
export const LARK_BOT_MAX_BODY_BYTES = 20 * 1024;

/** `base64(HMAC-SHA256(key = timestamp + "\n" + secret, message = ""))`; `timestampSeconds` as sent in the body. */
export const larkBotSign = (secret: string, timestampSeconds: number | string): string =>
  hmacBase64(`${timestampSeconds}\n${secret}`, '');

export interface LarkBotLimits {
  perSecondWindowMs: number;
  /** Accepted messages per bot per short window (real: 5 per 1 s); 0 = no limit. */
  perSecond: number;
  perMinuteWindowMs: number;
  /** Accepted messages per bot per long window (real: 100 per 60 s); 0 = no limit. */
  perMinute: number;
}

const answer = (body: Record<string, unknown>): Reply => ({ status: 200, body });
const badRequest = (): Reply => answer({ StatusCode: 9499, StatusMessage: 'Bad Request' });
const SUCCESS = { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' };
const LEGACY_SUCCESS = { Extra: null, StatusCode: 0, StatusMessage: 'success' };

/** What each msg_type must carry (under `content`, except `card`). */
const CONTENT_FIELD: Readonly<Record<string, string>> = { text: 'text', post: 'post', image: 'image_key', share_chat: 'share_chat_id' };

export class LarkBotPlatform implements RobotPlatform {
  readonly kind = 'lark' as const;
  private readonly perSecond: RateWindow;
  private readonly perMinute: RateWindow;

  constructor(readonly limits: LarkBotLimits) {
    this.perSecond = new RateWindow(limits.perSecondWindowMs);
    this.perMinute = new RateWindow(limits.perMinuteWindowMs);
  }

  tokenOf(record: RecordedRequest): string | undefined {
    const m = LARK_BOT_PATH.exec(record.path);
    if (m === null) return undefined;
    try {
      return decodeURIComponent(m[1] ?? '');
    } catch {
      return m[1] ?? '';
    }
  }

  handle(robot: Robot | undefined, { record, invalidJson, tooLarge }: FakeRequest<RobotRecordedRequest>): Reply {
    if (robot === undefined) return answer({ code: 19001, msg: 'param invalid: incoming webhook access token invalid' });
    const body = record.body;
    if (tooLarge || invalidJson || !isRecord(body) || bodyBytes(record) > LARK_BOT_MAX_BODY_BYTES) return badRequest();
    const now = record.at;
    const secret = robot.config.secret;
    if (secret !== undefined && !signOk(secret, body, now)) {
      return answer({ code: 19021, data: {}, msg: 'sign match fail or timestamp is not within one hour from current time' });
    }
    if (!contentOk(body)) return badRequest();
    if (!hasKeyword(robot, body.msg_type === 'interactive' ? body.card : body.content)) {
      return answer({ code: 19024, msg: 'Key Words Not Found' });
    }
    const { perSecond, perMinute } = this.limits;
    const full = (w: RateWindow, limit: number): boolean => limit > 0 && w.count(robot.id, now) >= limit;
    if (full(this.perSecond, perSecond) || full(this.perMinute, perMinute)) return this.throttled();
    this.perSecond.hit(robot.id, now);
    this.perMinute.hit(robot.id, now);
    robot.accept(record, body);
    return answer(robot.config.legacySuccess === true ? LEGACY_SUCCESS : SUCCESS);
  }

  busyBody(status: number): unknown {
    return { code: status, msg: status >= 500 ? 'internal error' : 'error', data: {} };
  }

  throttled(): Reply {
    return answer({ code: 11232, msg: 'rate limit' });
  }

  deadReply(): Reply {
    return answer({ code: 19001, msg: 'param invalid: incoming webhook access token invalid' });
  }

  reset(): void {
    this.perSecond.clear();
    this.perMinute.clear();
  }
}

/** The body's size: `content-length` when sent, else its JSON re-encoded (the core keeps no raw size). */
function bodyBytes(record: RecordedRequest): number {
  const length = Number(record.headers['content-length']);
  return Number.isFinite(length) && length > 0 ? length : utf8Bytes(JSON.stringify(record.body) ?? '');
}

function signOk(secret: string, body: Record<string, unknown>, now: number): boolean {
  const { timestamp, sign } = body;
  const ts = typeof timestamp === 'string' && /^\d+$/.test(timestamp) ? timestamp : typeof timestamp === 'number' ? String(timestamp) : undefined;
  if (ts === undefined || typeof sign !== 'string') return false;
  if (Math.abs(now - Number(ts) * 1000) > HOUR_MS) return false;
  return sign === larkBotSign(secret, ts);
}

function contentOk(body: Record<string, unknown>): boolean {
  const type = body.msg_type;
  if (type === 'interactive') return isRecord(body.card);
  const field = typeof type === 'string' ? CONTENT_FIELD[type] : undefined;
  if (field === undefined || !isRecord(body.content)) return false;
  const value = body.content[field];
  return field === 'post' ? isRecord(value) : typeof value === 'string' && value !== '';
}
