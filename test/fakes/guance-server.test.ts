/**
 * The Guance OpenAPI fake, driven over real HTTP with fetch: envelope, auth, the rate limiter,
 * channels and levels, faults and reset. Issues: guance/issues.test.ts; replies: guance/replies.test.ts;
 * members: guance/members.test.ts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Channel, IssueLevel } from './guance-server.js';
import { SEC0, T0, useGuanceFake } from './guance/test-kit.js';

const kit = useGuanceFake();
const { start, call, listIssues } = kit;

describe('envelope and auth', () => {
  beforeEach(async () => {
    await start();
  });

  it('answers 403 ft.InvalidAPIKey for a missing or wrong DF-API-KEY, and does not count it', async () => {
    for (const key of [null, 'wsak_wrong']) {
      const { status, json } = await call('GET', '/api/v1/channel/quick_list', undefined, { key });
      expect(status).toBe(403);
      expect(json).toMatchObject({ code: 403, content: null, errorCode: 'ft.InvalidAPIKey', success: false });
      expect(typeof json.traceId).toBe('string');
      expect(json.message).not.toBe('');
    }
    expect(kit.fake.requests.map((r) => r.status)).toEqual([403, 403]);
    expect(kit.fake.requests[1]?.headers['df-api-key']).toBe('wsak_wrong');
    expect(kit.fake.maxRequestsPerMinute()).toBe(0);
  });

  it('speaks the success envelope and records the request', async () => {
    const { status, json } = await call('POST', '/api/v1/issue/list', { channelUUID: kit.fake.defaultChannelUUID, pageIndex: 1, pageSize: 20 });
    expect(status).toBe(200);
    expect(Object.keys(json).sort()).toEqual(['code', 'content', 'errorCode', 'message', 'success', 'traceId']);
    expect(json).toMatchObject({ code: 200, errorCode: '', message: '', success: true });
    const rec = kit.fake.requests[0];
    expect(rec).toMatchObject({
      id: 1,
      at: T0,
      method: 'POST',
      path: '/api/v1/issue/list',
      status: 200,
      errorCode: '',
      rateLimited: false,
      body: { channelUUID: kit.fake.defaultChannelUUID, pageIndex: 1, pageSize: 20 },
    });
    expect(rec?.headers['df-api-key']).toBe(kit.fake.apiKey);
  });

  it('answers unknown paths 404, wrong methods 405 and malformed JSON 400, all as envelopes', async () => {
    const unknown = await call('GET', '/api/v1/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ code: 404, success: false, errorCode: 'ft.NotFound' });

    const method = await call('GET', '/api/v1/issue/list');
    expect(method.status).toBe(405);
    expect(method.json.success).toBe(false);

    const bad = await call('POST', '/api/v1/issue/list', undefined, { raw: '{"pageIndex":' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ code: 400, errorCode: 'ft.ParamError', success: false, content: null });
    expect(kit.fake.requests.at(-1)?.body).toBe('{"pageIndex":');

    // Still alive.
    expect((await call('GET', '/api/v1/channel/quick_list')).status).toBe(200);
  });

  it('answers 413 for an oversized body without crashing', async () => {
    const { status, json } = await call('POST', '/api/v1/issue/reply/create', { content: 'x'.repeat(3 * 1024 * 1024) });
    expect(status).toBe(413);
    expect(json.success).toBe(false);
    expect((await call('GET', '/api/v1/issue-level/list')).status).toBe(200);
  });
});

describe('rate limit (20 per key per rolling minute, answered 401)', () => {
  const ping = () => call('GET', '/api/v1/issue-level/list');

  it('refuses the 21st request within 60 s with 401 ft.TriggerApiAkCurrentLimiting', async () => {
    await start();
    for (let i = 0; i < 20; i += 1) {
      expect((await ping()).status).toBe(200);
      kit.clock += 1000; // 20 requests over 19 s
    }
    const { status, json } = await ping(); // t = 20 s
    expect(status).toBe(401);
    expect(json).toMatchObject({ code: 401, content: null, errorCode: 'ft.TriggerApiAkCurrentLimiting', success: false });
    expect(json.message).not.toBe('');
    expect(kit.fake.requests.at(-1)).toMatchObject({ status: 401, rateLimited: true, errorCode: 'ft.TriggerApiAkCurrentLimiting' });
    expect(kit.fake.maxRequestsPerMinute()).toBe(21);
  });

  it('rolls the window, and counts rejected requests by default', async () => {
    await start();
    for (let i = 0; i < 20; i += 1) await ping(); // all at t = 0
    kit.clock = T0 + 59_999;
    expect((await ping()).status).toBe(401); // counted: now 21 in the window
    kit.clock = T0 + 60_000; // the first 20 left the window; the rejected one (59.999 s) is still in it
    expect((await ping()).status).toBe(200);
    for (let i = 0; i < 18; i += 1) expect((await ping()).status).toBe(200);
    expect((await ping()).status).toBe(401); // 1 rejected + 19 ok + this one
    expect(kit.fake.maxRequestsPerMinute()).toBe(21);
  });

  it('with countRejected: false, rejected requests do not hold the window', async () => {
    await start({ countRejected: false, requestsPerMinute: 3 });
    for (let i = 0; i < 3; i += 1) expect((await ping()).status).toBe(200);
    kit.clock += 30_000;
    for (let i = 0; i < 5; i += 1) expect((await ping()).status).toBe(401);
    kit.clock = T0 + 60_000;
    for (let i = 0; i < 3; i += 1) expect((await ping()).status).toBe(200);
    // maxRequestsPerMinute still sees everything the client sent.
    expect(kit.fake.maxRequestsPerMinute()).toBe(8);
  });

  it('maxRequestsPerMinute is the busiest rolling 60 s window', async () => {
    await start();
    for (let i = 0; i < 5; i += 1) await ping(); // t = 0
    kit.clock += 50_000;
    for (let i = 0; i < 7; i += 1) await ping(); // t = 50 s: window (−10 s, 50 s] holds 12
    kit.clock += 20_000;
    for (let i = 0; i < 3; i += 1) await ping(); // t = 70 s: window (10 s, 70 s] holds 10
    expect(kit.fake.maxRequestsPerMinute()).toBe(12);
  });
});

describe('channels and levels', () => {
  beforeEach(async () => {
    await start();
  });

  it('lists the default channel, added channels, and deleted ones with a real deleteAt', async () => {
    const ops = kit.fake.addChannel('ops');
    const old = kit.fake.addChannel('old');
    kit.clock += 5000;
    kit.fake.deleteChannel(old.uuid);
    const { status, json } = await call<Channel[]>('GET', '/api/v1/channel/quick_list');
    expect(status).toBe(200);
    expect(json.pageInfo).toBeUndefined();
    const byName = new Map(json.content.map((c) => [c.name, c]));
    expect(byName.get('default')).toMatchObject({ uuid: kit.fake.defaultChannelUUID, deleteAt: -1, status: 0, subscribeType: '' });
    expect(kit.fake.defaultChannelUUID).toMatch(/^chan_default/);
    expect(byName.get('ops')).toMatchObject({ uuid: ops.uuid, deleteAt: -1, workspaceUUID: kit.fake.workspaceUUID, notifyTarget: [] });
    expect(ops.uuid).toMatch(/^chan_[0-9a-f]{32}$/);
    expect(byName.get('old')?.deleteAt).toBe(SEC0 + 5);
    expect(json.content.filter((c) => c.deleteAt === -1).map((c) => c.name).sort()).toEqual(['default', 'ops']);
    expect(() => kit.fake.deleteChannel(kit.fake.defaultChannelUUID)).toThrow();
  });

  it('adds and deletes channels through the API (creator = the key)', async () => {
    const added = await call<Channel>('POST', '/api/v1/channel/add', { name: 'api-chan' });
    expect(added.json.content).toMatchObject({ name: 'api-chan', creator: kit.fake.apiKey, deleteAt: -1 });
    expect((await call('POST', '/api/v1/channel/add', { name: 'api-chan' })).status).toBe(400);
    const del = await call<boolean>('POST', `/api/v1/channel/${added.json.content.uuid}/delete`);
    expect(del.json.content).toBe(true);
    expect(kit.fake.channels().find((c) => c.name === 'api-chan')?.deleteAt).not.toBe(-1);
  });

  it('lists four system levels and one custom level', async () => {
    const { json } = await call<IssueLevel[]>('GET', '/api/v1/issue-level/list');
    expect(json.pageInfo).toBeUndefined();
    expect(json.content.slice(0, 4)).toEqual([
      { color: '#E94444', description: '默认等级配置', isDefault: true, name: 'P0', uuid: 'system_level_0' },
      { color: '#FF7931', description: '默认等级配置', isDefault: true, name: 'P1', uuid: 'system_level_1' },
      { color: '#FFB44A', description: '默认等级配置', isDefault: true, name: 'P2', uuid: 'system_level_2' },
      { color: '#C9C9C9', description: '默认等级配置', isDefault: true, name: 'P3', uuid: 'system_level_3' },
    ]);
    expect(json.content).toHaveLength(5);
    expect(json.content[4]).toMatchObject({ isDefault: false, deleteAt: -1, status: 0 });
    expect(json.content[4]?.uuid).toMatch(/^issl_/);
  });
});

// Recording, drop, latency and close are the core's: core/http-fake.test.ts.
describe('faults in the Guance envelope, and reset', () => {
  beforeEach(async () => {
    await start();
  });

  it('failNext answers matching requests with a status fault, in order, then recovers', async () => {
    kit.fake.failNext('POST /api/v1/issue/list', { kind: 'status', status: 500 }, 2);
    kit.fake.failNext(/issue\/list/, { kind: 'status', status: 502, errorCode: 'ft.Gateway', message: 'bad gateway' });
    expect((await call('GET', '/api/v1/issue-level/list')).status).toBe(200); // not matching
    const first = await listIssues({});
    expect(first.status).toBe(500);
    expect(first.json).toMatchObject({ code: 500, success: false, content: null });
    expect((await listIssues({})).status).toBe(500);
    const third = await listIssues({});
    expect(third.status).toBe(502);
    expect(third.json).toMatchObject({ errorCode: 'ft.Gateway', message: 'bad gateway' });
    expect((await listIssues({})).status).toBe(200);
    expect(kit.fake.requestsMatching('issue/list').map((r) => r.status)).toEqual([500, 500, 502, 200]);
    // Faulted requests still reached the server with the key: they count.
    expect(kit.fake.maxRequestsPerMinute()).toBe(5);
  });

  it('failNext rateLimited forces the real limiter answer', async () => {
    kit.fake.failNext('reply/create', { kind: 'rateLimited' });
    const { status, json } = await call('POST', '/api/v1/issue/reply/create', { issueUUID: 'x', extend: {} });
    expect(status).toBe(401);
    expect(json).toMatchObject({ code: 401, errorCode: 'ft.TriggerApiAkCurrentLimiting', success: false, content: null });
    expect(kit.fake.requests[0]?.rateLimited).toBe(true);
  });

  it('reset forgets issues, channels, requests, the window and faults', async () => {
    const issue = kit.fake.createIssue({ name: 'x', channels: ['ops'] });
    kit.fake.failNext('issue-level', { kind: 'status', status: 500 });
    for (let i = 0; i < 20; i += 1) await call('GET', '/api/v1/channel/quick_list');
    kit.fake.setLatency(5000);
    kit.fake.reset();
    expect(kit.fake.requests).toHaveLength(0);
    expect(kit.fake.issue(issue.uuid)).toBeUndefined();
    expect(kit.fake.maxRequestsPerMinute()).toBe(0);
    expect((await call('GET', '/api/v1/issue-level/list')).status).toBe(200); // no fault, no latency, not limited
    const { json } = await call<Channel[]>('GET', '/api/v1/channel/quick_list');
    expect(json.content.map((c) => c.name)).toEqual(['default']);
  });
});
