/**
 * The Lark fake over real HTTP and through @larksuiteoapi/node-sdk: tokens and routing, contact,
 * card update by token, faults and reset. Messages (send, reply, patch, urgent): lark/messages.test.ts;
 * group chats, links and pins: lark/chats.test.ts.
 */
import { describe, expect, it } from 'vitest';
import * as lark from '@larksuiteoapi/node-sdk';
import { ALICE, BOB, CHAT, at, sharedCard, useLarkFake } from './lark/test-kit.js';

const silentLogger = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };
const kit = useLarkFake();
const { call, fetchToken, restart, sendText, reply } = kit;

describe('auth and routing', () => {
  it('issues tenant tokens (not wrapped in data) and enforces them', async () => {
    expect(kit.fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const tokenPath = '/open-apis/auth/v3/tenant_access_token/internal';
    const ok = await call('POST', tokenPath, { app_id: kit.fake.appId, app_secret: kit.fake.appSecret }, null);
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ code: 0, msg: 'ok', tenant_access_token: kit.token, expire: expect.any(Number) });
    expect(kit.token).toMatch(/^t-[0-9a-f]{40}$/);
    expect(at(ok.json, 'expire')).toBeGreaterThan(7100);

    const badSecret = await call('POST', tokenPath, { app_id: kit.fake.appId, app_secret: 'nope' }, null);
    expect([badSecret.status, at(badSecret.json, 'code')]).toEqual([400, 10015]);
    const badApp = await call('POST', tokenPath, { app_id: 'cli_other', app_secret: kit.fake.appSecret }, null);
    expect([badApp.status, at(badApp.json, 'code')]).toEqual([400, 10014]);

    const missing = await call('GET', '/open-apis/bot/v3/info', undefined, null);
    expect([missing.status, at(missing.json, 'code')]).toEqual([400, 99991661]);
    const bogus = await call('GET', '/open-apis/bot/v3/info', undefined, 't-bogus');
    expect(bogus.status).toBe(400);
    expect(bogus.json).toEqual({ code: 99991663, msg: 'Invalid access token for authorization. Please make a request with token attached.' });

    const info = await call('GET', '/open-apis/bot/v3/info');
    expect(info.status).toBe(200);
    expect(info.json).toMatchObject({ code: 0, msg: 'ok', bot: { activate_status: 2, app_name: kit.fake.botName, ip_white_list: [], open_id: kit.fake.botOpenId } });

    kit.fake.invalidateTokens();
    expect(at((await call('GET', '/open-apis/bot/v3/info')).json, 'code')).toBe(99991663);
    const fresh = await fetchToken();
    expect(fresh).not.toBe(kit.token);
    expect((await call('GET', '/open-apis/bot/v3/info', undefined, fresh)).status).toBe(200);
  });

  it('answers 404 for unknown routes and 9499 for non-JSON bodies', async () => {
    const unknown = await call('GET', '/open-apis/im/v1/nothing');
    expect([unknown.status, unknown.json]).toEqual([404, { code: 404, msg: 'not found' }]);
    expect((await call('DELETE', '/open-apis/bot/v3/info')).status).toBe(404);
    expect((await call('GET', '//open-apis/bot/v3/info')).status).toBe(404);
    const notJson = await call('POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', '{not json');
    expect([notJson.status, at(notJson.json, 'code')]).toEqual([400, 9499]);
    expect(kit.fake.requests.at(-1)).toMatchObject({ body: '{not json', status: 400 });
    const noType = await call('POST', '/open-apis/im/v1/messages', { receive_id: CHAT, msg_type: 'text', content: '{"text":"x"}' });
    expect([noType.status, at(noType.json, 'code')]).toEqual([400, 99992402]);
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
    kit.fake.denyContactRead(true);
    const denied = await call('GET', `/open-apis/contact/v3/users/${ALICE.open_id}?user_id_type=open_id`);
    expect([denied.status, denied.json]).toEqual([400, { code: 41050, msg: 'no user authority error' }]);
    kit.fake.denyContactRead(false);
    expect((await call('GET', `/open-apis/contact/v3/users/${BOB.open_id}`)).status).toBe(200);
  });
});

