/**
 * The group-robot webhook fake over real HTTP: DingTalk, WeCom and the Lark custom bot on one
 * server, checked against the recorded samples and the CONSTRUCTED sign vectors (test/fixtures/
 * {dingtalk,wecom,lark}/), then faults, broken robots, reset. Time is the kit's clock, except
 * where a scaled-down window runs on the real one.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { dingTalkSign, larkBotSign, LARK_BOT_MAX_BODY_BYTES, WECOM_TOO_LONG_CODE } from './robots-server.js';
import { T0, dingText, fixture, larkText, useRobotsFake, weComText, type Json } from './robots/test-kit.js';

const kit = useRobotsFake();
const { start, post, code } = kit;

describe('DingTalk POST /robot/send', () => {
  const vector = fixture('dingtalk/sign-vector.CONSTRUCTED.json') as Record<string, string>;
  const responses = fixture('dingtalk/responses.json');

  it('answers an unknown token 400101 with HTTP 200 and records it', async () => {
    await start();
    expect(await post(kit.fake.dingTalkUrl('nope'), dingText('hi'))).toEqual({ status: 200, json: { errcode: 400101, errmsg: 'access_token not found' } });
    expect(kit.fake.requests[0]).toMatchObject({ kind: 'dingtalk', robot: 'dingtalk:nope', code: 400101, accepted: false, query: { access_token: 'nope' } });
  });

  it('accepts the CONSTRUCTED sign vector; refuses bad, unencoded or missing signs and timestamps over 1 h off', async () => {
    await start();
    kit.clock = Number(vector.timestamp_ms);
    const robot = kit.fake.addDingTalk({ token: 'FAKE_ACCESS_TOKEN', secret: vector.secret ?? '' });
    expect(dingTalkSign(vector.secret ?? '', vector.timestamp_ms ?? '')).toBe(vector.sign_base64);
    const url = (vector.request_url ?? '').replace('https://oapi.dingtalk.com', kit.fake.url);
    expect(await post(url, dingText('signed'))).toEqual({ status: 200, json: { errcode: 0, errmsg: 'ok' } });

    const send = async (u: string) => (await post(u, dingText('x'))).json;
    const base = `${robot.url}&timestamp=${vector.timestamp_ms}`;
    const signNotMatch = { errcode: 310000, errmsg: 'sign not match' };
    expect(await send(`${base}&sign=${vector.sign_base64}`)).toEqual(signNotMatch); // not URL-encoded: `+` arrives as a space
    expect(await send(robot.url)).toEqual(signNotMatch);
    expect(await send(`${base}&sign=${encodeURIComponent(dingTalkSign('SECother', vector.timestamp_ms ?? ''))}`)).toEqual(signNotMatch);
    expect(responses.security_check_failed).toContainEqual(signNotMatch);
    kit.clock += 3_600_001;
    const stale = await send(`${base}&sign=${vector.sign_urlencoded}`);
    expect(stale).toEqual({ errcode: 310000, errmsg: 'invalid timestamp' });
    expect(responses.security_check_failed).toContainEqual(stale);
    kit.clock -= 1; // exactly 1 h: still fine
    expect((await send(`${base}&sign=${vector.sign_urlencoded}`)).errcode).toBe(0);
    expect(kit.fake.messages(robot.id).map((m) => m.body.text)).toEqual([{ content: 'signed' }, { content: 'x' }]);
  });

  it('checks Content-Type, JSON, msgtype and keywords; records the doc samples', async () => {
    await start();
    const { url, id } = kit.fake.addDingTalk({ token: 't1' });
    for (const name of ['markdown-at-request.json', 'actionCard-btns-request.json']) expect(await code(url, fixture(`dingtalk/${name}`))).toBe(0);
    expect(await code(url, dingText('x'), { contentType: null })).toBe(43004);
    expect(await code(url)).toBe(40035);
    expect(await code(url, undefined, { raw: '{"msgtype":' })).toBe(40035);
    expect(await code(url, { msgtype: 'text' })).toBe(40035);
    expect(await code(url, { msgtype: 'image', image: {} })).toBe(400105);
    expect(kit.fake.messages(id).map((m) => m.body.msgtype)).toEqual(['markdown', 'actionCard']);

    const guarded = kit.fake.addDingTalk({ token: 't2', keywords: ['告警'] });
    expect((await post(guarded.url, dingText('hello'))).json).toEqual({ errcode: 310000, errmsg: 'keywords not in content' });
    expect(await code(guarded.url, { msgtype: 'markdown', markdown: { title: '告警', text: 'x' } })).toBe(0);
  });

  it('accepts a repeated msgUuid without recording it again; messages without one are all recorded', async () => {
    await start();
    const { url, id } = kit.fake.addDingTalk({ token: 't1' });
    for (const body of [dingText('a', { msgUuid: 'u1' }), dingText('a again', { msgUuid: 'u1' }), dingText('b', { msgUuid: 'u2' }), dingText('c'), dingText('c')]) {
      expect(await code(url, body)).toBe(0);
      kit.clock += 1000;
    }
    expect(kit.fake.messages(id).map((m) => [m.body.text, m.msgUuid, m.at])).toEqual([
      [{ content: 'a' }, 'u1', T0], [{ content: 'b' }, 'u2', T0 + 2000], [{ content: 'c' }, undefined, T0 + 3000], [{ content: 'c' }, undefined, T0 + 4000],
    ]);
    expect(kit.fake.requests.map((r) => [r.accepted, r.duplicate])).toEqual([[true, false], [true, true], [true, false], [true, false], [true, false]]);
  });

  it('answers the 21st message in a rolling minute 410100 and stays throttled for throttleMs', async () => {
    await start({ throttleMs: 600_000 });
    const { url, id } = kit.fake.addDingTalk({ token: 't1' });
    for (let i = 0; i < 20; i += 1) {
      expect(await code(url, dingText(`m${i}`))).toBe(0);
      kit.clock += 1000;
    }
    expect(await post(url, dingText('too fast'))).toEqual({ status: 200, json: { errcode: 410100, errmsg: 'send too fast, throttled' } });
    kit.clock = T0 + 120_000; // the window is empty, the robot still throttled
    expect(await code(url, dingText('still'))).toBe(410100);
    kit.clock = T0 + 20_000 + 600_000;
    expect(await code(url, dingText('again'))).toBe(0);
    expect(kit.fake.messages(id)).toHaveLength(21);
    expect(kit.fake.maxAcceptedInWindow(id)).toBe(20);
  });

  it('scales down: a 300 ms window on the real clock, throttled for one window by default', async () => {
    await start({ realClock: true, windowMs: 300 });
    const { url } = kit.fake.addDingTalk({ token: 't1' });
    const codes = await Promise.all(Array.from({ length: 21 }, (_, i) => code(url, dingText(`m${i}`))));
    expect(codes.filter((c) => c === 0)).toHaveLength(20);
    expect(codes.filter((c) => c === 410100)).toHaveLength(1);
    expect(await code(url, dingText('throttled'))).toBe(410100);
    await sleep(320);
    expect(await code(url, dingText('later'))).toBe(0);
  });
});

describe('WeCom POST /cgi-bin/webhook/send', () => {
  const responses = fixture('wecom/responses.json') as Record<string, Json>;
  /** errmsg without its per-call hint and caller IP. */
  const shape = (errmsg: unknown): string => String(errmsg).replace(/hint: \[[^\]]*\]/, 'hint: []').replace(/from ip: [^,]+,/, 'from ip: ,');

  it('answers an unknown key 93000 with HTTP 200, in the recorded errmsg form', async () => {
    await start();
    const { status, json } = await post(kit.fake.weComUrl('nope'), weComText('hi'));
    expect(status).toBe(200);
    expect(json.errcode).toBe(93000);
    expect(shape(json.errmsg)).toBe(shape(responses.invalid_or_removed_webhook?.errmsg));
  });

  it('accepts the doc samples and records every message, repeats included', async () => {
    await start();
    const { url, id } = kit.fake.addWeCom({ key: 'k1' });
    for (const name of ['text-mentioned-request.json', 'markdown_v2-request.json']) {
      expect((await post(url, fixture(`wecom/${name}`))).json).toEqual(responses.success);
    }
    expect(await code(url, weComText('same'))).toBe(0);
    expect(await code(url, weComText('same'))).toBe(0);
    expect(kit.fake.messages('k1').map((m) => m.body.msgtype)).toEqual(['text', 'markdown_v2', 'text', 'text']);
    expect(kit.fake.messages(id)).toHaveLength(4);
  });

  it('limits content in UTF-8 bytes (text 2048, markdown 4096) and checks msgtype and empty content', async () => {
    await start();
    const { url, id } = kit.fake.addWeCom({ key: 'k1' });
    const md = (content: string, type = 'markdown'): Json => ({ msgtype: type, [type]: { content } });
    expect(await code(url, weComText('a'.repeat(2048)))).toBe(0);
    expect(await code(url, weComText('a'.repeat(2049)))).toBe(WECOM_TOO_LONG_CODE);
    expect(await code(url, md('a'.repeat(4096)))).toBe(0);
    const tooLong = await post(url, md('中'.repeat(1366))); // 1366 characters, 4098 bytes
    expect(tooLong.json.errcode).toBe(40058);
    expect(tooLong.json.errmsg).toMatch(/^markdown\.content exceed max length 4096/);
    expect(await code(url, md('中'.repeat(1365), 'markdown_v2'))).toBe(0); // 4095 bytes
    expect(shape((await post(url, md(''))).json.errmsg)).toBe(shape(responses.empty_content?.errmsg));
    expect(await code(url, { msgtype: 'voicemail', voicemail: {} })).toBe(40008);
    expect(await code(url, { msgtype: 'news', news: { articles: [] } })).toBe(40035);
    expect(await code(url, undefined, { raw: 'nope' })).toBe(40035);
    expect(kit.fake.messages(id)).toHaveLength(3);
  });

  it('answers the 21st message in a rolling minute 45009', async () => {
    await start();
    const { url, id } = kit.fake.addWeCom({ key: 'k1' });
    for (let i = 0; i < 20; i += 1) expect(await code(url, weComText(`m${i}`))).toBe(0);
    const limited = await post(url, weComText('too fast'));
    expect(limited.json.errcode).toBe(45009);
    expect(shape(limited.json.errmsg)).toBe(shape(responses.rate_limited?.errmsg));
    kit.clock = T0 + 59_999;
    expect(await code(url, weComText('still'))).toBe(45009);
    kit.clock = T0 + 60_000;
    expect(await code(url, weComText('again'))).toBe(0);
    expect(kit.fake.messages(id)).toHaveLength(21);
    expect(kit.fake.requests.filter((r) => r.code === 45009)).toHaveLength(2);
  });
});

