/**
 * GuanceClient against the Guance fake over real HTTP, with the budget in the real (shared) Redis.
 * Nothing is mocked: every error comes from the fake's answers (or a tiny raw HTTP server for
 * malformed bodies the fake never sends).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import winston from 'winston';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { budgetShares, type GuanceBudgetShares } from '../../../src/config.js';
import { GuanceApiError, GuanceRateLimited, UnavailableError } from '../../../src/errors.js';
import { GuanceBudget } from '../../../src/store/guance-budget.js';
import { GuanceClient, isGuanceNotFound, type GuanceClientOptions, type SpendKind } from '../../../src/guance/client.js';
import { STATUS } from '../../../src/guance/schemas.js';
import type { Logger } from '../../../src/logger.js';
import { Metrics } from '../../../src/metrics.js';
import { CUSTOM_LEVEL_UUID, DEFAULT_CHANNEL_UUID, startGuanceFake, type GuanceFake } from '../../fakes/guance-server.js';
import { TEST_REDIS_URL, dropPrefix, testPrefix } from '../../helpers/redis.js';

/** Well-formed ids (`issue_` + 32 hex, as Guance makes them) that no issue has. */
const MISSING = `issue_${'0'.repeat(32)}`;
const ISSUE_A = `issue_${'a'.repeat(32)}`;
const API_KEY = 'wsak_0b7e4c1d9a2f4e6b8c3d5f7a9e1b2c4d';

/** Every line any logger of this file wrote, to check the key never shows up. */
const logged: string[] = [];

function captureLogger(): Logger {
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      logged.push(chunk.toString());
      callback();
    },
  });
  return winston.createLogger({
    level: 'debug',
    format: winston.format.json(),
    transports: [new winston.transports.Stream({ stream })],
  });
}

let redis: Redis;
let fake: GuanceFake;
const prefixes: string[] = [];

function budgetFor(shares: GuanceBudgetShares, options = {}): GuanceBudget {
  const prefix = testPrefix('gclient');
  prefixes.push(prefix);
  return new GuanceBudget(redis, `${prefix}:guance-budget`, shares, options);
}

function clientFor(target: { url: string }, overrides: Partial<GuanceClientOptions> = {}): GuanceClient {
  return new GuanceClient({
    baseUrl: target.url,
    apiKey: API_KEY,
    budget: budgetFor(budgetShares(1_000)),
    log: captureLogger(),
    timeoutMs: 2_000,
    waitMs: { human: 200 },
    ...overrides,
  });
}

async function failureOf(promise: Promise<unknown>): Promise<GuanceApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GuanceApiError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  await redis.ping();
  // Generous limit for the functional tests; the budget test below starts its own 20/min fake.
  fake = await startGuanceFake({ apiKey: API_KEY, requestsPerMinute: 10_000 });
});

afterAll(async () => {
  await fake.close();
  await Promise.all(prefixes.map((p) => dropPrefix(p)));
  redis.disconnect();
});

beforeEach(() => {
  fake.reset();
});

afterEach(() => {
  fake.setStatusModel(5);
});

