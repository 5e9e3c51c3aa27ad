/**
 * DingTalk custom robot (自定义机器人): `POST /robot/send?access_token=<token>[&timestamp=<ms>&sign=<sign>]`
 * (../shared/reference/sources-and-sinks.md §3, samples/dingtalk/). Every answer is HTTP 200 with
 * `{errcode, errmsg}`; success is `{"errcode":0,"errmsg":"ok"}`.
 *
 * Order of checks (the real order is not documented): token (400101), throttled (410100),
 * signature (310000), Content-Type (43004), JSON (40035), msgtype (400105), keywords (310000),
 * the per-robot rolling window (410100, then throttled for `throttleMs`), `msgUuid` idempotency.
 * Only the 310000 `errmsg` texts are documented; the others are the documented meanings in English.
 */
import type { Reply } from '../core/http-fake.js';
import type { FakeRequest, RecordedRequest } from '../core/request.js';
import { RateWindow } from '../core/rate-window.js';
import { HOUR_MS, hasKeyword, hmacBase64, isRecord, type Robot, type RobotPlatform, type RobotRecordedRequest } from './robot.js';

export const DINGTALK_PATH = '/robot/send';
export const DINGTALK_MSGTYPES = ['text', 'markdown', 'link', 'actionCard', 'feedCard'] as const;

/** `base64(HMAC-SHA256(key = secret, msg = timestamp + "\n" + secret))`, before URL-encoding (security page). */
export const dingTalkSign = (secret: string, timestampMs: number | string): string =>
  hmacBase64(secret, `${timestampMs}\n${secret}`);

export interface DingTalkLimits {
  /** Rolling window, ms (real: 60 000). */
  windowMs: number;
  /** Accepted messages per robot per window (real: 20); 0 = no limit. */
  perWindow: number;
  /** How long a robot that went over stays refused (real: 10 min); 0 = only the rolling window. */
  throttleMs: number;
}

const answer = (errcode: number, errmsg: string): Reply => ({ status: 200, body: { errcode, errmsg } });

export class DingTalkPlatform implements RobotPlatform {
  readonly kind = 'dingtalk' as const;
  private readonly window: RateWindow;

  constructor(readonly limits: DingTalkLimits) {
    this.window = new RateWindow(limits.windowMs);
  }

  tokenOf(record: RecordedRequest): string | undefined {
    return record.path === DINGTALK_PATH ? (record.query.access_token ?? '') : undefined;
  }

  handle(robot: Robot | undefined, { record, invalidJson, tooLarge }: FakeRequest<RobotRecordedRequest>): Reply {
    if (robot === undefined) return answer(400101, 'access_token not found');
    const now = record.at;
    if (now < robot.throttledUntil) return this.throttled();
    const secret = robot.config.secret;
    if (secret !== undefined) {
      const problem = signProblem(secret, record.query, now);
      if (problem !== undefined) return answer(310000, problem);
    }
    if (!/^application\/json\b/i.test(record.headers['content-type'] ?? '')) {
      return answer(43004, 'invalid HTTP header Content-Type');
    }
    const body = record.body;
    if (invalidJson || tooLarge || !isRecord(body)) return answer(40035, 'missing json');
    const msgtype = body.msgtype;
    if (!DINGTALK_MSGTYPES.some((t) => t === msgtype)) return answer(400105, 'unsupported msgtype');
    const payload = body[String(msgtype)];
    if (!isRecord(payload)) return answer(40035, `missing param ${String(msgtype)}`);
    if (!hasKeyword(robot, payload)) return answer(310000, 'keywords not in content');
    if (!this.window.tryHit(robot.id, this.limits.perWindow, now)) {
      if (this.limits.throttleMs > 0) robot.throttledUntil = now + this.limits.throttleMs;
      return this.throttled();
    }
    robot.accept(record, body, typeof body.msgUuid === 'string' && body.msgUuid !== '' ? body.msgUuid : undefined);
    return answer(0, 'ok');
  }

  busyBody(): unknown {
    return { errcode: -1, errmsg: 'system busy' };
  }

  throttled(): Reply {
    return answer(410100, 'send too fast, throttled');
  }

  deadReply(): Reply {
    return answer(400102, 'robot disabled');
  }

  reset(): void {
    this.window.clear();
  }
}

/** Why a signed request fails (the `errmsg` of 310000), or undefined when it passes. */
function signProblem(secret: string, query: Record<string, string>, now: number): string | undefined {
  const { timestamp, sign } = query;
  if (sign === undefined || sign === '') return 'sign not match';
  if (timestamp === undefined || !/^\d+$/.test(timestamp) || Math.abs(now - Number(timestamp)) > HOUR_MS) {
    return 'invalid timestamp';
  }
  // The query is already URL-decoded: a sign sent without URL-encoding has its `+` turned into spaces and fails, as on the real service.
  return sign === dingTalkSign(secret, timestamp) ? undefined : 'sign not match';
}