describe('Lark custom bot POST /open-apis/bot/v2/hook/<token>', () => {
  const responses = fixture('lark/custom-bot-responses.json');
  const signed = fixture('lark/custom-bot-signed-text.CONSTRUCTED.json');
  /** Named in the samples README and lark-platform.md §8.1, not in the fixture. */
  const SECRET = 'dGhpcyBpcyBhIGtleQ==';
  const ts = String(signed.timestamp);

  it('answers an unknown token 19001 with HTTP 200', async () => {
    await start();
    expect(await post(kit.fake.larkBotUrl('nope'), larkText('hi'))).toEqual({ status: 200, json: responses.bad_token_19001 });
  });

  it('accepts the CONSTRUCTED signed sample; refuses missing, wrong and stale signs with 19021', async () => {
    await start();
    kit.clock = Number(ts) * 1000;
    const bot = kit.fake.addLarkBot({ token: 'hook-1', secret: SECRET });
    expect(larkBotSign(SECRET, ts)).toBe(signed.sign);
    expect(await post(bot.url, signed)).toEqual({ status: 200, json: responses.success_current });
    const { sign: _sign, ...unsigned } = signed;
    expect((await post(bot.url, unsigned)).json).toEqual(responses.sign_failed_19021);
    expect(await code(bot.url, { ...signed, sign: larkBotSign('other', ts) })).toBe(19021);
    kit.clock += 3_600_001;
    expect(await code(bot.url, signed)).toBe(19021);
    const now = String(Math.floor(kit.clock / 1000));
    expect(await code(bot.url, larkText('fresh', { timestamp: now, sign: larkBotSign(SECRET, now) }))).toBe(0);
    expect(kit.fake.messages('hook-1').map((m) => m.body.content)).toEqual([{ text: 'request example' }, { text: 'fresh' }]);
  });

  it('needs a card object for interactive, a body up to 20 KB, a keyword when set; legacy success on request', async () => {
    await start();
    const { url, id } = kit.fake.addLarkBot({ token: 'hook-2', keywords: ['告警'] });
    const card = { header: { title: { tag: 'plain_text', content: '告警' } }, elements: [] };
    expect(await code(url, { msg_type: 'interactive', card })).toBe(0);
    expect((await post(url, { msg_type: 'interactive', content: { card } })).json).toEqual(responses.bad_request_9499);
    expect(await code(url, larkText(`告警 ${'x'.repeat(20_000)}`))).toBe(0);
    expect(await code(url, larkText(`告警 ${'x'.repeat(LARK_BOT_MAX_BODY_BYTES)}`))).toBe(9499);
    expect(await code(url, { msg_type: 'sticker', content: { text: '告警' } })).toBe(9499);
    expect(await code(url, undefined, { raw: 'not json' })).toBe(9499);
    expect((await post(url, larkText('no keyword'))).json).toEqual(responses.keyword_missing_19024);
    expect(kit.fake.messages(id)).toHaveLength(2);
    const legacy = kit.fake.addLarkBot({ token: 'hook-old', legacySuccess: true });
    expect((await post(legacy.url, larkText('hi'))).json).toEqual(responses.success_legacy);
  });

  it('answers 11232 over 5 per rolling second or 100 per rolling minute', async () => {
    await start();
    const fast = kit.fake.addLarkBot({ token: 'hook-3' });
    for (let i = 0; i < 5; i += 1) expect(await code(fast.url, larkText(`s${i}`))).toBe(0);
    expect((await post(fast.url, larkText('6th'))).json).toEqual(responses.rate_limited_11232);
    kit.clock += 999;
    expect(await code(fast.url, larkText('7th'))).toBe(11232);
    kit.clock += 1;
    expect(await code(fast.url, larkText('next second'))).toBe(0);

    const steady = kit.fake.addLarkBot({ token: 'hook-4' });
    const tA = kit.clock;
    for (let i = 0; i < 100; i += 1) {
      expect(await code(steady.url, larkText(`m${i}`))).toBe(0);
      kit.clock += 250;
    }
    expect(await code(steady.url, larkText('101st'))).toBe(11232);
    kit.clock = tA + 60_000;
    expect(await code(steady.url, larkText('a minute later'))).toBe(0);
    expect(kit.fake.maxAcceptedInWindow('hook-4')).toBe(100);
    expect(kit.fake.maxAcceptedInWindow('hook-4', 1000)).toBe(4);
  });

  it('scales down: a 200 ms short window on the real clock', async () => {
    await start({ realClock: true, larkPerSecondWindowMs: 200 });
    const { url } = kit.fake.addLarkBot({ token: 'hook-5' });
    const codes = await Promise.all(Array.from({ length: 6 }, (_, i) => code(url, larkText(`m${i}`))));
    expect(codes.sort()).toEqual([0, 0, 0, 0, 0, 11232]);
    await sleep(220);
    expect(await code(url, larkText('later'))).toBe(0);
  });
});