describe('GuanceClient: endpoints', () => {
  it('lists live channels only, sending the key header and JSON content type', async () => {
    const client = clientFor(fake);
    fake.addChannel('ops');
    const old = fake.addChannel('old');
    fake.deleteChannel(old.uuid);
    const channels = await client.listChannels('human');
    expect(channels.map((c) => c.name).sort()).toEqual(['default', 'ops']);
    expect(channels.find((c) => c.name === 'default')?.uuid).toBe(DEFAULT_CHANNEL_UUID);
    const [request] = fake.requestsMatching('quick_list');
    expect(request?.headers['df-api-key']).toBe(API_KEY);
    expect(request?.headers['content-type']).toContain('application/json');
  });

  it('lists issues page by page', async () => {
    const client = clientFor(fake);
    const base = Math.floor(Date.now() / 1000) - 1_000;
    for (let i = 0; i < 5; i += 1) fake.createIssue({ name: `issue ${i}`, createAt: base + i, level: 'P1' });
    const seen: string[] = [];
    for (let pageIndex = 1; pageIndex <= 3; pageIndex += 1) {
      const { issues, pageInfo } = await client.listIssues(
        { channelUUID: DEFAULT_CHANNEL_UUID, pageIndex, pageSize: 2, startTime: base - 10, endTime: base + 100 },
        'poll',
      );
      expect(pageInfo).toEqual({ pageIndex, pageSize: 2, totalCount: 5, count: pageIndex < 3 ? 2 : 1 });
      seen.push(...issues.map((i) => i.name));
    }
    expect(seen.sort()).toEqual(['issue 0', 'issue 1', 'issue 2', 'issue 3', 'issue 4']);
    const body = fake.requestsMatching('issue/list')[0]?.body;
    expect(body).toMatchObject({ channelUUID: DEFAULT_CHANNEL_UUID, pageIndex: 1, pageSize: 2, filters: [], search: '' });
  });

  it('filters issues', async () => {
    const client = clientFor(fake);
    fake.createIssue({ name: 'open one' });
    fake.createIssue({ name: 'pending one', statusType: STATUS.pending });
    const { issues, pageInfo } = await client.listIssues(
      {
        channelUUID: DEFAULT_CHANNEL_UUID,
        pageIndex: 1,
        pageSize: 10,
        filters: [{ key: 'statusType', value: STATUS.pending, equal: true }],
      },
      'human',
    );
    expect(issues.map((i) => i.name)).toEqual(['pending one']);
    expect(pageInfo.totalCount).toBe(1);
  });

  it('gets an issue with its detail fields, and null for an unknown one', async () => {
    const client = clientFor(fake);
    const created = fake.createIssue({ name: 'disk full', level: 'P0', description: 'df says 100%', manager: ['ann@example.com'] });
    const issue = await client.getIssue(created.uuid, 'human');
    expect(issue).toMatchObject({
      uuid: created.uuid,
      name: 'disk full',
      description: 'df says 100%',
      level: 'system_level_0',
      statusType: STATUS.open,
      levelInfo: { name: 'P0', color: '#E94444' },
    });
    expect(issue?.bindChannels?.some((c) => c.uuid === DEFAULT_CHANNEL_UUID)).toBe(true);
    expect(issue?.managerInfos?.some((m) => m.email === 'ann@example.com')).toBe(true);
    expect(await client.getIssue(MISSING, 'sync')).toBeNull();
  });

  it('normalises legacy and empty levels', async () => {
    const client = clientFor(fake);
    const legacy = fake.createIssue({ name: 'legacy', level: 2 });
    const empty = fake.createIssue({ name: 'empty', level: '' });
    expect((await client.getIssue(legacy.uuid, 'human'))?.level).toBe('2');
    expect((await client.getIssue(empty.uuid, 'human'))?.level).toBeNull();
  });

  it('modifies the status, and reports a refusal with Guance’s message, not retryable', async () => {
    const client = clientFor(fake);
    const created = fake.createIssue({ name: 'to resolve' });
    const resolved = await client.modifyIssue(created.uuid, { statusType: STATUS.resolved }, 'human');
    expect(resolved.statusType).toBe(STATUS.resolved);
    expect(fake.requestsMatching('modify')[0]?.body).toEqual({ statusType: STATUS.resolved });

    fake.setStatusModel(3);
    const error = await failureOf(client.modifyIssue(created.uuid, { statusType: STATUS.working }, 'human'));
    expect(error).not.toBeInstanceOf(GuanceRateLimited);
    expect(error.retryable).toBe(false);
    expect(error.httpStatus).toBe(400);
    expect(error.errorCode).toBe('ft.ParamError');
    expect(error.message).toContain('Invalid statusType 15');
    expect(fake.issue(created.uuid)?.statusType).toBe(STATUS.resolved);
  });

  it('creates and lists replies', async () => {
    const client = clientFor(fake);
    const issue = fake.createIssue({ name: 'with replies' });
    fake.addReply(issue.uuid, { content: 'looking', authorName: 'Bob' });
    const reply = await client.createReply(
      { issueUUID: issue.uuid, content: '[Lark] Ann: on it', extend: { extra: { creator: { name: 'Ann' } } } },
      'human',
    );
    expect(reply).toMatchObject({ issueUUID: issue.uuid, content: '[Lark] Ann: on it', type: 'reply', creator: API_KEY });
    expect(reply.uuid).toMatch(/^repim_/);
    expect(reply.extend).toMatchObject({ extra: { creator: { name: 'Ann' } } });

    const { replies, totalCount } = await client.listReplies(issue.uuid, { pageIndex: 1, pageSize: 1, ordering: '-createAt' }, 'sync');
    expect(totalCount).toBeGreaterThanOrEqual(2);
    expect(replies).toHaveLength(1);
    const listed = fake.requestsMatching('reply/')[1];
    expect(listed?.query).toEqual({ ordering: '-createAt', pageIndex: '1', pageSize: '1' });

    const all = await client.listReplies(issue.uuid, { pageIndex: 1, pageSize: 50 }, 'sync');
    expect(all.replies.map((r) => r.content)).toEqual(expect.arrayContaining(['looking', '[Lark] Ann: on it']));
    expect(all.replies.find((r) => r.content === 'looking')?.creatorInfo?.name).toBe('Bob');
  });

  it('lists levels', async () => {
    const client = clientFor(fake);
    const levels = await client.listLevels('human');
    expect(levels.map((l) => l.name)).toEqual(['P0', 'P1', 'P2', 'P3', 'custom-1']);
    expect(levels.find((l) => l.uuid === CUSTOM_LEVEL_UUID)?.color).toBe('#E94444');
  });
});

