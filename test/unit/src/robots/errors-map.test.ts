import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BotError, isPermanent, retryAfterMsOf } from '../../../../src/errors.js';
import {
  RobotApiError,
  classifyDingTalk,
  classifyLarkWebhook,
  classifyRobotAnswer,
  classifyWeCom,
  robotErrorFrom,
  robotTransportError,
  type RobotFailure,
  type RobotVerdict,
} from '../../../../src/robots/errors-map.js';

type Json = Record<string, unknown>;
const fixture = (path: string): Json => JSON.parse(readFileSync(new URL(`../../../fixtures/${path}`, import.meta.url), 'utf8')) as Json;

function failure(verdict: RobotVerdict): RobotFailure {
  if (verdict.ok) throw new Error('expected a failure');
  return verdict;
}

describe('classifyDingTalk', () => {
  const samples = fixture('dingtalk/responses.json');

  it('reads success with errcode as a number or as the string "0"', () => {
    expect(classifyDingTalk(200, samples.success_doc_example)).toEqual({ ok: true });
    expect(classifyDingTalk(200, samples.success_as_returned)).toEqual({ ok: true });
  });

  it('re-signs only on the 310000 "invalid timestamp"', () => {
    const [keywords, timestamp, sign, ip] = samples.security_check_failed as Json[];
    expect(failure(classifyDingTalk(200, timestamp)).retryable).toBe(true);
    for (const body of [keywords, sign, ip]) {
      const verdict = failure(classifyDingTalk(200, body));
      expect(verdict).toMatchObject({ code: 310000, retryable: false });
      expect(verdict.dead).toBeUndefined();
    }
    expect(failure(classifyDingTalk(200, keywords)).message).toContain('keywords not in content');
  });

  it('waits 10 minutes when throttled (410100, and the older 130101)', () => {
    expect(failure(classifyDingTalk(200, samples.rate_limited_legacy_capture))).toMatchObject({ code: 130101, retryable: true, waitMs: 600_000 });
    expect(failure(classifyDingTalk(200, { errcode: 410100, errmsg: 'send too fast' }))).toMatchObject({ retryable: true, waitMs: 600_000 });
  });

  it('retries -1, marks a gone robot dead, and refuses bugs, content and unknown codes for good', () => {
    expect(failure(classifyDingTalk(200, { errcode: -1, errmsg: 'system busy' }))).toMatchObject({ code: -1, retryable: true });
    for (const code of [400013, 400101, 400102, 400106]) {
      expect(failure(classifyDingTalk(200, { errcode: code, errmsg: 'x' }))).toMatchObject({ code, retryable: false, dead: true });
    }
    for (const code of [40035, 43004, 400105, 430101, 430102, 430103, 430104, 90030, 123456]) {
      const verdict = failure(classifyDingTalk(200, { errcode: String(code), errmsg: 'x' }));
      expect(verdict).toMatchObject({ code, retryable: false });
      expect(verdict.dead).toBeUndefined();
    }
  });
});

describe('classifyWeCom', () => {
  const samples = fixture('wecom/responses.json');

  it('reads the captured answers', () => {
    expect(classifyWeCom(200, samples.success)).toEqual({ ok: true });
    expect(failure(classifyWeCom(200, samples.rate_limited))).toMatchObject({ code: 45009, retryable: true, waitMs: 60_000 });
    expect(failure(classifyWeCom(200, samples.invalid_or_removed_webhook))).toMatchObject({ code: 93000, retryable: false, dead: true });
    expect(failure(classifyWeCom(200, samples.empty_content))).toMatchObject({ code: 44004, retryable: false });
  });

  it('retries -1, marks 93004 / 93008 dead, refuses other codes', () => {
    expect(failure(classifyWeCom(200, { errcode: -1, errmsg: 'system busy' })).retryable).toBe(true);
    expect(failure(classifyWeCom(200, { errcode: 93004, errmsg: 'x' })).dead).toBe(true);
    expect(failure(classifyWeCom(200, { errcode: 93008, errmsg: 'x' })).dead).toBe(true);
    expect(failure(classifyWeCom(200, { errcode: 40008, errmsg: 'x' }))).toMatchObject({ retryable: false });
  });
});

