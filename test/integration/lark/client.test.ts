/**
 * LarkClient against the Lark fake over real HTTP, with the real SDK and a real (shared) Redis.
 * Nothing is mocked. Every test uses its own Redis key prefix and drops it afterwards.
 */
import { createStore } from '../../../src/store/index.js';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import winston from 'winston';
import { LarkApiError, LarkRateLimited } from '../../../src/errors.js';
import { LarkClient, larkErrorFrom } from '../../../src/lark/client.js';
import type { LarkClientOptions } from '../../../src/lark/client.js';
import type { Logger } from '../../../src/logger.js';
import { Metrics } from '../../../src/metrics.js';
import { startLarkFake } from '../../fakes/lark-server.js';
import type { LarkFake, RecordedRequest } from '../../fakes/lark-server.js';
import { TEST_REDIS_URL, dropPrefix, testPrefix } from '../../helpers/redis.js';

const CHAT = 'oc_84983ff6516d731e5b5f68d4ea2e1da5';
const ALICE = { open_id: 'ou_alice000000000000000000000000001', name: 'Alice', email: 'alice@example.com', mobile: '+8613011111111' };
const BOB = { open_id: 'ou_bob00000000000000000000000000002', name: 'Bob', mobile: '13022222222' };
/** Distinctive, so that a leak into the logs cannot go unnoticed. */
const APP_SECRET = `sec-${randomBytes(12).toString('hex')}`;

const SEND = /^POST \/open-apis\/im\/v1\/messages$/;
const TOKEN = 'tenant_access_token';

const card = (text: string): Record<string, unknown> => ({
  schema: '2.0',
  header: { title: { tag: 'plain_text', content: text } },
  body: { elements: [{ tag: 'markdown', content: text }] },
});

/** A winston logger like ours (JSON lines), but without the redactor: the client itself must not leak. */
function capturingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const log = winston.createLogger({
    level: 'debug',
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Stream({ stream })],
  });
  return { log, lines };
}

let fake: LarkFake;
let redis: Redis;
let prefix: string;
const captured = capturingLogger();
const metrics = new Metrics();
const extraRedis: Redis[] = [];
/** Every tenant token the fake saw in use, collected before each reset. */
const seenTokens = new Set<string>();