describe('GuanceClient: failures', () => {
  it('HTTP 500 is a retryable GuanceApiError', async () => {
    const client = clientFor(fake);
    fake.failNext('issue/list', { kind: 'status', status: 500 });
    const error = await failureOf(client.listIssues({ channelUUID: DEFAULT_CHANNEL_UUID, pageIndex: 1, pageSize: 10 }, 'poll'));
    expect(error.retryable).toBe(true);
    expect(error.httpStatus).toBe(500);
  });

  it('a wrong key is an auth error, not retryable', async () => {
    const client = clientFor(fake, { apiKey: 'wsak_wrong_key_value_1234' });
    const error = await failureOf(client.listChannels('human'));
    expect(error.retryable).toBe(false);
    expect(error.httpStatus).toBe(403);
    expect(error.errorCode).toBe('ft.InvalidAPIKey');
  });

  it('Guance’s rate limit pauses the budget, and later calls are not sent', async () => {
    const budget = budgetFor(budgetShares(1_000), { minPauseMs: 5_000 });
    const client = clientFor(fake, { budget });
    fake.failNext('issue-level', { kind: 'rateLimited' });
    const error = await failureOf(client.listLevels('human'));
    expect(error).toBeInstanceOf(GuanceRateLimited);
    expect(error.errorCode).toBe('ft.TriggerApiAkCurrentLimiting');
    expect((error as GuanceRateLimited).retryAfterMs).toBeGreaterThan(60_000); // the rest of the (61 s) window
    expect((await budget.usage()).pausedMs).toBeGreaterThan(60_000);

    const sent = fake.requests.length;
    for (const kind of ['human', 'poll', 'sync'] as const) {
      const next = await failureOf(client.listChannels(kind));
      expect(next).toBeInstanceOf(GuanceRateLimited);
      expect(next.errorCode).toBe('budget');
      expect(next.message).toBe('budget spent');
    }
    expect(fake.requests.length).toBe(sent);
  });

  it('a spent budget throws without sending', async () => {
    const client = clientFor(fake, { budget: budgetFor({ perMinute: 2, humanReserve: 1, pollPerMinute: 1 }) });
    await client.listLevels('poll');
    const error = await failureOf(client.listLevels('poll'));
    expect(error).toBeInstanceOf(GuanceRateLimited);
    expect((error as GuanceRateLimited).retryAfterMs).toBeGreaterThan(50_000);
    expect(fake.requestsMatching('issue-level')).toHaveLength(1);
  });

  it('an answer slower than the timeout is a retryable timeout', async () => {
    const client = clientFor(fake, { timeoutMs: 150 });
    fake.setLatency(800, 'quick_list');
    const started = Date.now();
    const error = await failureOf(client.listChannels('human'));
    expect(Date.now() - started).toBeLessThan(700);
    expect(error.retryable).toBe(true);
    expect(error.errorCode).toBe('timeout');
    fake.setLatency(0, 'quick_list');
  });

  it('a dropped connection is retryable', async () => {
    const client = clientFor(fake);
    fake.failNext('issue-level', { kind: 'drop' });
    const error = await failureOf(client.listLevels('sync'));
    expect(error.retryable).toBe(true);
    expect(error.errorCode).toBe('network');
    expect(await client.listLevels('sync')).toHaveLength(5);
  });

  it('a refused connection is retryable', async () => {
    const closed = await startGuanceFake({ apiKey: API_KEY });
    const url = closed.url;
    await closed.close();
    const error = await failureOf(clientFor({ url }).listLevels('human'));
    expect(error.retryable).toBe(true);
    expect(error.errorCode).toBe('network');
  });

  it('without Redis nothing is sent (UnavailableError)', async () => {
    const down = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    down.on('error', () => undefined);
    try {
      const client = clientFor(fake, { budget: new GuanceBudget(down, 'lgbt-unreachable:guance-budget', budgetShares(20)) });
      await expect(client.listLevels('human')).rejects.toBeInstanceOf(UnavailableError);
      expect(fake.requests).toHaveLength(0);
    } finally {
      down.disconnect();
    }
  });

  it('counts metrics by endpoint template and outcome', async () => {
    const metrics = new Metrics();
    const client = clientFor(fake, { metrics });
    const issue = fake.createIssue({ name: 'm' });
    await client.getIssue(issue.uuid, 'human');
    await client.getIssue(MISSING, 'human');
    fake.failNext('modify', { kind: 'status', status: 502 });
    await failureOf(client.modifyIssue(issue.uuid, { statusType: STATUS.pending }, 'human'));
    const text = await metrics.render();
    expect(text).toContain('larkbot_guance_requests_total{endpoint="issue/:uuid/get",outcome="ok"} 1');
    expect(text).toContain('larkbot_guance_requests_total{endpoint="issue/:uuid/get",outcome="not_found"} 1');
    expect(text).toContain('larkbot_guance_requests_total{endpoint="issue/:uuid/modify",outcome="server_error"} 1');
    expect(text).not.toContain(issue.uuid);
  });
});

