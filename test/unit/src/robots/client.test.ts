import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../../../src/logger.js';
import { RobotClient, signedRequest } from '../../../../src/robots/client.js';
import { RobotApiError } from '../../../../src/robots/errors-map.js';
import type { RobotSink } from '../../../../src/robots/types.js';

type Json = Record<string, unknown>;
const fixture = (path: string): Json => JSON.parse(readFileSync(new URL(`../../../fixtures/${path}`, import.meta.url), 'utf8')) as Json;

const dingVector = fixture('dingtalk/sign-vector.CONSTRUCTED.json');
const larkVector = fixture('lark/custom-bot-signed-text.CONSTRUCTED.json');
const TOKEN = 'FAKE_ACCESS_TOKEN';
const DING: RobotSink = {
  name: 'ops',
  kind: 'dingtalk',
  url: `https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}`,
  secret: String(dingVector.secret),
};
const LARK: RobotSink = {
  name: 'lark',
  kind: 'lark-webhook',
  url: 'https://open.feishu.cn/open-apis/bot/v2/hook/hooktoken123',
  secret: 'dGhpcyBpcyBhIGtleQ==',
};
const WECOM: RobotSink = { name: 'wc', kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wckey123' };

interface Sent {
  url: string;
  init: RequestInit;
}

function setup(answer: () => Response | Promise<Response>, nowMs = Number(dingVector.timestamp_ms)) {
  const sent: Sent[] = [];
  const log = { debug: vi.fn(), warn: vi.fn() };
  const fetchImpl = vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
    sent.push({ url: String(input), init: init ?? {} });
    return answer();
  });
  const client = new RobotClient({ log: log as unknown as Logger, fetchImpl: fetchImpl as typeof fetch, now: () => nowMs });
  return { client, sent, log };
}

const json = (body: unknown, init: ResponseInit = {}): Response => new Response(JSON.stringify(body), { status: 200, ...init });

describe('signedRequest', () => {
  it('signs DingTalk in the query, as the vector', () => {
    const { url, body } = signedRequest(DING, { msgtype: 'text' }, Number(dingVector.timestamp_ms));
    expect(url.href).toBe(dingVector.request_url);
    expect(body).toEqual({ msgtype: 'text' });
  });

  it('signs Lark in the body with seconds as a string, as the vector', () => {
    const { url, body } = signedRequest(LARK, { msg_type: 'text', content: { text: 'request example' } }, Number(larkVector.timestamp) * 1000 + 999);
    expect(url.href).toBe(LARK.url);
    expect(body).toEqual(larkVector);
  });

  it('leaves unsigned sinks alone', () => {
    expect(signedRequest(WECOM, { a: 1 }, 1).url.href).toBe(WECOM.url);
    expect(signedRequest({ ...DING, secret: undefined }, { a: 1 }, 1).url.search).toBe(`?access_token=${TOKEN}`);
  });
});

describe('RobotClient.send', () => {
  it('POSTs UTF-8 JSON and resolves on the robot saying ok', async () => {
    const { client, sent } = setup(() => json({ errcode: 0, errmsg: 'ok' }));
    await client.send(DING, { msgtype: 'markdown', markdown: { title: '标题', text: '正文' } });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe(dingVector.request_url);
    expect(sent[0]?.init.method).toBe('POST');
    expect(sent[0]?.init.headers).toEqual({ 'Content-Type': 'application/json; charset=utf-8' });
    expect(JSON.parse(String(sent[0]?.init.body))).toEqual({ msgtype: 'markdown', markdown: { title: '标题', text: '正文' } });
  });

  it('reads the body of an HTTP 200 and throws the classified error, logging no credential', async () => {
    const { client, log } = setup(() => json({ errcode: 93000, errmsg: 'invalid webhook url' }));
    const error = await client.send(WECOM, { msgtype: 'text' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RobotApiError);
    expect(error).toMatchObject({ code: 'robot_wecom_93000', dead: true, retryable: false, httpStatus: 200 });
    // At debug: the robot worker logs the outcome once.
    expect(log.debug).toHaveBeenCalledTimes(1);
    const logged = JSON.stringify(log.debug.mock.calls);
    expect(logged).not.toContain('wckey123');
    expect(logged).toContain('key=[redacted]');
  });

  it('passes Retry-After of a 429 on', async () => {
    const { client } = setup(() => json({ code: 99991400, msg: 'rate limit' }, { status: 429, headers: { 'Retry-After': '3' } }));
    await expect(client.send(LARK, {})).rejects.toMatchObject({ retryable: true, retryAfterMs: 3_000 });
  });

  it('turns a network failure into a retryable error without the URL', async () => {
    const { client, log } = setup(() => {
      throw new TypeError('fetch failed');
    });
    const error = await client.send(DING, {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ robotCode: 'network', retryable: true });
    expect(String((error as Error).message)).not.toContain(TOKEN);
    expect(JSON.stringify(log.debug.mock.calls)).not.toContain(TOKEN);
  });

  it('re-signs on every call (a retry gets a fresh timestamp)', async () => {
    let now = Number(dingVector.timestamp_ms);
    const sent: string[] = [];
    const client = new RobotClient({
      log: { debug: vi.fn(), warn: vi.fn() } as unknown as Logger,
      fetchImpl: (async (input: string | URL | Request) => {
        sent.push(String(input));
        return json({ errcode: 0 });
      }) as typeof fetch,
      now: () => now,
    });
    await client.send(DING, {});
    now += 61_000;
    await client.send(DING, {});
    expect(new URL(sent[0] ?? '').searchParams.get('timestamp')).not.toBe(new URL(sent[1] ?? '').searchParams.get('timestamp'));
    expect(new URL(sent[0] ?? '').searchParams.get('sign')).not.toBe(new URL(sent[1] ?? '').searchParams.get('sign'));
  });

  it('refuses an unparseable URL for good without echoing it', async () => {
    const { client, sent } = setup(() => json({ errcode: 0 }));
    const error = await client.send({ ...DING, url: 'not a url access_token=sekrit' }, {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ robotCode: 'bad_url', retryable: false });
    expect(String((error as Error).message)).not.toContain('sekrit');
    expect(sent).toHaveLength(0);
  });
});