function client(overrides: Partial<LarkClientOptions> = {}): LarkClient {
  return new LarkClient({
    appId: fake.appId,
    appSecret: APP_SECRET,
    baseUrl: fake.url,
    store: createStore(redis, prefix),
    log: captured.log,
    metrics,
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<LarkApiError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LarkApiError);
  return error as LarkApiError;
}

const bodyOf = (r: RecordedRequest | undefined): Record<string, unknown> => (r?.body ?? {}) as Record<string, unknown>;

beforeAll(async () => {
  fake = await startLarkFake({ appSecret: APP_SECRET, users: [ALICE, BOB] });
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  await fake.close();
  await Promise.all([redis, ...extraRedis].map((r) => r.quit()));
});

beforeEach(() => {
  fake.reset();
  prefix = testPrefix('lark-client');
});

afterEach(async () => {
  for (const r of fake.requests) {
    const token = /^Bearer\s+(\S+)$/.exec(r.headers.authorization ?? '')?.[1];
    if (token !== undefined) seenTokens.add(token);
  }
  fake.setLatency(0);
  await dropPrefix(prefix);
});

describe('LarkClient against the fake', () => {
  it('fetches the tenant token from the fake once and reuses it', async () => {
    const lc = client();
    await lc.sendCard(CHAT, card('one'), 'token-reuse-1');
    await lc.sendCard(CHAT, card('two'), 'token-reuse-2');
    expect(fake.requestsMatching(TOKEN)).toHaveLength(1);
    expect(bodyOf(fake.requestsMatching(TOKEN)[0])).toEqual({ app_id: fake.appId, app_secret: APP_SECRET });
    const sends = fake.requestsMatching(SEND);
    expect(sends).toHaveLength(2);
    for (const r of sends) expect(r.headers.authorization).toMatch(/^Bearer t-/);
  });

  it('sendCard sends an interactive card with a uuid of at most 50 chars; the same key sends once', async () => {
    const lc = client();
    const key = `issue:${'x'.repeat(200)}:created`;
    const first = await lc.sendCard(CHAT, card('hello'), key);
    const again = await lc.sendCard(CHAT, card('hello'), key);
    expect(first.messageId).toMatch(/^om_/);
    expect(first.chatId).toBe(CHAT);
    expect(again.messageId).toBe(first.messageId);
    expect(fake.cardsIn(CHAT)).toHaveLength(1);

    const sends = fake.requestsMatching(SEND);
    expect(sends).toHaveLength(2);
    expect(sends[0]?.query.receive_id_type).toBe('chat_id');
    const body = bodyOf(sends[0]);
    expect(body.msg_type).toBe('interactive');
    expect(JSON.parse(String(body.content))).toEqual(card('hello'));
    expect(typeof body.uuid).toBe('string');
    expect(String(body.uuid).length).toBeGreaterThan(0);
    expect(String(body.uuid).length).toBeLessThanOrEqual(50);
    expect(bodyOf(sends[1]).uuid).toBe(body.uuid);
  });

  it('replyCard and replyText reply in a thread; a plain reply has no thread', async () => {
    const lc = client();
    const root = await lc.sendCard(CHAT, card('root'), 'thread-root');
    const r1 = await lc.replyCard(root.messageId, card('in thread'), 'thread-r1', true, CHAT);
    expect(r1.threadId).toMatch(/^omt_/);
    expect(r1.rootId).toBe(root.messageId);
    expect(r1.chatId).toBe(CHAT);
    const r2 = await lc.replyText(root.messageId, 'text in thread', 'thread-r2', true);
    expect(r2.threadId).toBe(r1.threadId);
    expect(fake.repliesTo(root.messageId).map((m) => m.msg_type)).toEqual(['interactive', 'text']);
    expect(JSON.parse(fake.repliesTo(root.messageId)[1]?.content ?? '')).toEqual({ text: 'text in thread' });
    const replyBodies = fake.requestsMatching('/reply').map(bodyOf);
    expect(replyBodies.every((b) => b.reply_in_thread === true && String(b.uuid).length <= 50)).toBe(true);

    const incoming = fake.addIncomingMessage({ chat_id: CHAT });
    const plain = await lc.replyText(incoming.message_id, 'plain', 'plain-reply');
    expect(plain.threadId).toBeUndefined();
    expect(plain.chatId).toBe(CHAT);
    expect(fake.repliesTo(incoming.message_id)).toHaveLength(1);
  });

  it('patchCard replaces the card of the message', async () => {
    const lc = client();
    const sent = await lc.sendCard(CHAT, card('before'), 'patch-1');
    await lc.patchCard(sent.messageId, card('after'));
    const msg = fake.getMessage(sent.messageId);
    expect(msg?.card).toEqual(card('after'));
    expect(msg?.patches).toHaveLength(1);
  });

  it('patchCard stays within 5 updates/s per message when called 7 times at once', async () => {
    const lc = client();
    const sent = await lc.sendCard(CHAT, card('v0'), 'patch-burst');
    await Promise.all(Array.from({ length: 7 }, (_, i) => lc.patchCard(sent.messageId, card(`v${i + 1}`))));
    expect(fake.getMessage(sent.messageId)?.patches).toHaveLength(7);
  });

  it('urgent buzzes the valid ids and returns the invalid ones', async () => {
    const lc = client();
    const sent = await lc.sendCard(CHAT, card('urgent'), 'urgent-1');
    const result = await lc.urgent(sent.messageId, 'app', [ALICE.open_id, 'ou_ghost']);
    expect(result.invalidOpenIds).toEqual(['ou_ghost']);
    const phone = await lc.urgent(sent.messageId, 'phone', [BOB.open_id]);
    expect(phone.invalidOpenIds).toEqual([]);
    const urgents = fake.getMessage(sent.messageId)?.urgents ?? [];
    expect(urgents.map((u) => [u.kind, u.user_ids])).toEqual([
      ['app', [ALICE.open_id]],
      ['phone', [BOB.open_id]],
    ]);
    expect(fake.requestsMatching('urgent_app')[0]?.query.user_id_type).toBe('open_id');
  });

  it('userName reads the contact once and then from Redis; a denied read gives null and says so once', async () => {
    const lc = client();
    expect(await lc.userName(ALICE.open_id)).toBe('Alice');
    expect(await lc.userName(ALICE.open_id)).toBe('Alice');
    expect(await client().userName(ALICE.open_id)).toBe('Alice'); // another replica: Redis
    expect(fake.requestsMatching(`GET /open-apis/contact/v3/users/${ALICE.open_id}`)).toHaveLength(1);
    expect(await redis.ttl(`${prefix}:lark:user:${ALICE.open_id}`)).toBeGreaterThan(23 * 3600);

    fake.denyContactRead(true);
    const before = captured.lines.length;
    expect(await lc.userName(BOB.open_id)).toBeNull();
    expect(await lc.userName('ou_unknown')).toBeNull();
    expect(await lc.userName(BOB.open_id)).toBeNull(); // cached "unknown"
    expect(fake.requestsMatching(`GET /open-apis/contact/v3/users/${BOB.open_id}`)).toHaveLength(1);
    const ttl = await redis.ttl(`${prefix}:lark:user:${BOB.open_id}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(600);
    const scopeNotes = captured.lines.slice(before).filter((l) => l.includes('"level":"info"') && l.includes('contact scope'));
    expect(scopeNotes).toHaveLength(1);
  });

  it('openIdsFor maps the emails and mobiles Lark found to open_ids', async () => {
    const lc = client();
    const ids = await lc.openIdsFor({ emails: ['Alice@Example.com', 'nobody@example.com'], mobiles: ['13022222222', '13099999999'] });
    expect([...ids.entries()].sort()).toEqual([
      ['13022222222', BOB.open_id],
      ['Alice@Example.com', ALICE.open_id],
    ]);
    const calls = fake.requestsMatching('batch_get_id');
    expect(calls.every((r) => r.query.user_id_type === 'open_id')).toBe(true);
    expect(await lc.openIdsFor({})).toEqual(new Map());
  });

  it('botOpenId is fetched once, then served from memory and from Redis', async () => {
    const lc = client();
    const [a, b] = await Promise.all([lc.botOpenId(), lc.botOpenId()]);
    expect(a).toBe(fake.botOpenId);
    expect(b).toBe(fake.botOpenId);
    expect(await lc.botOpenId()).toBe(fake.botOpenId);
    expect(await client().botOpenId()).toBe(fake.botOpenId);
    expect(fake.requestsMatching('GET /open-apis/bot/v3/info')).toHaveLength(1);
    const ttl = await redis.ttl(`${prefix}:lark:bot-open-id`);
    expect(ttl).toBeGreaterThan(23 * 3600);
    expect(ttl).toBeLessThanOrEqual(24 * 3600);
  });
});

describe('LarkClient failures', () => {
  it('HTTP 500 → retryable LarkApiError', async () => {
    const lc = client();
    fake.failNext(SEND, { kind: 'status', status: 500 });
    const err = await failure(lc.sendCard(CHAT, card('x'), 'fail-500'));
    expect(err).not.toBeInstanceOf(LarkRateLimited);
    expect(err.retryable).toBe(true);
    expect(err.httpStatus).toBe(500);
    expect(err.message).toContain('im.message.create');
  });

  it('HTTP 429 rate limit with reset 2 s → LarkRateLimited retryAfterMs 2000', async () => {
    const lc = client();
    fake.failNext(SEND, { kind: 'rateLimit', resetSeconds: 2 });
    const err = await failure(lc.sendCard(CHAT, card('x'), 'fail-429'));
    expect(err).toBeInstanceOf(LarkRateLimited);
    expect((err as LarkRateLimited).retryAfterMs).toBe(2000);
    expect(err.larkCode).toBe(99991400);
    expect(err.httpStatus).toBe(429);
    expect(err.retryable).toBe(true);
  });

  it('230002 (bot not in chat) → non-retryable with Lark code and msg', async () => {
    const lc = client();
    fake.failNext(SEND, { kind: 'status', status: 400, code: 230002, msg: 'Bot is not in the chat' });
    const err = await failure(lc.sendCard(CHAT, card('x'), 'fail-230002'));
    expect(err).not.toBeInstanceOf(LarkRateLimited);
    expect(err.retryable).toBe(false);
    expect(err.larkCode).toBe(230002);
    expect(err.message).toContain('im.message.create');
    expect(err.message).toContain('Bot is not in the chat');
    expect(err.message).toContain('230002');
  });

  it('HTTP 200 with code != 0 is an error', async () => {
    const lc = client();
    fake.failNext(SEND, { kind: 'status', status: 200, code: 230099, msg: 'Failed to create card content' });
    const err = await failure(lc.sendCard(CHAT, card('x'), 'fail-200'));
    expect(err.larkCode).toBe(230099);
    expect(err.httpStatus).toBe(200);
    expect(err.retryable).toBe(false);
  });

  it('230020 from Lark → LarkRateLimited 1000 ms; a real bad card → 230099 non-retryable', async () => {
    const lc = client();
    fake.failNext(SEND, { kind: 'status', status: 400, code: 230020, msg: 'frequency limit' });
    const limited = await failure(lc.sendCard(CHAT, card('x'), 'fail-230020'));
    expect(limited).toBeInstanceOf(LarkRateLimited);
    expect((limited as LarkRateLimited).retryAfterMs).toBe(1000);
    const bad = await failure(lc.sendCard(CHAT, { schema: '2.0', body: { elements: 'nope' } }, 'bad-card'));
    expect(bad.larkCode).toBe(230099);
    expect(bad.retryable).toBe(false);
  });

  it('an answer slower than timeoutMs → retryable', async () => {
    const lc = client({ timeoutMs: 300 });
    await lc.botOpenId(); // token fetched without latency
    fake.setLatency(2000, SEND);
    const t0 = Date.now();
    const err = await failure(lc.sendCard(CHAT, card('slow'), 'slow-1'));
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(err.retryable).toBe(true);
    expect(err.httpStatus).toBeUndefined();
    expect(err.message).toContain('im.message.create');
  });

  it('a dropped connection → retryable', async () => {
    const lc = client();
    fake.failNext(SEND, { kind: 'drop' });
    const err = await failure(lc.sendCard(CHAT, card('x'), 'drop-1'));
    expect(err.retryable).toBe(true);
  });

  it('a token invalidated by Lark: the call fails retryable, the next one fetches a new token and succeeds', async () => {
    const lc = client();
    await lc.sendCard(CHAT, card('before'), 'tok-1');
    const firstToken = fake.requestsMatching(SEND)[0]?.headers.authorization;
    fake.invalidateTokens();
    const err = await failure(lc.sendCard(CHAT, card('during'), 'tok-2'));
    expect(err.retryable).toBe(true);
    expect(err.larkCode).toBe(99991663);
    const after = await lc.sendCard(CHAT, card('after'), 'tok-2');
    expect(after.messageId).toMatch(/^om_/);
    expect(fake.requestsMatching(TOKEN)).toHaveLength(2);
    const lastToken = fake.requestsMatching(SEND).at(-1)?.headers.authorization;
    expect(lastToken).toMatch(/^Bearer t-/);
    expect(lastToken).not.toBe(firstToken);
  });

  it('12 parallel sends to one chat from two clients (two Redis connections) stay within 5 per second', async () => {
    const redisB = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    extraRedis.push(redisB);
    const a = client();
    const b = client({ store: createStore(redisB, prefix) });
    const chat = 'oc_burst0000000000000000000000001';
    const sent = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).sendCard(chat, card(`burst ${i}`), `burst-${prefix}-${i}`)),
    );
    expect(new Set(sent.map((s) => s.messageId)).size).toBe(12);
    expect(fake.cardsIn(chat)).toHaveLength(12);
    const times = fake
      .requestsMatching(SEND)
      .filter((r) => bodyOf(r).receive_id === chat)
      .map((r) => r.at)
      .sort((x, y) => x - y);
    expect(times).toHaveLength(12);
    for (let i = 0; i + 5 < times.length; i += 1) {
      // any 6 consecutive arrivals span at least one second
      expect((times[i + 5] ?? 0) - (times[i] ?? 0)).toBeGreaterThanOrEqual(1000);
    }
  });

  it('counts outcomes in lark_requests_total', async () => {
    const text = await metrics.render();
    expect(text).toContain('larkbot_lark_requests_total{api="im.message.create",outcome="ok"}');
    expect(text).toContain('larkbot_lark_requests_total{api="im.message.create",outcome="rate_limited"}');
    expect(text).toContain('larkbot_lark_requests_total{api="im.message.create",outcome="retryable"}');
    expect(text).toContain('larkbot_lark_requests_total{api="im.message.create",outcome="error"}');
  });

  it('a wrong app secret is a non-retryable error, and the secret is not logged', async () => {
    const wrongSecret = `wrong-${randomBytes(12).toString('hex')}`;
    const before = captured.lines.length;
    const err = await failure(client({ appSecret: wrongSecret }).sendCard(CHAT, card('x'), 'wrong-secret'));
    expect(err.retryable).toBe(false);
    expect(err.larkCode).toBe(10015);
    const logged = captured.lines.slice(before).join('\n');
    expect(logged).toContain('lark sdk'); // the SDK's own error log was forwarded…
    expect(logged).not.toContain(wrongSecret); // …without the secret it sent
  });

  it('neither the app secret nor any tenant token ever appeared in the logs', async () => {
    if (process.env.LARK_CLIENT_TEST_DUMP_LOGS) console.log(captured.lines.join(''));
    expect(seenTokens.size).toBeGreaterThan(1); // the invalidation test made the fake issue a second one
    const logged = captured.lines.join('\n');
    expect(captured.lines.length).toBeGreaterThan(10);
    expect(logged).not.toContain(APP_SECRET);
    for (const token of seenTokens) expect(logged).not.toContain(token);
    expect(logged).not.toMatch(/\bt-[0-9a-f]{20,}/);
  });
});

describe('larkErrorFrom', () => {
  const axiosLike = (status: number, data: unknown, headers: Record<string, string> = {}) => ({
    isAxiosError: true,
    message: `Request failed with status code ${status}`,
    response: { status, data, headers },
  });

  it('maps rate limits to LarkRateLimited with the reset header', () => {
    const withReset = larkErrorFrom(axiosLike(429, { code: 99991400, msg: 'limit' }, { 'x-ogw-ratelimit-reset': '7' }));
    expect(withReset).toBeInstanceOf(LarkRateLimited);
    expect((withReset as LarkRateLimited).retryAfterMs).toBe(7000);
    const noHeader = larkErrorFrom(axiosLike(429, 'Too Many Requests'));
    expect((noHeader as LarkRateLimited).retryAfterMs).toBe(1000);
    const old = larkErrorFrom(axiosLike(400, { code: 99991400, msg: 'limit' }));
    expect(old).toBeInstanceOf(LarkRateLimited);
    for (const code of [230020, 11232, 11233]) {
      const e = larkErrorFrom(axiosLike(400, { code, msg: 'freq' }));
      expect(e).toBeInstanceOf(LarkRateLimited);
      expect((e as LarkRateLimited).retryAfterMs).toBe(1000);
      expect(e.larkCode).toBe(code);
    }
  });

  it('marks 5xx, transport failures and token errors retryable, the rest not', () => {
    expect(larkErrorFrom(axiosLike(502, '<html>Bad Gateway</html>')).retryable).toBe(true);
    expect(larkErrorFrom({ message: 'socket hang up', code: 'ECONNRESET' }).retryable).toBe(true);
    expect(larkErrorFrom({ message: 'connect ECONNREFUSED 127.0.0.1:1', code: 'ECONNREFUSED' }).retryable).toBe(true);
    expect(larkErrorFrom({ message: 'timeout of 300ms exceeded', code: 'ECONNABORTED' }).retryable).toBe(true);
    expect(larkErrorFrom(new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } })).retryable).toBe(true);
    for (const code of [99991663, 99991661]) expect(larkErrorFrom(axiosLike(400, { code, msg: 'token' })).retryable).toBe(true);
    for (const code of [230002, 230099, 230011, 230001]) {
      const e = larkErrorFrom(axiosLike(400, { code, msg: `lark says ${code}` }), 'im.message.reply');
      expect(e).not.toBeInstanceOf(LarkRateLimited);
      expect(e.retryable).toBe(false);
      expect(e.larkCode).toBe(code);
      expect(e.message).toBe(`im.message.reply: lark says ${code} (code ${code}, HTTP 400)`);
    }
    const existing = new LarkApiError('x', 1, 400, false);
    expect(larkErrorFrom(existing)).toBe(existing);
  });

  it('keeps tokens out of messages', () => {
    const e = larkErrorFrom(axiosLike(400, { code: 99991663, msg: 'Invalid access token t-0123456789abcdef0123' }));
    expect(e.message).not.toContain('t-0123456789abcdef0123');
  });
});