describe('classifyLarkWebhook', () => {
  const samples = fixture('lark/custom-bot-responses.json');

  it('reads both success forms', () => {
    expect(classifyLarkWebhook(200, samples.success_current)).toEqual({ ok: true });
    expect(classifyLarkWebhook(200, samples.success_legacy)).toEqual({ ok: true });
  });

  it('retries 11232 and 19021 (a retry re-signs), refuses the rest', () => {
    expect(failure(classifyLarkWebhook(200, samples.rate_limited_11232))).toMatchObject({ code: 11232, retryable: true });
    expect(failure(classifyLarkWebhook(200, samples.sign_failed_19021))).toMatchObject({ code: 19021, retryable: true });
    expect(failure(classifyLarkWebhook(200, samples.keyword_missing_19024))).toMatchObject({ code: 19024, retryable: false });
    expect(failure(classifyLarkWebhook(200, samples.bad_request_9499))).toMatchObject({ code: 9499, retryable: false });
    expect(failure(classifyLarkWebhook(200, samples.bad_request_9499)).message).toContain('Bad Request');
    expect(failure(classifyLarkWebhook(200, { code: 19022, msg: 'Ip Not Allowed' }))).toMatchObject({ retryable: false });
  });

  it('treats an invalid hook token as a dead channel', () => {
    expect(failure(classifyLarkWebhook(200, samples.bad_token_19001))).toMatchObject({ code: 19001, retryable: false, dead: true });
  });
});

describe('HTTP status, for every robot', () => {
  const kinds = ['dingtalk', 'wecom', 'lark-webhook'] as const;

  it('retries 5xx and 429, waiting Retry-After seconds when given', () => {
    for (const kind of kinds) {
      expect(failure(classifyRobotAnswer(kind, 502, undefined))).toMatchObject({ code: 'http_502', retryable: true });
      expect(failure(classifyRobotAnswer(kind, 503, { errcode: 999, code: 999 })).retryable).toBe(true);
      expect(failure(classifyRobotAnswer(kind, 429, undefined, '7'))).toMatchObject({ code: 'http_429', retryable: true, waitMs: 7_000 });
      expect(failure(classifyRobotAnswer(kind, 429, undefined, 'Wed, 21 Oct 2015 07:28:00 GMT')).waitMs).toBeUndefined();
      expect(failure(classifyRobotAnswer(kind, 429, undefined)).waitMs).toBeUndefined();
    }
  });

  it('keeps a dead code dead even with a 5xx', () => {
    expect(failure(classifyWeCom(500, { errcode: 93000, errmsg: 'x' }))).toMatchObject({ retryable: false, dead: true });
  });

  it('refuses other statuses and a 2xx that is not the robot answering', () => {
    for (const kind of kinds) {
      expect(failure(classifyRobotAnswer(kind, 404, undefined))).toMatchObject({ code: 'http_404', retryable: false });
      expect(failure(classifyRobotAnswer(kind, 200, undefined))).toMatchObject({ code: 'bad_response', retryable: false });
      expect(failure(classifyRobotAnswer(kind, 200, { hello: 'world' }))).toMatchObject({ code: 'bad_response', retryable: false });
    }
    expect(failure(classifyDingTalk(404, { errcode: 0 }))).toMatchObject({ code: 'http_404', retryable: false });
  });
});

describe('RobotApiError', () => {
  it('is a coded BotError that the workers read like the other rate limits', () => {
    const verdict = failure(classifyWeCom(200, fixture('wecom/responses.json').rate_limited));
    const error = robotErrorFrom('wecom', verdict, 200);
    expect(error).toBeInstanceOf(BotError);
    expect(error).toMatchObject({ code: 'robot_wecom_45009', robotCode: 45009, kind: 'wecom', httpStatus: 200, retryable: true, dead: false });
    expect(error.name).toBe('RobotApiError');
    expect(retryAfterMsOf(error)).toBe(60_000);
    expect(isPermanent(error)).toBe(false);
  });

  it('is permanent and dead for a gone robot', () => {
    const error = robotErrorFrom('dingtalk', failure(classifyDingTalk(200, { errcode: 400102, errmsg: 'robot disabled' })), 200);
    expect(error).toMatchObject({ code: 'robot_dingtalk_400102', dead: true, retryable: false });
    expect(error.retryAfterMs).toBeUndefined();
    expect(isPermanent(error)).toBe(true);
  });

  it('makes timeouts and network failures retryable with code "network"', () => {
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    const timedOut = robotTransportError('lark-webhook', timeout, 10_000);
    expect(timedOut).toBeInstanceOf(RobotApiError);
    expect(timedOut).toMatchObject({ code: 'robot_lark-webhook_network', robotCode: 'network', retryable: true, httpStatus: undefined });
    expect(timedOut.message).toContain('10000 ms');

    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const unreachable = robotTransportError('dingtalk', refused, 10_000);
    expect(unreachable.retryable).toBe(true);
    expect(unreachable.message).toContain('ECONNREFUSED');
  });
});