describe('GuanceClient: each failure is counted and logged once', () => {
  it('a rate-limit answer: one warn line with the pause, one rate_limited count; the next call counts budget', async () => {
    const metrics = new Metrics();
    const budget = budgetFor(budgetShares(1_000), { minPauseMs: 5_000 });
    const client = clientFor(fake, { budget, metrics });
    fake.failNext('issue-level', { kind: 'rateLimited' });
    const before = logged.length;
    await failureOf(client.listLevels('human'));
    await failureOf(client.listLevels('sync'));
    const lines = logged.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>);
    const failures = lines.filter((l) => l['message'] === 'guance request failed');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      level: 'warn',
      endpoint: 'issue-level/list',
      outcome: 'rate_limited',
      status: 401,
      errorCode: 'ft.TriggerApiAkCurrentLimiting',
      retryable: true,
    });
    expect(failures[0]?.['pausedMs']).toBeGreaterThan(60_000);
    const text = await metrics.render();
    expect(text).toContain('larkbot_guance_requests_total{endpoint="issue-level/list",outcome="rate_limited"} 1');
    expect(text).toContain('larkbot_guance_requests_total{endpoint="issue-level/list",outcome="budget"} 1');
  });

  it('an expected 404 (getIssue) is logged at debug, not warn', async () => {
    const client = clientFor(fake);
    const before = logged.length;
    expect(await client.getIssue(MISSING, 'sync')).toBeNull();
    const failures = logged
      .slice(before)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['message'] === 'guance request failed');
    expect(failures).toEqual([expect.objectContaining({ level: 'debug', outcome: 'not_found', status: 404 })]);
  });
});

