/**
 * WeCom group robot (消息推送 / 群机器人): `POST /cgi-bin/webhook/send?key=<key>`, no signing
 * (../shared/reference/sources-and-sinks.md §4, samples/wecom/). Every answer is HTTP 200 with
 * `{errcode, errmsg}`; errors carry the real `errmsg` tail `, hint: [...], from ip: ..., more info at ...`.
 *
 * Checks: key (93000), JSON (40035), msgtype (40008), empty content (44004), content size in UTF-8
 * bytes — text 2048, markdown / markdown_v2 4096 — (40058, code and text unconfirmed), the per-robot
 * rolling window (45009). No idempotency key: every accepted message is recorded.
 */
import { randomBytes } from 'node:crypto';
import type { Reply } from '../core/http-fake.js';
import type { FakeRequest, RecordedRequest } from '../core/request.js';
import { RateWindow } from '../core/rate-window.js';
import { isRecord, utf8Bytes, type Robot, type RobotPlatform, type RobotRecordedRequest } from './robot.js';

export const WECOM_PATH = '/cgi-bin/webhook/send';
export const WECOM_MSGTYPES = ['text', 'markdown', 'markdown_v2', 'image', 'news', 'file', 'voice', 'template_card'] as const;
/** Content limits in UTF-8 bytes (page 91770). */
export const WECOM_MAX_BYTES: Readonly<Record<string, number>> = { text: 2048, markdown: 4096, markdown_v2: 4096 };
/** Answer to content over its byte limit. The code is a plausible guess (40058 "invalid parameter"), not confirmed. */
export const WECOM_TOO_LONG_CODE = 40058;

export interface WeComLimits {
  /** Rolling window, ms (real: 60 000). */
  windowMs: number;
  /** Accepted messages per robot per window (real: 20); 0 = no limit. */
  perWindow: number;
}

/** `{errcode, errmsg}` with the real errmsg tail (success is a bare `ok`). */
export function weComAnswer(errcode: number, text: string): Reply {
  if (errcode === 0) return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
  const hint = `${Math.floor(Date.now() / 1000)}_${randomBytes(8).toString('hex')}`;
  const errmsg = `${text}, hint: [${hint}], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`;
  return { status: 200, body: { errcode, errmsg } };
}

export class WeComPlatform implements RobotPlatform {
  readonly kind = 'wecom' as const;
  private readonly window: RateWindow;

  constructor(readonly limits: WeComLimits) {
    this.window = new RateWindow(limits.windowMs);
  }

  tokenOf(record: RecordedRequest): string | undefined {
    return record.path === WECOM_PATH ? (record.query.key ?? '') : undefined;
  }

  handle(robot: Robot | undefined, { record, invalidJson, tooLarge }: FakeRequest<RobotRecordedRequest>): Reply {
    if (robot === undefined) return weComAnswer(93000, 'invalid webhook url');
    const body = record.body;
    if (invalidJson || tooLarge || !isRecord(body)) return weComAnswer(40035, 'invalid parameter');
    const msgtype = body.msgtype;
    if (!WECOM_MSGTYPES.some((t) => t === msgtype)) return weComAnswer(40008, 'invalid message type');
    const type = String(msgtype);
    const payload = body[type];
    if (!isRecord(payload)) return weComAnswer(40035, `invalid parameter: missing ${type}`);
    const problem = contentProblem(type, payload);
    if (problem !== undefined) return problem;
    if (!this.window.tryHit(robot.id, this.limits.perWindow, record.at)) return this.throttled();
    robot.accept(record, body);
    return weComAnswer(0, 'ok');
  }

  busyBody(): unknown {
    return { errcode: -1, errmsg: 'system busy' };
  }

  throttled(): Reply {
    return weComAnswer(45009, 'api freq out of limit');
  }

  deadReply(): Reply {
    return weComAnswer(93000, 'invalid webhook url');
  }

  reset(): void {
    this.window.clear();
  }
}

function contentProblem(type: string, payload: Record<string, unknown>): Reply | undefined {
  const max = WECOM_MAX_BYTES[type];
  if (max !== undefined) {
    const content = payload.content;
    if (typeof content !== 'string' || content === '') return weComAnswer(44004, 'empty content');
    if (utf8Bytes(content) > max) {
      return weComAnswer(WECOM_TOO_LONG_CODE, `${type}.content exceed max length ${max}. invalid Request Parameter`);
    }
  }
  if (type === 'news') {
    const articles = payload.articles;
    if (!Array.isArray(articles) || articles.length < 1 || articles.length > 8) {
      return weComAnswer(40035, 'invalid parameter: news.articles must hold 1 to 8 articles');
    }
  }
  return undefined;
}