describe('one server: routing, faults, broken robots, reset', () => {
  const addAll = () => ({
    ding: kit.fake.addDingTalk({ token: 'd1' }),
    wecom: kit.fake.addWeCom({ key: 'k1' }),
    lark: kit.fake.addLarkBot({ token: 'l1' }),
  });

  it('serves the three platforms on one port; 404 elsewhere, 405 for other methods', async () => {
    await start();
    const { ding, wecom, lark } = addAll();
    expect(await code(ding.url, dingText('d'))).toBe(0);
    kit.clock += 1;
    expect(await code(wecom.url, weComText('w'))).toBe(0);
    kit.clock += 1;
    expect(await code(lark.url, larkText('l'))).toBe(0);
    expect(kit.fake.messages().map((m) => [m.robot, m.at])).toEqual([['dingtalk:d1', T0], ['wecom:k1', T0 + 1], ['lark:l1', T0 + 2]]);
    expect((await fetch(`${kit.fake.url}/robot/sendx`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(ding.url)).status).toBe(405);
    expect(kit.fake.requestsMatching('POST /cgi-bin/webhook/send').map((r) => r.robot)).toEqual(['wecom:k1']);
    expect(kit.fake.requestsMatching(kit.fake.matchRobot('l1')).map((r) => r.code)).toEqual([0]);
  });

  it('fail(): the next N requests of one robot get an HTTP error, an error body or the throttle answer', async () => {
    await start();
    const { ding, wecom, lark } = addAll();
    const other = kit.fake.addDingTalk({ token: 'd2' });
    kit.fake.fail(ding.id, { kind: 'status', status: 500 }, 2);
    kit.fake.fail('k1', { kind: 'body', body: { errcode: -1, errmsg: 'system busy' } });
    kit.fake.fail('l1', { kind: 'throttled' });
    expect(await post(ding.url, dingText('1'))).toEqual({ status: 500, json: { errcode: -1, errmsg: 'system busy' } });
    expect(await code(other.url, dingText('other'))).toBe(0);
    expect((await post(ding.url, dingText('2'))).status).toBe(500);
    expect(await code(ding.url, dingText('3'))).toBe(0);
    expect(await post(wecom.url, weComText('w'))).toEqual({ status: 200, json: { errcode: -1, errmsg: 'system busy' } });
    expect(await code(lark.url, larkText('l'))).toBe(11232);
    expect(kit.fake.messages().map((m) => m.robot)).toEqual(['dingtalk:d2', 'dingtalk:d1']);
    expect(kit.fake.requests.map((r) => [r.status, r.code, r.accepted])).toEqual([
      [500, -1, false], [200, 0, true], [500, -1, false], [200, 0, true], [200, -1, false], [200, 11232, false],
    ]);
  });

  it('drop and dropAfterWork: a retry with the same msgUuid is not recorded twice', async () => {
    await start();
    const { ding } = addAll();
    const body = dingText('once', { msgUuid: 'issue-1:42' });
    kit.fake.fail('d1', { kind: 'dropAfterWork' });
    await expect(post(ding.url, body)).rejects.toThrow();
    expect(await code(ding.url, body)).toBe(0);
    kit.fake.fail('d1', { kind: 'drop' });
    await expect(post(ding.url, dingText('lost'))).rejects.toThrow();
    expect(kit.fake.messages('d1').map((m) => m.msgUuid)).toEqual(['issue-1:42']);
    expect(kit.fake.requests.map((r) => [r.status, r.accepted, r.duplicate])).toEqual([[0, true, false], [200, true, true], [0, false, false]]);
  });

  it('delays one robot with setLatency(ms, matchRobot)', async () => {
    await start();
    const { wecom, lark } = addAll();
    kit.fake.setLatency(150, kit.fake.matchRobot('k1'));
    const done: string[] = [];
    const t = Date.now();
    await Promise.all([
      code(wecom.url, weComText('slow')).then((c) => done.push(`wecom ${String(c)}`)),
      code(lark.url, larkText('fast')).then((c) => done.push(`lark ${String(c)}`)),
    ]);
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    expect(done).toEqual(['lark 0', 'wecom 0']);
  });

  it('breakRobot(): a given error (or the dead-channel one) on every request until repaired', async () => {
    await start();
    const { ding, wecom, lark } = addAll();
    kit.fake.breakRobot('d1');
    kit.fake.breakRobot('k1', { body: { errcode: 93004, errmsg: 'robot disabled' } });
    kit.fake.breakRobot('l1', { status: 502, body: { code: 502, msg: 'Bad Gateway' } });
    for (let i = 0; i < 2; i += 1) {
      expect(await code(ding.url, dingText('x'))).toBe(400102);
      expect(await post(wecom.url, weComText('x'))).toEqual({ status: 200, json: { errcode: 93004, errmsg: 'robot disabled' } });
      expect((await post(lark.url, larkText('x'))).status).toBe(502);
    }
    kit.fake.repairRobot('d1');
    expect(await code(ding.url, dingText('x'))).toBe(0);
    expect(kit.fake.messages()).toHaveLength(1);
  });

  it('remove() makes a robot unknown; reset() forgets state, faults and throttles but keeps robots', async () => {
    await start({ perWindow: 1 });
    const { ding, wecom } = addAll();
    expect(await code(ding.url, dingText('1'))).toBe(0);
    expect(await code(ding.url, dingText('2'))).toBe(410100);
    kit.fake.fail('d1', { kind: 'status', status: 503 });
    kit.fake.breakRobot('k1');
    kit.fake.reset();
    expect(kit.fake.requests).toEqual([]);
    expect(kit.fake.messages()).toEqual([]);
    expect(await code(ding.url, dingText('3'))).toBe(0);
    expect(await code(wecom.url, weComText('w'))).toBe(0);
    kit.fake.remove('d1');
    expect(await code(ding.url, dingText('4'))).toBe(400101);
    expect(kit.fake.messages('d1').map((m) => m.body.text)).toEqual([{ content: '3' }]);
  });

  it('names robots by kind:token or by a token that is not ambiguous', async () => {
    await start();
    kit.fake.addDingTalk({ token: 'same' });
    kit.fake.addLarkBot({ token: 'same' });
    expect(() => kit.fake.messages('same')).toThrow(/ambiguous/);
    expect(kit.fake.messages('lark:same')).toEqual([]);
    expect(() => kit.fake.messages('nobody')).toThrow(/no robot/);
    expect(() => kit.fake.addLarkBot({ token: 'same' })).toThrow(/already registered/);
    expect(kit.fake.matchRobot('dingtalk:same')).toBe(kit.fake.matchRobot('dingtalk:same'));
  });
});
