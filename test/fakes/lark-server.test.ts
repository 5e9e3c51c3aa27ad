import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as lark from '@larksuiteoapi/node-sdk';
import { startLarkFake } from './lark-server.js';
import type { LarkFake, LarkFakeOptions } from './lark-server.js';

const CHAT = 'oc_84983ff6516d731e5b5f68d4ea2e1da5';
const ALICE = { open_id: 'ou_alice000000000000000000000000001', name: 'Alice', email: 'alice@example.com', mobile: '+8613011111111' };
const BOB = { open_id: 'ou_bob00000000000000000000000000002', name: 'Bob', email: 'bob@example.com' };
const silentLogger = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };

const sharedCard = (title: string): string =>
  JSON.stringify({ config: { update_multi: true }, header: { title: { tag: 'plain_text', content: title } }, elements: [{ tag: 'markdown', content: title }] });
const v2Card = (title: string): string =>
  JSON.stringify({ schema: '2.0', header: { title: { tag: 'plain_text', content: title } }, body: { elements: [{ tag: 'markdown', content: title }] } });

interface CallResult {
  status: number;
  headers: Headers;
  json: unknown;
}

/** Read a nested field of an unknown JSON value. */
function at(value: unknown, ...path: string[]): unknown {
  let cur = value;
  for (const key of path) cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[key] : undefined;
  return cur;
}
function str(value: unknown, ...path: string[]): string {
  const v = at(value, ...path);
  if (typeof v !== 'string') throw new Error(`expected a string at ${path.join('.')}, got ${JSON.stringify(v)}`);
  return v;
}

let fake: LarkFake;
let token: string;