// Recording, drop, latency and close are the core's: core/http-fake.test.ts.
describe('faults in the Lark wire format, and reset', () => {
  it('failNext: status faults and rate limits replace the answer but are recorded', async () => {
    kit.fake.failNext('POST /open-apis/im/v1/messages', { kind: 'status', status: 500 });
    const failed = await sendText('boom');
    expect([failed.status, failed.json]).toEqual([500, { code: 500, msg: 'Internal Server Error' }]);
    expect(kit.fake.messages).toHaveLength(0);
    expect(kit.fake.requests.at(-1)).toMatchObject({ method: 'POST', path: '/open-apis/im/v1/messages', status: 500, query: { receive_id_type: 'chat_id' } });
    expect((await sendText('fine')).status).toBe(200);

    kit.fake.failNext(/reply$/, { kind: 'status', status: 400, code: 230020, msg: 'chat rate limit' }, 2);
    const root = kit.fake.messages[0]?.message_id ?? '';
    expect(at((await reply(root, 'a')).json, 'code')).toBe(230020);
    expect(at((await reply(root, 'b')).json, 'code')).toBe(230020);
    expect((await reply(root, 'c')).status).toBe(200);

    kit.fake.failNext('im/v1/messages', { kind: 'rateLimit', resetSeconds: 7 });
    const limited = await sendText('slow down');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ogw-ratelimit-reset')).toBe('7');
    expect(limited.headers.get('x-ogw-ratelimit-limit')).toBe('100');
    expect(limited.json).toEqual({ code: 99991400, msg: 'request trigger frequency limit' });
  });

  it('dropAfterWork: the message exists but the answer is lost; a retry with the same uuid finds it', async () => {
    kit.fake.failNext('POST /open-apis/im/v1/messages', { kind: 'dropAfterWork' });
    await expect(sendText('lost answer', { uuid: 'uuid-lost-1' })).rejects.toThrow();
    expect(kit.fake.messages).toHaveLength(1);
    expect(kit.fake.requests.at(-1)).toMatchObject({ path: '/open-apis/im/v1/messages', status: 0 });
    const retried = await sendText('lost answer', { uuid: 'uuid-lost-1' });
    expect(retried.status).toBe(200);
    expect(at(retried.json, 'data', 'message_id')).toBe(kit.fake.messages[0]?.message_id);
    expect(kit.fake.messages).toHaveLength(1);
  });

  it('reset clears records, faults and latency but keeps tokens and users', async () => {
    await sendText('before');
    kit.fake.failNext('bot/v3/info', { kind: 'status', status: 503 });
    kit.fake.setLatency(5000);
    kit.fake.denyContactRead(true);
    const requests = kit.fake.requests;
    kit.fake.reset();
    expect(kit.fake.requests).toHaveLength(0);
    expect(requests).toBe(kit.fake.requests);
    expect(kit.fake.messages).toHaveLength(0);
    expect((await call('GET', '/open-apis/bot/v3/info')).status).toBe(200);
    expect((await call('GET', `/open-apis/contact/v3/users/${ALICE.open_id}`)).status).toBe(200);
    expect(kit.fake.requests).toHaveLength(2);
  });

});

describe('@larksuiteoapi/node-sdk against the fake', () => {
  it('fetches the tenant token from the fake and sends, patches and updates cards', async () => {
    await restart({ appId: 'cli_sdk_fake_test_01', appSecret: 'sdk-secret' });
    kit.fake.reset();
    // The SDK's default token cache is process-wide per appId; a private cache keeps reruns isolated.
    const client = new lark.Client({
      appId: kit.fake.appId, appSecret: kit.fake.appSecret, domain: kit.fake.url, logger: silentLogger, cache: new lark.DefaultCache(),
    });

    const created = await client.im.v1.message.create({
      params: { receive_id_type: 'chat_id' },
      data: { receive_id: CHAT, msg_type: 'interactive', content: sharedCard('from sdk'), uuid: 'sdk-uuid-1' },
    });
    expect(created.code).toBe(0);
    const messageId = created.data?.message_id ?? '';
    expect(messageId).toMatch(/^om_/);
    expect(kit.fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /open-apis/auth/v3/tenant_access_token/internal',
      'POST /open-apis/im/v1/messages',
    ]);
    expect(kit.fake.requests[0]?.body).toEqual({ app_id: kit.fake.appId, app_secret: kit.fake.appSecret });
    expect(kit.fake.requests[1]?.headers.authorization).toMatch(/^Bearer t-[0-9a-f]{40}$/);
    expect(kit.fake.cardsIn(CHAT)).toHaveLength(1);

    const patched = await client.im.v1.message.patch({ path: { message_id: messageId }, data: { content: sharedCard('patched') } });
    expect(patched.code).toBe(0);
    expect(kit.fake.getMessage(messageId)?.patches).toHaveLength(1);

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

    kit.fake.failNext('im/v1/messages', { kind: 'rateLimit', resetSeconds: 3 });
    const err: unknown = await client.im.v1.message
      .create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: CHAT, msg_type: 'text', content: '{"text":"x"}' } })
      .then(() => undefined, (e: unknown) => e);
    expect(at(err, 'response', 'status')).toBe(429);
    expect(at(err, 'response', 'data', 'code')).toBe(99991400);
    expect(at(err, 'response', 'headers', 'x-ogw-ratelimit-reset')).toBe('3');
    // Only one token fetch for the whole session.
    expect(kit.fake.requestsMatching('tenant_access_token')).toHaveLength(1);
  });
});
