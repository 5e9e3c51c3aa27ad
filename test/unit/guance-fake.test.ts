/**
 * The Guance OpenAPI fake, driven over real HTTP with fetch. The clock is injected (`now`) so the
 * rate-limit window and the issue time windows move without sleeping.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  startGuanceFake,
  type Channel,
  type GuanceFake,
  type GuanceFakeOptions,
  type Issue,
  type IssueDetail,
  type IssueLevel,
  type PageInfo,
  type Reply,
  type ReplyWritten,
} from '../fakes/guance-server.js';

interface Envelope<T> {
  code: number;
  content: T;
  errorCode: string;
  message: string;
  success: boolean;
  traceId: string;
  pageInfo?: PageInfo;
}

interface CallOptions {
  /** `null` sends no key at all. */
  key?: string | null;
  /** Sent as-is instead of JSON-encoding `body`. */
  raw?: string;
}

const T0 = Date.UTC(2024, 4, 1, 8, 0, 0); // ms
const SEC0 = T0 / 1000;

let clock = T0;
let fake: GuanceFake;

async function start(options: GuanceFakeOptions = {}): Promise<GuanceFake> {
  clock = T0;
  fake = await startGuanceFake({ now: () => clock, ...options });
  return fake;
}

async function call<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  opts: CallOptions = {},
): Promise<{ status: number; json: Envelope<T> }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json;charset=UTF-8' };
  const key = opts.key === undefined ? fake.apiKey : opts.key;
  if (key !== null) headers['DF-API-KEY'] = key;
  const payload = opts.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  const res = await fetch(`${fake.url}${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
  return { status: res.status, json: (await res.json()) as Envelope<T> };
}

const listIssues = (body: Record<string, unknown>) =>
  call<{ data: Issue[]; pageInfo: PageInfo }>('POST', '/api/v1/issue/list', { pageIndex: 1, pageSize: 10, ...body });

afterEach(async () => {
  await fake.close();
});

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
    expect(fake.requests.map((r) => r.status)).toEqual([403, 403]);
    expect(fake.requests[1]?.headers['df-api-key']).toBe('wsak_wrong');
    expect(fake.maxRequestsPerMinute()).toBe(0);
  });

  it('speaks the success envelope and records the request', async () => {
    const { status, json } = await call('POST', '/api/v1/issue/list', { channelUUID: fake.defaultChannelUUID, pageIndex: 1, pageSize: 20 });
    expect(status).toBe(200);
    expect(Object.keys(json).sort()).toEqual(['code', 'content', 'errorCode', 'message', 'success', 'traceId']);
    expect(json).toMatchObject({ code: 200, errorCode: '', message: '', success: true });
    const rec = fake.requests[0];
    expect(rec).toMatchObject({
      id: 1,
      at: T0,
      method: 'POST',
      path: '/api/v1/issue/list',
      status: 200,
      errorCode: '',
      rateLimited: false,
      body: { channelUUID: fake.defaultChannelUUID, pageIndex: 1, pageSize: 20 },
    });
    expect(rec?.headers['df-api-key']).toBe(fake.apiKey);
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
    expect(fake.requests.at(-1)?.body).toBe('{"pageIndex":');

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
      clock += 1000; // 20 requests over 19 s
    }
    const { status, json } = await ping(); // t = 20 s
    expect(status).toBe(401);
    expect(json).toMatchObject({ code: 401, content: null, errorCode: 'ft.TriggerApiAkCurrentLimiting', success: false });
    expect(json.message).not.toBe('');
    expect(fake.requests.at(-1)).toMatchObject({ status: 401, rateLimited: true, errorCode: 'ft.TriggerApiAkCurrentLimiting' });
    expect(fake.maxRequestsPerMinute()).toBe(21);
  });

  it('rolls the window, and counts rejected requests by default', async () => {
    await start();
    for (let i = 0; i < 20; i += 1) await ping(); // all at t = 0
    clock = T0 + 59_999;
    expect((await ping()).status).toBe(401); // counted: now 21 in the window
    clock = T0 + 60_000; // the first 20 left the window; the rejected one (59.999 s) is still in it
    expect((await ping()).status).toBe(200);
    for (let i = 0; i < 18; i += 1) expect((await ping()).status).toBe(200);
    expect((await ping()).status).toBe(401); // 1 rejected + 19 ok + this one
    expect(fake.maxRequestsPerMinute()).toBe(21);
  });

  it('with countRejected: false, rejected requests do not hold the window', async () => {
    await start({ countRejected: false, requestsPerMinute: 3 });
    for (let i = 0; i < 3; i += 1) expect((await ping()).status).toBe(200);
    clock += 30_000;
    for (let i = 0; i < 5; i += 1) expect((await ping()).status).toBe(401);
    clock = T0 + 60_000;
    for (let i = 0; i < 3; i += 1) expect((await ping()).status).toBe(200);
    // maxRequestsPerMinute still sees everything the client sent.
    expect(fake.maxRequestsPerMinute()).toBe(8);
  });

  it('maxRequestsPerMinute is the busiest rolling 60 s window', async () => {
    await start();
    for (let i = 0; i < 5; i += 1) await ping(); // t = 0
    clock += 50_000;
    for (let i = 0; i < 7; i += 1) await ping(); // t = 50 s: window (−10 s, 50 s] holds 12
    clock += 20_000;
    for (let i = 0; i < 3; i += 1) await ping(); // t = 70 s: window (10 s, 70 s] holds 10
    expect(fake.maxRequestsPerMinute()).toBe(12);
  });
});

describe('channels and levels', () => {
  beforeEach(async () => {
    await start();
  });

  it('lists the default channel, added channels, and deleted ones with a real deleteAt', async () => {
    const ops = fake.addChannel('ops');
    const old = fake.addChannel('old');
    clock += 5000;
    fake.deleteChannel(old.uuid);
    const { status, json } = await call<Channel[]>('GET', '/api/v1/channel/quick_list');
    expect(status).toBe(200);
    expect(json.pageInfo).toBeUndefined();
    const byName = new Map(json.content.map((c) => [c.name, c]));
    expect(byName.get('default')).toMatchObject({ uuid: fake.defaultChannelUUID, deleteAt: -1, status: 0, subscribeType: '' });
    expect(fake.defaultChannelUUID).toMatch(/^chan_default/);
    expect(byName.get('ops')).toMatchObject({ uuid: ops.uuid, deleteAt: -1, workspaceUUID: fake.workspaceUUID, notifyTarget: [] });
    expect(ops.uuid).toMatch(/^chan_[0-9a-f]{32}$/);
    expect(byName.get('old')?.deleteAt).toBe(SEC0 + 5);
    expect(json.content.filter((c) => c.deleteAt === -1).map((c) => c.name).sort()).toEqual(['default', 'ops']);
    expect(() => fake.deleteChannel(fake.defaultChannelUUID)).toThrow();
  });

  it('adds and deletes channels through the API (creator = the key)', async () => {
    const added = await call<Channel>('POST', '/api/v1/channel/add', { name: 'api-chan' });
    expect(added.json.content).toMatchObject({ name: 'api-chan', creator: fake.apiKey, deleteAt: -1 });
    expect((await call('POST', '/api/v1/channel/add', { name: 'api-chan' })).status).toBe(400);
    const del = await call<boolean>('POST', `/api/v1/channel/${added.json.content.uuid}/delete`);
    expect(del.json.content).toBe(true);
    expect(fake.channels().find((c) => c.name === 'api-chan')?.deleteAt).not.toBe(-1);
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

describe('issue/list', () => {
  let ops: Channel;

  beforeEach(async () => {
    await start();
    ops = fake.addChannel('ops');
    // One issue per minute, t = 0..11 min; every third in "ops"; levels and statuses vary.
    for (let i = 0; i < 12; i += 1) {
      fake.createIssue({
        name: `issue ${i}`,
        description: i === 7 ? 'Disk FULL on db-1' : `text ${i}`,
        level: i % 2 === 0 ? 'P0' : 'system_level_2',
        resource: i < 6 ? 'checker-a' : 'checker-b',
        statusType: i % 4 === 0 ? 20 : 10,
        ...(i % 3 === 0 ? { channels: ['ops'] } : {}),
        createAt: SEC0 + i * 60,
      });
    }
  });

  it('returns content {data, pageInfo}, newest createAt first, with every issue field', async () => {
    const { status, json } = await listIssues({ channelUUID: fake.defaultChannelUUID });
    expect(status).toBe(200);
    expect(json.pageInfo).toBeUndefined();
    expect(json.content.pageInfo).toEqual({ count: 10, pageIndex: 1, pageSize: 10, totalCount: 12 });
    expect(json.content.data.map((i) => i.name).slice(0, 3)).toEqual(['issue 11', 'issue 10', 'issue 9']);
    const first = json.content.data[0];
    expect(first).toMatchObject({
      workspaceUUID: fake.workspaceUUID,
      status: 0,
      statusType: 10,
      level: 'system_level_2',
      resource: 'checker-b',
      resourceType: '',
      resourceUUID: '',
      subIdentify: '',
      deleteAt: -1,
      createAt: SEC0 + 660,
      updateAt: SEC0 + 660,
    });
    expect(first?.uuid).toMatch(/^issue_[0-9a-f]{32}$/);
    expect(first?.creator).toMatch(/^acnt_/);
    expect(first?.creatorInfo).toMatchObject({ name: 'Guance User', acntWsNickname: '', iconUrl: '' });
    expect(first?.updatorInfo.name).toBe('Guance User');
    expect(typeof first?.id).toBe('number');
    expect(first?.extend).toBeTypeOf('object');
  });

  it('pages with pageIndex (1-based) and pageSize, and refuses pageSize > 100', async () => {
    const page2 = await listIssues({ pageIndex: 2, pageSize: 5 });
    expect(page2.json.content.pageInfo).toEqual({ count: 5, pageIndex: 2, pageSize: 5, totalCount: 12 });
    expect(page2.json.content.data.map((i) => i.name)).toEqual(['issue 6', 'issue 5', 'issue 4', 'issue 3', 'issue 2']);
    const page3 = await listIssues({ pageIndex: 3, pageSize: 5 });
    expect(page3.json.content.data.map((i) => i.name)).toEqual(['issue 1', 'issue 0']);
    const page9 = await listIssues({ pageIndex: 9, pageSize: 5 });
    expect(page9.json.content.pageInfo).toEqual({ count: 0, pageIndex: 9, pageSize: 5, totalCount: 12 });
    const tooBig = await listIssues({ pageSize: 101 });
    expect(tooBig.status).toBe(400);
    expect(tooBig.json.errorCode).toBe('ft.ParamError');
  });

  it('filters by an inclusive time window in seconds', async () => {
    const { json } = await listIssues({ startTime: SEC0 + 120, endTime: SEC0 + 300 });
    expect(json.content.data.map((i) => i.name)).toEqual(['issue 5', 'issue 4', 'issue 3', 'issue 2']);
    const open = await listIssues({ startTime: SEC0 + 600 });
    expect(open.json.content.data.map((i) => i.name)).toEqual(['issue 11', 'issue 10']);
  });

  it('scopes to a channel; the default channel holds everything; unknown channels fail', async () => {
    const { json } = await listIssues({ channelUUID: ops.uuid });
    expect(json.content.data.map((i) => i.name)).toEqual(['issue 9', 'issue 6', 'issue 3', 'issue 0']);
    const missing = await listIssues({ channelUUID: 'chan_doesnotexist' });
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({ code: 400, errorCode: 'ft.ChannelNotFound', success: false });
    fake.deleteChannel(ops.uuid);
    expect((await listIssues({ channelUUID: ops.uuid })).json.errorCode).toBe('ft.ChannelNotFound');
  });

  it('filters on statusType, level and resource (equal true/false) and searches name/description', async () => {
    const resolved = await listIssues({ filters: [{ key: 'statusType', value: 20, equal: true }] });
    expect(resolved.json.content.data.map((i) => i.name)).toEqual(['issue 8', 'issue 4', 'issue 0']);

    const notResolved = await listIssues({ pageSize: 100, filters: [{ key: 'statusType', value: '20', equal: false }] });
    expect(notResolved.json.content.pageInfo.totalCount).toBe(9);

    const p0b = await listIssues({
      filters: [
        { key: 'level', value: 'system_level_0', equal: true },
        { key: 'resource', value: 'checker-b', equal: true },
      ],
    });
    expect(p0b.json.content.data.map((i) => i.name)).toEqual(['issue 10', 'issue 8', 'issue 6']);

    const anyOf = await listIssues({
      filters: [
        { key: 'statusType', value: 10, equal: true },
        { key: 'statusType', value: 20, equal: true },
      ],
    });
    expect(anyOf.json.content.pageInfo.totalCount).toBe(12);

    const search = await listIssues({ search: 'disk full' });
    expect(search.json.content.data.map((i) => i.name)).toEqual(['issue 7']);
    const byName = await listIssues({ search: 'ISSUE 1' });
    expect(byName.json.content.data.map((i) => i.name)).toEqual(['issue 11', 'issue 10', 'issue 1']);

    const badKey = await listIssues({ filters: [{ key: 'colour', value: 'x', equal: true }] });
    expect(badKey.status).toBe(400);
  });

  it('can window on updateAt instead (windowField option), and replies bump updateAt', async () => {
    await fake.close();
    await start({ windowField: 'updateAt' });
    const a = fake.createIssue({ name: 'a', createAt: SEC0 });
    fake.createIssue({ name: 'b', createAt: SEC0 + 10 });
    fake.addReply(a.uuid, { content: 'later', createAt: SEC0 + 500 });
    expect(fake.issue(a.uuid)?.updateAt).toBe(SEC0 + 500);
    const { json } = await listIssues({ startTime: SEC0 + 400, endTime: SEC0 + 600 });
    expect(json.content.data.map((i) => i.name)).toEqual(['a']);
  });
});

describe('issue get, add, modify', () => {
  it('gets one issue with the detail fields, and 404s an unknown one', async () => {
    await start();
    const issue = fake.createIssue({ name: 'boom', level: 'P3', channels: ['ops'], manager: ['Alice', 'group_abc', 'x@y.com'] });
    const { status, json } = await call<IssueDetail>('GET', `/api/v1/issue/${issue.uuid}/get`);
    expect(status).toBe(200);
    expect(json.content).toMatchObject({ uuid: issue.uuid, name: 'boom', level: 'system_level_3', attachments: [] });
    expect(json.content.levelInfo).toEqual({ color: '#C9C9C9', name: '未知' }); // as the real detail sample shows P3
    expect(json.content.bindChannels.map((c) => c.name)).toEqual(['default', 'ops']);
    expect(json.content.managerInfos).toEqual([
      expect.objectContaining({ name: 'Alice', uuid: expect.stringMatching(/^acnt_/) as unknown }),
      expect.objectContaining({ uuid: 'group_abc' }),
      { email: 'x@y.com', name: 'x@y.com' },
    ]);
    expect(json.content.creatorInfo.uuid).toBe(issue.creator);

    const missing = await call('GET', '/api/v1/issue/issue_nope/get');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ code: 404, errorCode: 'ft.IssueNotFound', success: false, content: null });
  });

  it('creates an issue via the API as the key, and validates the body', async () => {
    await start();
    const ops = fake.addChannel('ops');
    const { status, json } = await call<Issue>('POST', '/api/v1/issue/add', {
      name: 'from api',
      level: 'system_level_1',
      description: 'kong',
      extend: { channels: [{ type: '#', uuid: ops.uuid }] },
    });
    expect(status).toBe(200);
    expect(json.content).toMatchObject({ creator: fake.apiKey, statusType: 10, level: 'system_level_1' });
    expect(json.content.creatorInfo).toMatchObject({ uuid: fake.apiKey, email: fake.apiKey, username: fake.apiKey });
    expect((await listIssues({ channelUUID: ops.uuid })).json.content.data.map((i) => i.name)).toEqual(['from api']);
    expect((await call('POST', '/api/v1/issue/add', { name: 'no extend', level: 'system_level_1', description: '' })).status).toBe(400);
    expect((await call('POST', '/api/v1/issue/add', { name: 'bad level', level: 'issl_nope', description: '', extend: {} })).status).toBe(400);
  });

  it('5-state model: accepts 10, 15, 20, 25, 30; a change appends a change entry by the key', async () => {
    await start();
    const issue = fake.createIssue({ name: 'x', createAt: SEC0 });
    clock += 90_000;
    for (const statusType of [15, 20, 25, 30, 10]) {
      const { status, json } = await call<Issue>('POST', `/api/v1/issue/${issue.uuid}/modify`, { statusType });
      expect(status).toBe(200);
      expect(json.content).toMatchObject({ statusType, updator: fake.apiKey, updateAt: SEC0 + 90, createAt: SEC0 });
    }
    const changes = fake.repliesOf(issue.uuid).filter((r) => r.type === 'change');
    expect(changes).toHaveLength(6); // "created" + five status changes
    expect(changes.slice(1).every((r) => r.creator === fake.apiKey)).toBe(true);
    expect(changes[1]?.creatorInfo.name).toBe('Fake API Key');
    const bad = await call('POST', `/api/v1/issue/${issue.uuid}/modify`, { statusType: 40 });
    expect(bad.status).toBe(400);
    expect(bad.json.errorCode).toBe('ft.ParamError');
  });

  it('3-state model: refuses 15 and 25 naming the allowed values; unknown issue 404', async () => {
    await start({ statusModel: 3 });
    const issue = fake.createIssue({ name: 'x' });
    for (const statusType of [15, 25]) {
      const { status, json } = await call('POST', `/api/v1/issue/${issue.uuid}/modify`, { statusType });
      expect(status).toBe(400);
      expect(json).toMatchObject({ code: 400, errorCode: 'ft.ParamError', success: false });
      expect(json.message).toContain('10, 20, 30');
    }
    expect(fake.issue(issue.uuid)?.statusType).toBe(10);
    expect(fake.repliesOf(issue.uuid)).toHaveLength(1);
    expect((await call('POST', `/api/v1/issue/${issue.uuid}/modify`, { statusType: 20 })).status).toBe(200);
    expect(fake.issue(issue.uuid)?.statusType).toBe(20);
    expect((await call('POST', '/api/v1/issue/issue_nope/modify', { statusType: 20 })).status).toBe(404);
    expect(() => fake.setStatus(issue.uuid, 15)).toThrow(/3-state/);
  });

  it('can hand out fractional-second timestamps (fractionalTimestamps option)', async () => {
    await start({ fractionalTimestamps: true });
    clock += 1250;
    const issue = fake.createIssue({ name: 'x' });
    expect(issue.createAt).toBe(SEC0 + 1.25);
  });

  it('modify without a status change adds no entry; extend replaces the stored one', async () => {
    await start();
    const issue = fake.createIssue({ name: 'x', manager: ['a@b.com'] });
    const { json } = await call<Issue>('POST', `/api/v1/issue/${issue.uuid}/modify`, { statusType: 10, extend: { linkList: [] } });
    expect(json.content.extend).toEqual({ linkList: [] });
    expect(fake.repliesOf(issue.uuid)).toHaveLength(1);
  });
});

describe('replies', () => {
  let issue: Issue;

  beforeEach(async () => {
    await start();
    issue = fake.createIssue({ name: 'x', createAt: SEC0 });
  });

  it('creates a reply as the API key, keeps extend, bumps the issue updateAt', async () => {
    clock += 120_000;
    const extend = { members: [], channels: [], linkList: [], extra: { creator: { name: '张三', email: '' } }, larkBot: true };
    const { status, json } = await call<ReplyWritten>('POST', '/api/v1/issue/reply/create', {
      issueUUID: issue.uuid,
      content: '[Lark] 张三: on it',
      attachmentUuids: [],
      extend,
    });
    expect(status).toBe(200);
    expect(json.content).toMatchObject({
      content: '[Lark] 张三: on it',
      creator: fake.apiKey,
      updator: fake.apiKey,
      id: null,
      type: 'reply',
      status: 0,
      deleteAt: -1,
      issueUUID: issue.uuid,
      workspaceUUID: fake.workspaceUUID,
      createAt: SEC0 + 120,
      extend,
    });
    expect(json.content.uuid).toMatch(/^repim_[0-9a-f]{32}$/);
    expect(fake.issue(issue.uuid)?.updateAt).toBe(SEC0 + 120);
    expect(fake.issue(issue.uuid)?.updator).toBe(issue.creator);
    const stored = fake.repliesOf(issue.uuid).at(-1);
    expect(stored).toMatchObject({ creator: fake.apiKey, extend, type: 'reply' });
    expect(typeof stored?.id).toBe('number');
  });

  it('requires extend, limits content to 65535, 404s an unknown issue', async () => {
    const noExtend = await call('POST', '/api/v1/issue/reply/create', { issueUUID: issue.uuid, content: 'x' });
    expect(noExtend.status).toBe(400);
    expect(noExtend.json.message).toContain('extend');
    const long = await call('POST', '/api/v1/issue/reply/create', { issueUUID: issue.uuid, content: 'x'.repeat(65536), extend: {} });
    expect(long.status).toBe(400);
    const max = await call('POST', '/api/v1/issue/reply/create', { issueUUID: issue.uuid, content: '字'.repeat(65535), extend: {} });
    expect(max.status).toBe(200);
    const missing = await call('POST', '/api/v1/issue/reply/create', { issueUUID: 'issue_nope', content: 'x', extend: {} });
    expect(missing.status).toBe(404);
    expect(missing.json.errorCode).toBe('ft.IssueNotFound');
  });

  it('lists replies with top-level pageInfo, ordering and paging', async () => {
    for (let i = 1; i <= 4; i += 1) fake.addReply(issue.uuid, { content: `r${i}`, authorName: 'Bob', createAt: SEC0 + i * 10 });
    const path = `/api/v1/issue/reply/${issue.uuid}/list`;

    const newest = await call<Reply[]>('GET', `${path}?ordering=-createAt&pageIndex=1&pageSize=2`);
    expect(newest.status).toBe(200);
    expect(newest.json.pageInfo).toEqual({ count: 2, pageIndex: 1, pageSize: 2, totalCount: 5 });
    expect(newest.json.content.map((r) => r.content)).toEqual(['r4', 'r3']);
    const r4 = newest.json.content[0];
    expect(r4).toMatchObject({ type: 'reply', is_modify: false, attachmentsList: [], deleteAt: -1, issueUUID: issue.uuid });
    expect(r4?.creatorInfo.name).toBe('Bob');
    expect(r4?.creator).toMatch(/^acnt_/);

    const page3 = await call<Reply[]>('GET', `${path}?ordering=-createAt&pageIndex=3&pageSize=2`);
    expect(page3.json.content.map((r) => r.content)).toEqual(['成员创建了Issue。']);
    expect(page3.json.content[0]?.type).toBe('change');

    const oldest = await call<Reply[]>('GET', `${path}?ordering=createAt`);
    expect(oldest.json.pageInfo).toEqual({ count: 5, pageIndex: 1, pageSize: 10, totalCount: 5 });
    expect(oldest.json.content.map((r) => r.content)).toEqual(['成员创建了Issue。', 'r1', 'r2', 'r3', 'r4']);

    expect((await call('GET', `${path}?ordering=name`)).status).toBe(400);
    expect((await call('GET', '/api/v1/issue/reply/issue_nope/list')).status).toBe(404);
  });

  it('modifies and deletes only its own replies', async () => {
    const mine = await call<ReplyWritten>('POST', '/api/v1/issue/reply/create', { issueUUID: issue.uuid, content: 'a', extend: {} });
    const theirs = fake.addReply(issue.uuid, { content: 'b' });
    const mod = await call<ReplyWritten>('POST', `/api/v1/issue/reply/${mine.json.content.uuid}/modify`, {
      issueUUID: issue.uuid,
      content: 'a2',
      extend: { text: 'a2' },
    });
    expect(mod.json.content).toMatchObject({ content: 'a2', extend: { text: 'a2' } });
    expect(typeof mod.json.content.id).toBe('number');
    expect(fake.repliesOf(issue.uuid).find((r) => r.uuid === mine.json.content.uuid)?.is_modify).toBe(true);
    const denied = await call('POST', `/api/v1/issue/reply/${theirs.uuid}/modify`, { issueUUID: issue.uuid, content: 'x', extend: {} });
    expect(denied.status).toBe(403);
    const del = await call<boolean>('DELETE', `/api/v1/issue/reply/${mine.json.content.uuid}/delete`);
    expect(del.json.content).toBe(true);
    expect(fake.repliesOf(issue.uuid).map((r) => r.content)).toEqual(['成员创建了Issue。', 'b']);
  });

  it('setStatus acts as a person: statusType, updateAt, updator and a change entry', async () => {
    clock += 300_000;
    fake.setStatus(issue.uuid, 20, 'Carol');
    const after = fake.issue(issue.uuid);
    expect(after).toMatchObject({ statusType: 20, updateAt: SEC0 + 300 });
    expect(after?.updatorInfo.name).toBe('Carol');
    const { json } = await call<Reply[]>('GET', `/api/v1/issue/reply/${issue.uuid}/list?ordering=-createAt`);
    const entry = json.content[0];
    expect(entry).toMatchObject({ type: 'change', createAt: SEC0 + 300, creator: after?.updator });
    expect(entry?.creatorInfo.name).toBe('Carol');
    expect(entry?.content).toContain('resolved');
    expect(() => fake.setStatus('issue_nope', 20)).toThrow();
  });
});

describe('faults, latency, reset, close', () => {
  beforeEach(async () => {
    await start();
  });

  it('failNext answers matching requests with a status fault, in order, then recovers', async () => {
    fake.failNext('POST /api/v1/issue/list', { kind: 'status', status: 500 }, 2);
    fake.failNext(/issue\/list/, { kind: 'status', status: 502, errorCode: 'ft.Gateway', message: 'bad gateway' });
    expect((await call('GET', '/api/v1/issue-level/list')).status).toBe(200); // not matching
    const first = await listIssues({});
    expect(first.status).toBe(500);
    expect(first.json).toMatchObject({ code: 500, success: false, content: null });
    expect((await listIssues({})).status).toBe(500);
    const third = await listIssues({});
    expect(third.status).toBe(502);
    expect(third.json).toMatchObject({ errorCode: 'ft.Gateway', message: 'bad gateway' });
    expect((await listIssues({})).status).toBe(200);
    expect(fake.requestsMatching('issue/list').map((r) => r.status)).toEqual([500, 500, 502, 200]);
    // Faulted requests still reached the server with the key: they count.
    expect(fake.maxRequestsPerMinute()).toBe(5);
  });

  it('failNext rateLimited forces the real limiter answer', async () => {
    fake.failNext('reply/create', { kind: 'rateLimited' });
    const { status, json } = await call('POST', '/api/v1/issue/reply/create', { issueUUID: 'x', extend: {} });
    expect(status).toBe(401);
    expect(json).toMatchObject({ code: 401, errorCode: 'ft.TriggerApiAkCurrentLimiting', success: false, content: null });
    expect(fake.requests[0]?.rateLimited).toBe(true);
  });

  it('failNext drop closes the connection without an answer; the server lives on', async () => {
    fake.failNext('quick_list', { kind: 'drop' });
    await expect(fetch(`${fake.url}/api/v1/channel/quick_list`, { headers: { 'DF-API-KEY': fake.apiKey } })).rejects.toThrow();
    expect(fake.requests[0]).toMatchObject({ path: '/api/v1/channel/quick_list', status: 0 });
    expect((await call('GET', '/api/v1/channel/quick_list')).status).toBe(200);
  });

  it('setLatency delays matching requests only', async () => {
    fake.setLatency(250, 'quick_list');
    let t = performance.now();
    expect((await call('GET', '/api/v1/channel/quick_list')).status).toBe(200);
    const slow = performance.now() - t;
    t = performance.now();
    await call('GET', '/api/v1/issue-level/list');
    const fast = performance.now() - t;
    expect(slow).toBeGreaterThanOrEqual(240);
    expect(fast).toBeLessThan(240);
    fake.setLatency(0, 'quick_list');
    t = performance.now();
    await call('GET', '/api/v1/channel/quick_list');
    expect(performance.now() - t).toBeLessThan(240);
  });

  it('reset forgets issues, channels, requests, the window and faults', async () => {
    const issue = fake.createIssue({ name: 'x', channels: ['ops'] });
    fake.failNext('issue-level', { kind: 'status', status: 500 });
    for (let i = 0; i < 20; i += 1) await call('GET', '/api/v1/channel/quick_list');
    fake.setLatency(5000);
    fake.reset();
    expect(fake.requests).toHaveLength(0);
    expect(fake.issue(issue.uuid)).toBeUndefined();
    expect(fake.maxRequestsPerMinute()).toBe(0);
    expect((await call('GET', '/api/v1/issue-level/list')).status).toBe(200); // no fault, no latency, not limited
    const { json } = await call<Channel[]>('GET', '/api/v1/channel/quick_list');
    expect(json.content.map((c) => c.name)).toEqual(['default']);
  });

  it('close stops listening (also with a request held by latency) and is idempotent', async () => {
    const url = fake.url;
    fake.setLatency(10_000);
    const pending = fetch(`${url}/api/v1/channel/quick_list`, { headers: { 'DF-API-KEY': fake.apiKey } }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const t = performance.now();
    await fake.close();
    expect(performance.now() - t).toBeLessThan(2000);
    expect(await pending).toBeInstanceOf(Error);
    await fake.close();
    await expect(fetch(`${url}/api/v1/channel/quick_list`)).rejects.toThrow();
  });
});