describe('GuanceClient: malformed issue ids', () => {
  it('are "not found" without a request: no budget is spent on an id Guance never made', async () => {
    const client = clientFor(fake);
    const before = fake.requests.length;
    const junk = `issue_${'9'.repeat(3000)}`;
    expect(await client.getIssue(junk, 'human')).toBeNull();
    expect(await client.getIssue('issue_ABC', 'human')).toBeNull();
    for (const call of [
      client.modifyIssue(junk, { statusType: 20 }, 'human'),
      client.createReply({ issueUUID: junk, content: 'x', extend: {} }, 'human'),
      client.listReplies(junk, { pageIndex: 1, pageSize: 10 }, 'sync'),
    ]) {
      expect(isGuanceNotFound(await failureOf(call))).toBe(true);
    }
    expect(fake.requests.length).toBe(before);
  });
});

describe('GuanceClient: malformed answers', () => {
  let raw: Server;
  let rawUrl: string;
  const answers = new Map<string, string>();

  beforeAll(async () => {
    raw = createServer((req, res) => {
      const body = answers.get(new URL(req.url ?? '/', 'http://x').pathname);
      res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
      res.end(body ?? '');
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => raw.close(resolve));
  });

  it('a schema mismatch is bad_response, not retryable, naming the path but not the body', async () => {
    answers.set(
      '/api/v1/channel/quick_list',
      JSON.stringify({ code: 200, success: true, content: [{ name: 'SECRET-BODY-TEXT', deleteAt: -1 }], traceId: 't-1' }),
    );
    const error = await failureOf(clientFor({ url: rawUrl }).listChannels('human'));
    expect(error.errorCode).toBe('bad_response');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('items.0.uuid');
    expect(error.message).not.toContain('SECRET-BODY-TEXT');
    expect(logged.join('\n')).not.toContain('SECRET-BODY-TEXT');
  });

  it('a 2xx that is not JSON is bad_response', async () => {
    answers.set('/api/v1/issue-level/list', '<html>gateway</html>');
    const error = await failureOf(clientFor({ url: rawUrl }).listLevels('human'));
    expect(error.errorCode).toBe('bad_response');
  });

  it('accepts the other shapes: list content with top-level pageInfo, float timestamps, success:false', async () => {
    const issue = {
      uuid: ISSUE_A,
      name: 'a',
      level: '',
      statusType: 10,
      createAt: 1686397319.9216194,
      updateAt: 1686397320.5,
      deleteAt: -1,
      extend: null,
      creator: 'acnt_x',
      updator: 'acnt_x',
    };
    answers.set(
      '/api/v1/issue/list',
      JSON.stringify({
        code: 200,
        success: true,
        content: [issue],
        pageInfo: { count: 1, pageIndex: 2, pageSize: 1, totalCount: 7 },
        traceId: 123,
      }),
    );
    const client = clientFor({ url: rawUrl });
    const { issues, pageInfo } = await client.listIssues({ channelUUID: 'chan_x', pageIndex: 2, pageSize: 1 }, 'poll');
    expect(pageInfo).toEqual({ count: 1, pageIndex: 2, pageSize: 1, totalCount: 7 });
    expect(issues[0]).toMatchObject({ uuid: ISSUE_A, level: null, extend: {}, description: '', createAt: 1686397319.9216194 });

    answers.set(
      `/api/v1/issue/reply/${ISSUE_A}/list`,
      JSON.stringify({ code: 403, success: false, errorCode: 'ft.NoPermission', message: 'nope', content: null }),
    );
    const error = await failureOf(client.listReplies(ISSUE_A, { pageIndex: 1, pageSize: 10 }, 'sync'));
    expect(error.httpStatus).toBe(403);
    expect(error.retryable).toBe(false);
    expect(error.message).toBe('nope');
  });
});

describe('GuanceClient: the shared budget keeps Guance’s limit', () => {
  it('40 concurrent calls of mixed kinds never exceed 20 per minute and never get rate-limited', async () => {
    const limited = await startGuanceFake({ apiKey: API_KEY, requestsPerMinute: 20 });
    try {
      const issue = limited.createIssue({ name: 'budgeted' });
      const budget = budgetFor(budgetShares(20));
      // Two clients on one budget = two replicas (each with its own Redis connection).
      const redis2 = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
      const prefix = prefixes[prefixes.length - 1] ?? '';
      const budget2 = new GuanceBudget(redis2, `${prefix}:guance-budget`, budgetShares(20));
      const a = clientFor(limited, { budget, waitMs: { human: 300 } });
      const b = clientFor(limited, { budget: budget2, waitMs: { human: 300 } });
      const kinds: SpendKind[] = ['human', 'poll', 'sync', 'human'];
      const calls = Array.from({ length: 40 }, (_, i) => {
        const client = i % 2 === 0 ? a : b;
        const kind = kinds[i % kinds.length] ?? 'human';
        const call: Promise<unknown> =
          i % 3 === 0
            ? client.getIssue(issue.uuid, kind)
            : i % 3 === 1
              ? client.listReplies(issue.uuid, { pageIndex: 1, pageSize: 10 }, kind)
              : client.listIssues({ channelUUID: limited.defaultChannelUUID, pageIndex: 1, pageSize: 10 }, kind);
        return call.then(
          () => 'ok' as const,
          (error: unknown) => (error instanceof GuanceRateLimited && error.errorCode === 'budget' ? ('budget' as const) : error),
        );
      });
      const results = await Promise.all(calls);
      redis2.disconnect();
      expect(results.filter((r) => r !== 'ok' && r !== 'budget')).toEqual([]);
      expect(results.filter((r) => r === 'ok').length).toBe(limited.requests.length);
      expect(limited.requests.length).toBeLessThanOrEqual(20);
      expect(limited.requests.length).toBeGreaterThanOrEqual(15);
      expect(limited.maxRequestsPerMinute()).toBeLessThanOrEqual(20);
      expect(limited.requests.some((r) => r.rateLimited)).toBe(false);
      const usage = await budget.usage();
      expect(usage.total).toBe(limited.requests.length);
      expect(usage.poll).toBeLessThanOrEqual(10);
      expect(usage.sync).toBeLessThanOrEqual(5);
    } finally {
      await limited.close();
    }
  });
});

describe('GuanceClient: the key stays secret', () => {
  it('never writes the API key to the log, whatever failed', async () => {
    const client = clientFor(fake, { timeoutMs: 150 });
    fake.failNext('quick_list', { kind: 'status', status: 500, message: `echo ${API_KEY}` });
    const echoed = await failureOf(client.listChannels('human'));
    expect(echoed.message).not.toContain(API_KEY);
    fake.failNext('quick_list', { kind: 'status', status: 400, message: `bad key ${API_KEY}` });
    expect((await failureOf(client.listChannels('human'))).message).not.toContain(API_KEY);
    fake.failNext('quick_list', { kind: 'drop' });
    await failureOf(client.listChannels('human'));
    fake.setLatency(500, 'quick_list');
    await failureOf(client.listChannels('human'));
    fake.setLatency(0, 'quick_list');
    await client.getIssue(MISSING, 'human');

    expect(logged.length).toBeGreaterThan(10);
    const all = logged.join('\n');
    expect(all).not.toContain(API_KEY);
    // Each failure logged once at warn, with the fields support needs.
    const warn = logged.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['level'] === 'warn');
    const serverError = warn.find((l) => l['status'] === 500 && l['endpoint'] === 'channel/quick_list');
    expect(serverError).toMatchObject({ errorCode: 'ft.InternalError', outcome: 'server_error' });
    expect(String(serverError?.['traceId'])).toMatch(/^TRACE-/);
  });
});