async function call(method: string, path: string, body?: unknown, auth: string | null = token): Promise<CallResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (auth !== null) headers.authorization = `Bearer ${auth}`;
  const res = await fetch(`${fake.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // keep the raw text
  }
  return { status: res.status, headers: res.headers, json };
}

async function fetchToken(): Promise<string> {
  const r = await call('POST', '/open-apis/auth/v3/tenant_access_token/internal', { app_id: fake.appId, app_secret: fake.appSecret }, null);
  return str(r.json, 'tenant_access_token');
}

const send = (receiveId: string, msgType: string, content: string, extra: Record<string, unknown> = {}, idType = 'chat_id') =>
  call('POST', `/open-apis/im/v1/messages?receive_id_type=${idType}`, { receive_id: receiveId, msg_type: msgType, content, ...extra });
const sendText = (text: string, extra: Record<string, unknown> = {}) => send(CHAT, 'text', JSON.stringify({ text }), extra);
const reply = (messageId: string, text: string, extra: Record<string, unknown> = {}) =>
  call('POST', `/open-apis/im/v1/messages/${messageId}/reply`, { msg_type: 'text', content: JSON.stringify({ text }), ...extra });

async function restart(options: LarkFakeOptions = {}): Promise<void> {
  await fake.close();
  fake = await startLarkFake({ users: [ALICE, BOB], ...options });
  token = await fetchToken();
}

beforeEach(async () => {
  fake = await startLarkFake({ users: [ALICE, BOB] });
  token = await fetchToken();
});
afterEach(async () => {
  await fake.close();
});

describe('auth and routing', () => {
  it('issues tenant tokens (not wrapped in data) and enforces them', async () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const tokenPath = '/open-apis/auth/v3/tenant_access_token/internal';
    const ok = await call('POST', tokenPath, { app_id: fake.appId, app_secret: fake.appSecret }, null);
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ code: 0, msg: 'ok', tenant_access_token: token, expire: expect.any(Number) });
    expect(token).toMatch(/^t-[0-9a-f]{40}$/);
    expect(at(ok.json, 'expire')).toBeGreaterThan(7100);

    const badSecret = await call('POST', tokenPath, { app_id: fake.appId, app_secret: 'nope' }, null);
    expect([badSecret.status, at(badSecret.json, 'code')]).toEqual([400, 10015]);
    const badApp = await call('POST', tokenPath, { app_id: 'cli_other', app_secret: fake.appSecret }, null);
    expect([badApp.status, at(badApp.json, 'code')]).toEqual([400, 10014]);

    const missing = await call('GET', '/open-apis/bot/v3/info', undefined, null);
    expect([missing.status, at(missing.json, 'code')]).toEqual([400, 99991661]);
    const bogus = await call('GET', '/open-apis/bot/v3/info', undefined, 't-bogus');
    expect(bogus.status).toBe(400);
    expect(bogus.json).toEqual({ code: 99991663, msg: 'Invalid access token for authorization. Please make a request with token attached.' });

    const info = await call('GET', '/open-apis/bot/v3/info');
    expect(info.status).toBe(200);
    expect(info.json).toMatchObject({ code: 0, msg: 'ok', bot: { activate_status: 2, app_name: fake.botName, ip_white_list: [], open_id: fake.botOpenId } });

    fake.invalidateTokens();
    expect(at((await call('GET', '/open-apis/bot/v3/info')).json, 'code')).toBe(99991663);
    const fresh = await fetchToken();
    expect(fresh).not.toBe(token);
    expect((await call('GET', '/open-apis/bot/v3/info', undefined, fresh)).status).toBe(200);
  });

  it('answers 404 for unknown routes and 9499 for non-JSON bodies', async () => {
    const unknown = await call('GET', '/open-apis/im/v1/nothing');
    expect([unknown.status, unknown.json]).toEqual([404, { code: 404, msg: 'not found' }]);
    expect((await call('DELETE', '/open-apis/bot/v3/info')).status).toBe(404);
    expect((await call('GET', '//open-apis/bot/v3/info')).status).toBe(404);
    const notJson = await call('POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', '{not json');
    expect([notJson.status, at(notJson.json, 'code')]).toEqual([400, 9499]);
    expect(fake.requests.at(-1)).toMatchObject({ body: '{not json', status: 400 });
    const noType = await call('POST', '/open-apis/im/v1/messages', { receive_id: CHAT, msg_type: 'text', content: '{"text":"x"}' });
    expect([noType.status, at(noType.json, 'code')]).toEqual([400, 99992402]);
  });
});

describe('send', () => {
  it('creates messages in the real response shape and honours uuid idempotency', async () => {
    const first = await sendText('hello', { uuid: 'dedup-1' });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      code: 0,
      msg: 'success',
      data: {
        message_id: expect.stringMatching(/^om_/),
        chat_id: CHAT,
        msg_type: 'text',
        create_time: expect.stringMatching(/^\d{13}$/),
        deleted: false,
        updated: false,
        sender: { id: fake.appId, id_type: 'app_id', sender_type: 'app' },
        body: { content: '{"text":"hello"}' },
      },
    });
    const again = await sendText('hello again', { uuid: 'dedup-1' });
    expect(str(again.json, 'data', 'message_id')).toBe(str(first.json, 'data', 'message_id'));
    expect(fake.messages).toHaveLength(1);
    expect(fake.messages[0]).toMatchObject({ chat_id: CHAT, msg_type: 'text', content: '{"text":"hello"}', uuid: 'dedup-1' });

    const other = await sendText('hello', { uuid: 'dedup-2' });
    expect(str(other.json, 'data', 'message_id')).not.toBe(str(first.json, 'data', 'message_id'));

    const card = await send(CHAT, 'interactive', sharedCard('Issue 1'));
    expect(card.status).toBe(200);
    expect(fake.cardsIn(CHAT)).toHaveLength(1);
    expect(fake.cardsIn(CHAT)[0]?.card).toMatchObject({ config: { update_multi: true } });

    const dm = await send(ALICE.open_id, 'text', '{"text":"hi"}', {}, 'open_id');
    expect(str(dm.json, 'data', 'chat_id')).toMatch(/^oc_[0-9a-f]{32}$/);
  });

  it('rejects bad receive ids, bad content and oversized content', async () => {
    const badChat = await send('chat-123', 'text', '{"text":"x"}');
    expect([badChat.status, at(badChat.json, 'code')]).toEqual([400, 230034]);
    const badContent = await send(CHAT, 'text', 'plain text');
    expect(at(badContent.json, 'code')).toBe(230001);
    const badCard = await send(CHAT, 'interactive', '{"elements":[');
    expect([badCard.status, at(badCard.json, 'code')]).toEqual([400, 230099]);
    const huge = await send(CHAT, 'interactive', JSON.stringify({ elements: [{ tag: 'markdown', content: 'x'.repeat(31 * 1024) }] }));
    expect(at(huge.json, 'code')).toBe(230025);
    expect(fake.messages).toHaveLength(0);
  });

  it('limits each chat to 5 messages per second (send + reply)', async () => {
    let now = 1_700_000_000_000;
    await restart({ now: () => now });
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push(await sendText(`m${i}`));
    const root = str(results[0]?.json, 'data', 'message_id');
    results.push(await reply(root, 'fifth'));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const sixth = await sendText('m6');
    expect(sixth.status).toBe(400);
    expect(at(sixth.json, 'code')).toBe(230020);
    expect(str(sixth.json, 'msg')).toMatch(/rate limit/);
    expect(fake.messages).toHaveLength(5);
    expect((await send('oc_another_chat', 'text', '{"text":"x"}')).status).toBe(200);
    now += 1001;
    expect((await sendText('later')).status).toBe(200);

    await restart({ chatRatePerSecond: 0, now: () => now });
    for (let i = 0; i < 8; i += 1) expect((await sendText(`x${i}`)).status).toBe(200);
  });
});

describe('reply, patch, urgent', () => {
  it('replies in a thread and keeps later replies in it', async () => {
    await restart({ chatRatePerSecond: 0 }); // more than 5 messages to CHAT below
    const root = str((await sendText('root')).json, 'data', 'message_id');
    const first = await reply(root, 'in thread', { reply_in_thread: true });
    expect(first.status).toBe(200);
    const threadId = str(first.json, 'data', 'thread_id');
    expect(threadId).toMatch(/^omt_/);
    expect(first.json).toMatchObject({ data: { root_id: root, parent_id: root, chat_id: CHAT } });
    const firstId = str(first.json, 'data', 'message_id');

    const second = await reply(firstId, 'still in thread');
    expect(second.json).toMatchObject({ data: { root_id: root, parent_id: root, thread_id: threadId } });
    expect(fake.repliesTo(root)).toHaveLength(2);
    expect(fake.getMessage(root)?.thread_id).toBe(threadId);

    const plainRoot = str((await sendText('other root')).json, 'data', 'message_id');
    const plain = await reply(plainRoot, 'plain reply');
    expect(at(plain.json, 'data', 'thread_id')).toBeUndefined();
    expect(plain.json).toMatchObject({ data: { root_id: plainRoot, parent_id: plainRoot } });

    const dupA = await reply(plainRoot, 'dup', { uuid: 'reply-uuid' });
    const dupB = await reply(plainRoot, 'dup', { uuid: 'reply-uuid' });
    expect(str(dupB.json, 'data', 'message_id')).toBe(str(dupA.json, 'data', 'message_id'));

    const unknown = await reply('om_does_not_exist', 'x');
    expect([unknown.status, at(unknown.json, 'code')]).toEqual([400, 230011]);

    const incoming = fake.addIncomingMessage({ chat_id: 'oc_user_chat', content: '{"text":"@bot help"}' });
    const toUser = await reply(incoming.message_id, 'here to help', { reply_in_thread: true });
    expect(toUser.json).toMatchObject({ code: 0, data: { chat_id: 'oc_user_chat', root_id: incoming.message_id } });
    expect(fake.messages.filter((m) => m.chat_id === 'oc_user_chat')).toHaveLength(1);
  });

  it('patches shared cards only, records patches and limits 5 per second per message', async () => {
    let now = 1_700_000_000_000;
    await restart({ now: () => now });
    const id = str((await send(CHAT, 'interactive', sharedCard('v0'))).json, 'data', 'message_id');
    const patch = (content: string, messageId = id) => call('PATCH', `/open-apis/im/v1/messages/${messageId}`, { content });

    const ok = await patch(sharedCard('v1'));
    expect([ok.status, ok.json]).toEqual([200, { code: 0, data: {}, msg: 'ok' }]);
    expect(fake.getMessage(id)?.patches).toEqual([sharedCard('v1')]);
    expect(fake.getMessage(id)?.card).toMatchObject({ elements: [{ content: 'v1' }] });

    const notShared = await patch(JSON.stringify({ elements: [{ tag: 'markdown', content: 'x' }] }));
    expect([notShared.status, at(notShared.json, 'code')]).toEqual([400, 230099]);
    expect(at((await patch('{broken')).json, 'code')).toBe(230099);
    expect(at((await patch(sharedCard('x'), 'om_missing')).json, 'code')).toBe(230011);
    const textId = str((await sendText('plain')).json, 'data', 'message_id');
    expect(at((await patch(sharedCard('x'), textId)).json, 'code')).toBe(230001);

    for (let i = 2; i <= 5; i += 1) expect((await patch(sharedCard(`v${i}`))).status).toBe(200);
    const limited = await patch(sharedCard('v6'));
    expect([limited.status, at(limited.json, 'code')]).toEqual([400, 230020]);
    expect(fake.getMessage(id)?.patches).toHaveLength(5);
    now += 1000;
    expect((await patch(sharedCard('v6'))).status).toBe(200);

    const v2 = str((await send(CHAT, 'interactive', v2Card('two'))).json, 'data', 'message_id');
    expect((await patch(v2Card('two b'), v2)).status).toBe(200);
    expect(fake.getMessage(v2)?.content).toBe(v2Card('two b'));
  });

  it('sends urgent notifications and reports invalid ids', async () => {
    const id = str((await sendText('urgent!')).json, 'data', 'message_id');
    const path = `/open-apis/im/v1/messages/${id}/urgent_app?user_id_type=open_id`;
    const res = await call('PATCH', path, { user_id_list: [ALICE.open_id, 'ou_unknown'] });
    expect([res.status, res.json]).toEqual([200, { code: 0, msg: 'success', data: { invalid_user_id_list: ['ou_unknown'] } }]);
    expect(fake.getMessage(id)?.urgents).toMatchObject([{ kind: 'app', user_ids: [ALICE.open_id], invalid_user_ids: ['ou_unknown'] }]);

    const phone = await call('PATCH', `/open-apis/im/v1/messages/${id}/urgent_phone?user_id_type=open_id`, { user_id_list: [BOB.open_id] });
    expect(phone.status).toBe(200);
    expect(fake.getMessage(id)?.urgents.map((u) => u.kind)).toEqual(['app', 'phone']);

    const allInvalid = await call('PATCH', path, { user_id_list: ['ou_nobody'] });
    expect([allInvalid.status, at(allInvalid.json, 'code')]).toEqual([400, 230001]);
    const noType = await call('PATCH', `/open-apis/im/v1/messages/${id}/urgent_sms`, { user_id_list: [ALICE.open_id] });
    expect([noType.status, at(noType.json, 'code')]).toEqual([400, 230001]);
    expect(fake.getMessage(id)?.urgents).toHaveLength(2);
  });
});

describe('contact and card update', () => {
  it('maps emails and mobiles with batch_get_id', async () => {
    const res = await call('POST', '/open-apis/contact/v3/users/batch_get_id?user_id_type=open_id', {
      emails: ['alice@example.com', 'ghost@example.com'],
      mobiles: ['13011111111'],
    });
    expect(res.status).toBe(200);
    expect(at(res.json, 'data', 'user_list')).toEqual([
      { user_id: ALICE.open_id, email: 'alice@example.com', status: expect.objectContaining({ is_resigned: false }) },
      { email: 'ghost@example.com' },
      { user_id: ALICE.open_id, mobile: '13011111111', status: expect.any(Object) },
    ]);
  });

  it('reads users and can deny contact access', async () => {
    const res = await call('GET', `/open-apis/contact/v3/users/${ALICE.open_id}?user_id_type=open_id`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ code: 0, msg: 'success', data: { user: { open_id: ALICE.open_id, name: 'Alice', en_name: 'Alice', email: ALICE.email } } });
    const unknown = await call('GET', '/open-apis/contact/v3/users/ou_nobody?user_id_type=open_id');
    expect([unknown.status, at(unknown.json, 'code')]).toEqual([400, 41050]);
    fake.denyContactRead(true);
    const denied = await call('GET', `/open-apis/contact/v3/users/${ALICE.open_id}?user_id_type=open_id`);
    expect([denied.status, denied.json]).toEqual([400, { code: 41050, msg: 'no user authority error' }]);
    fake.denyContactRead(false);
    expect((await call('GET', `/open-apis/contact/v3/users/${BOB.open_id}`)).status).toBe(200);
  });

  it('updates a card by callback token at most twice', async () => {
    const id = str((await send(CHAT, 'interactive', sharedCard('v0'))).json, 'data', 'message_id');
    fake.registerCardToken('c-abc', id);
    const card = JSON.parse(sharedCard('delayed')) as unknown;
    const path = '/open-apis/interactive/v1/card/update';
    expect((await call('POST', path, { token: 'c-abc', card })).json).toEqual({ code: 0, msg: 'ok' });
    expect(fake.getMessage(id)?.card).toMatchObject({ elements: [{ content: 'delayed' }] });
    expect((await call('POST', path, { token: 'c-abc', card })).status).toBe(200);
    const third = await call('POST', path, { token: 'c-abc', card });
    expect([third.status, at(third.json, 'code')]).toEqual([400, 300040]);
    expect(at((await call('POST', path, { token: 'bad', card })).json, 'code')).toBe(300020);
    expect((await call('POST', path, { token: 'c-unregistered', card })).status).toBe(200);
    expect(fake.cardUpdates.map((u) => [u.token, u.message_id])).toEqual([['c-abc', id], ['c-abc', id], ['c-unregistered', undefined]]);
  });
});

describe('faults, latency and lifecycle', () => {
  it('failNext: status faults and rate limits replace the answer but are recorded', async () => {
    fake.failNext('POST /open-apis/im/v1/messages', { kind: 'status', status: 500 });
    const failed = await sendText('boom');
    expect([failed.status, failed.json]).toEqual([500, { code: 500, msg: 'Internal Server Error' }]);
    expect(fake.messages).toHaveLength(0);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', path: '/open-apis/im/v1/messages', status: 500, query: { receive_id_type: 'chat_id' } });
    expect((await sendText('fine')).status).toBe(200);

    fake.failNext(/reply$/, { kind: 'status', status: 400, code: 230020, msg: 'chat rate limit' }, 2);
    const root = fake.messages[0]?.message_id ?? '';
    expect(at((await reply(root, 'a')).json, 'code')).toBe(230020);
    expect(at((await reply(root, 'b')).json, 'code')).toBe(230020);
    expect((await reply(root, 'c')).status).toBe(200);

    fake.failNext('im/v1/messages', { kind: 'rateLimit', resetSeconds: 7 });
    const limited = await sendText('slow down');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ogw-ratelimit-reset')).toBe('7');
    expect(limited.headers.get('x-ogw-ratelimit-limit')).toBe('100');
    expect(limited.json).toEqual({ code: 99991400, msg: 'request trigger frequency limit' });
  });

  it('setLatency delays matching answers; setLatency(0) clears', async () => {
    fake.setLatency(250, 'bot/v3/info');
    let t0 = performance.now();
    await call('GET', '/open-apis/bot/v3/info');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(240);
    t0 = performance.now();
    await call('GET', '/open-apis/contact/v3/users/ou_nobody');
    expect(performance.now() - t0).toBeLessThan(200);

    fake.setLatency(250);
    const pending = sendText('slow');
    // The message exists before the delayed answer arrives (handled on arrival, answered late).
    await fake.waitFor(() => fake.messages.length === 1, 200);
    expect((await pending).status).toBe(200);
    fake.setLatency(0);
    t0 = performance.now();
    await call('GET', '/open-apis/bot/v3/info');
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('drop destroys the socket without an answer', async () => {
    fake.failNext('bot/v3/info', { kind: 'drop' });
    await expect(call('GET', '/open-apis/bot/v3/info')).rejects.toThrow();
    expect(fake.requests.at(-1)).toMatchObject({ path: '/open-apis/bot/v3/info', status: 0 });
    expect((await call('GET', '/open-apis/bot/v3/info')).status).toBe(200);
  });

  it('reset clears records, faults and latency but keeps tokens and users', async () => {
    await sendText('before');
    fake.failNext('bot/v3/info', { kind: 'status', status: 503 });
    fake.setLatency(5000);
    fake.denyContactRead(true);
    const requests = fake.requests;
    fake.reset();
    expect(fake.requests).toHaveLength(0);
    expect(requests).toBe(fake.requests);
    expect(fake.messages).toHaveLength(0);
    expect((await call('GET', '/open-apis/bot/v3/info')).status).toBe(200);
    expect((await call('GET', `/open-apis/contact/v3/users/${ALICE.open_id}`)).status).toBe(200);
    expect(fake.requests).toHaveLength(2);
  });

  it('close stops the server, ends pending delayed answers and is idempotent', async () => {
    fake.setLatency(10_000);
    const pending = call('GET', '/open-apis/bot/v3/info');
    await fake.waitForRequest('GET /open-apis/bot/v3/info');
    const t0 = performance.now();
    await fake.close();
    await expect(pending).rejects.toThrow();
    expect(performance.now() - t0).toBeLessThan(2000);
    await fake.close();
    await expect(fetch(`${fake.url}/open-apis/bot/v3/info`)).rejects.toThrow();
  });
});

describe('@larksuiteoapi/node-sdk against the fake', () => {
  it('fetches the tenant token from the fake and sends, patches and updates cards', async () => {
    await restart({ appId: 'cli_sdk_fake_test_01', appSecret: 'sdk-secret' });
    fake.reset();
    // The SDK's default token cache is process-wide per appId; a private cache keeps reruns isolated.
    const client = new lark.Client({
      appId: fake.appId, appSecret: fake.appSecret, domain: fake.url, logger: silentLogger, cache: new lark.DefaultCache(),
    });

    const created = await client.im.v1.message.create({
      params: { receive_id_type: 'chat_id' },
      data: { receive_id: CHAT, msg_type: 'interactive', content: sharedCard('from sdk'), uuid: 'sdk-uuid-1' },
    });
    expect(created.code).toBe(0);
    const messageId = created.data?.message_id ?? '';
    expect(messageId).toMatch(/^om_/);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /open-apis/auth/v3/tenant_access_token/internal',
      'POST /open-apis/im/v1/messages',
    ]);
    expect(fake.requests[0]?.body).toEqual({ app_id: fake.appId, app_secret: fake.appSecret });
    expect(fake.requests[1]?.headers.authorization).toMatch(/^Bearer t-[0-9a-f]{40}$/);
    expect(fake.cardsIn(CHAT)).toHaveLength(1);

    const patched = await client.im.v1.message.patch({ path: { message_id: messageId }, data: { content: sharedCard('patched') } });
    expect(patched.code).toBe(0);
    expect(fake.getMessage(messageId)?.patches).toHaveLength(1);

    const replied = await client.im.v1.message.reply({
      path: { message_id: messageId },
      data: { msg_type: 'text', content: JSON.stringify({ text: 'thread' }), reply_in_thread: true },
    });
    expect(replied.data?.thread_id).toMatch(/^omt_/);

    const urgent = await client.im.v1.message.urgentApp({
      path: { message_id: messageId },
      params: { user_id_type: 'open_id' },
      data: { user_id_list: [ALICE.open_id, 'ou_ghost'] },
    });
    expect(urgent.data?.invalid_user_id_list).toEqual(['ou_ghost']);

    fake.registerCardToken('c-sdk', messageId);
    const updated: unknown = await client.request({
      method: 'POST',
      url: '/open-apis/interactive/v1/card/update',
      data: { token: 'c-sdk', card: JSON.parse(v2Card('delayed')) as unknown },
    });
    expect(updated).toEqual({ code: 0, msg: 'ok' });

    fake.failNext('im/v1/messages', { kind: 'rateLimit', resetSeconds: 3 });
    const err: unknown = await client.im.v1.message
      .create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: CHAT, msg_type: 'text', content: '{"text":"x"}' } })
      .then(() => undefined, (e: unknown) => e);
    expect(at(err, 'response', 'status')).toBe(429);
    expect(at(err, 'response', 'data', 'code')).toBe(99991400);
    expect(at(err, 'response', 'headers', 'x-ogw-ratelimit-reset')).toBe('3');
    // Only one token fetch for the whole session.
    expect(fake.requestsMatching('tenant_access_token')).toHaveLength(1);
  });
});
