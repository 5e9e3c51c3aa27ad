/**
 * Workspace members of the Guance fake over HTTP (workspace/members/list: paging, search, the rate
 * limit), and how members show on issues: modify replacing `extend`, `managerInfos` for a member.
 */
import { describe, expect, it } from 'vitest';
import { memberUuid, type Issue, type IssueDetail, type Member } from '../guance-server.js';
import { SEC0, useGuanceFake } from './test-kit.js';

const kit = useGuanceFake();
const { start, call } = kit;

const PEOPLE = [
  { name: 'Alice Wang', email: 'alice@example.com' },
  { name: 'Bob Li', email: 'bob@example.com' },
  { name: '张三', email: 'zhangsan@corp.cn' },
  { name: 'Carol', email: 'carol.ops@example.com' },
  { name: 'Dave', email: 'dave@corp.cn' },
];

const listMembers = (query = '') => call<Member[]>('GET', `/api/v1/workspace/members/list${query}`);

describe('addMember and members()', () => {
  it('gives a stable acnt_ id derived from the e-mail, and updates a member added again', async () => {
    await start();
    const alice = kit.fake.addMember({ name: 'Alice', email: 'alice@example.com' });
    expect(alice).toMatchObject({ uuid: expect.stringMatching(/^acnt_[0-9a-f]{32}$/) as unknown, name: 'Alice', email: 'alice@example.com' });
    expect(alice.uuid).toBe(memberUuid('alice@example.com'));
    const bob = kit.fake.addMember({ name: 'Bob', email: 'bob@example.com', mobile: '13800000000' });
    expect(bob.uuid).not.toBe(alice.uuid);

    // Same e-mail (any case): same id, updated in place, not a second member.
    const renamed = kit.fake.addMember({ name: 'Alice W.', email: 'ALICE@example.com' });
    expect(renamed.uuid).toBe(alice.uuid);
    expect(kit.fake.members().map((m) => [m.name, m.mobile])).toEqual([['Alice W.', ''], ['Bob', '13800000000']]);

    // Stable across fakes (runs).
    await kit.fake.close();
    await start();
    expect(kit.fake.addMember({ name: 'Alice', email: 'alice@example.com' }).uuid).toBe(alice.uuid);
    expect(() => kit.fake.addMember({ name: 'x', email: 'not-an-email' })).toThrow(/e-mail/);
    expect(() => kit.fake.addMember({ name: '', email: 'x@y.com' })).toThrow(/name/);
  });

  it('is not an HTTP request, and reset forgets members', async () => {
    await start();
    kit.fake.addMember(PEOPLE[0]!);
    expect(kit.fake.requests).toHaveLength(0);
    kit.fake.reset();
    expect(kit.fake.members()).toEqual([]);
    expect((await listMembers()).json.content).toEqual([]);
  });
});

describe('GET /api/v1/workspace/members/list', () => {
  it('answers content: Member[] with a top-level pageInfo, in the fields of the published sample', async () => {
    await start();
    kit.clock += 5000;
    const alice = kit.fake.addMember({ ...PEOPLE[0]!, mobile: '13800000001' });
    const { status, json } = await listMembers('?pageIndex=1&pageSize=2');
    expect(status).toBe(200);
    expect(json).toMatchObject({ code: 200, errorCode: '', message: '', success: true });
    expect(Object.keys(json).sort()).toEqual(['code', 'content', 'errorCode', 'message', 'pageInfo', 'success', 'traceId']);
    expect(json.pageInfo).toEqual({ count: 1, pageIndex: 1, pageSize: 2, totalCount: 1 });
    expect(json.content).toEqual([alice]);
    const member = json.content[0]!;
    expect(Object.keys(member).sort()).toEqual([
      'createAt', 'creator', 'deleteAt', 'email', 'extend', 'exterId', 'id', 'mobile', 'name', 'nameSpace', 'role',
      'status', 'updateAt', 'updator', 'userIconUrl', 'userType', 'username', 'uuid', 'waitAudit',
    ]);
    expect(member).toMatchObject({
      uuid: alice.uuid,
      name: 'Alice Wang',
      email: 'alice@example.com',
      username: 'alice@example.com',
      mobile: '13800000001',
      role: 'general',
      status: 0,
      deleteAt: -1,
      createAt: SEC0 + 5,
      waitAudit: 0,
    });
  });

  it('pages with pageIndex (1-based) and pageSize (default 10, at most 100)', async () => {
    await start();
    for (const p of PEOPLE) kit.fake.addMember(p);
    const names = async (query: string) => (await listMembers(query)).json.content.map((m) => m.name);

    const first = await listMembers('?pageIndex=1&pageSize=2');
    expect(first.json.pageInfo).toEqual({ count: 2, pageIndex: 1, pageSize: 2, totalCount: 5 });
    expect(first.json.content.map((m) => m.name)).toEqual(['Alice Wang', 'Bob Li']);
    expect(await names('?pageIndex=2&pageSize=2')).toEqual(['张三', 'Carol']);
    const last = await listMembers('?pageIndex=3&pageSize=2');
    expect(last.json.pageInfo).toEqual({ count: 1, pageIndex: 3, pageSize: 2, totalCount: 5 });
    expect(last.json.content.map((m) => m.name)).toEqual(['Dave']);
    expect((await listMembers('?pageIndex=4&pageSize=2')).json.pageInfo).toEqual({ count: 0, pageIndex: 4, pageSize: 2, totalCount: 5 });

    const defaults = await listMembers();
    expect(defaults.json.pageInfo).toEqual({ count: 5, pageIndex: 1, pageSize: 10, totalCount: 5 });
    expect((await listMembers('?pageSize=100')).status).toBe(200);

    for (const bad of ['?pageSize=101', '?pageSize=0', '?pageIndex=0', '?pageIndex=x', '?pageIndex=']) {
      const { status, json } = await listMembers(bad);
      expect(status, bad).toBe(400);
      expect(json).toMatchObject({ code: 400, errorCode: 'ft.ParamError', success: false, content: null });
    }
  });

  it('searches name or e-mail, case-insensitively; an empty search lists everyone', async () => {
    await start();
    for (const p of PEOPLE) kit.fake.addMember(p);
    const search = async (s: string, extra = '') => {
      const { json } = await listMembers(`?search=${encodeURIComponent(s)}${extra}`);
      return { names: json.content.map((m) => m.name), totalCount: json.pageInfo?.totalCount };
    };
    expect(await search('alice')).toEqual({ names: ['Alice Wang'], totalCount: 1 });
    expect(await search('BOB LI')).toEqual({ names: ['Bob Li'], totalCount: 1 });
    expect(await search('张')).toEqual({ names: ['张三'], totalCount: 1 });
    expect(await search('corp.cn')).toEqual({ names: ['张三', 'Dave'], totalCount: 2 });
    expect(await search('carol.ops@example.com')).toEqual({ names: ['Carol'], totalCount: 1 });
    expect(await search('example.com', '&pageIndex=2&pageSize=2')).toEqual({ names: ['Carol'], totalCount: 3 });
    expect(await search('nobody')).toEqual({ names: [], totalCount: 0 });
    expect((await search('')).totalCount).toBe(5);
  });

  it('counts against the per-minute request limit like every route, needs the key, is GET only', async () => {
    await start({ requestsPerMinute: 3 });
    kit.fake.addMember(PEOPLE[0]!);
    expect((await listMembers('?pageSize=100')).status).toBe(200);
    expect((await call('GET', '/api/v1/issue-level/list')).status).toBe(200);
    expect((await listMembers()).status).toBe(200);
    const limited = await listMembers();
    expect(limited.status).toBe(401);
    expect(limited.json).toMatchObject({ errorCode: 'ft.TriggerApiAkCurrentLimiting', success: false, content: null });
    expect(kit.fake.requestsMatching('workspace/members/list').map((r) => r.status)).toEqual([200, 200, 401]);
    expect(kit.fake.maxRequestsPerMinute()).toBe(4);

    kit.clock += 60_001;
    expect((await call('GET', '/api/v1/workspace/members/list', undefined, { key: 'wsak_wrong' })).status).toBe(403);
    expect((await call('POST', '/api/v1/workspace/members/list', {})).status).toBe(405);
  });
});

describe('members on issues', () => {
  it('managerInfos of the detail view resolves a member in extend.manager to its name, e-mail and uuid', async () => {
    await start();
    const alice = kit.fake.addMember(PEOPLE[0]!);
    const { json: added } = await call<Issue>('POST', '/api/v1/issue/add', {
      name: 'disk full',
      level: 'system_level_1',
      description: '',
      extend: {
        manager: [alice.uuid, 'acnt_unknown', 'group_ops', 'ext@y.com'],
        extra: { managerInfos: { 'ext@y.com': { name: 'External' } } },
      },
    });
    const { json } = await call<IssueDetail>('GET', `/api/v1/issue/${added.content.uuid}/get`);
    expect(json.content.managerInfos).toEqual([
      { acntWsNickname: '', email: 'alice@example.com', iconUrl: '', name: 'Alice Wang', username: 'alice@example.com', uuid: alice.uuid },
      // Unknown accounts keep the existing behaviour: the id as the name, no e-mail.
      { acntWsNickname: '', email: '', iconUrl: '', name: 'acnt_unknown', username: '', uuid: 'acnt_unknown' },
      { name: 'team-ops', uuid: 'group_ops' },
      { email: 'ext@y.com', name: 'External' },
    ]);
  });

  it('helpers given a member name act as that member (creator, assignee)', async () => {
    await start();
    const alice = kit.fake.addMember(PEOPLE[0]!);
    const issue = kit.fake.createIssue({ name: 'x', creatorName: 'Alice Wang', manager: ['Alice Wang'] });
    expect(issue.creator).toBe(alice.uuid);
    expect(issue.creatorInfo).toMatchObject({ name: 'Alice Wang', email: 'alice@example.com' });
    expect(issue.extend['manager']).toEqual([alice.uuid]);
    // A name that is not a member is still a made-up person, as before.
    const other = kit.fake.createIssue({ name: 'y', creatorName: 'Nobody' });
    expect(other.creator).toMatch(/^acnt_/);
    expect(other.creator).not.toBe(alice.uuid);
  });

  it('modify replaces extend exactly as sent; a client must read-merge-write to keep the rest', async () => {
    await start();
    const alice = kit.fake.addMember(PEOPLE[0]!);
    const bob = kit.fake.addMember(PEOPLE[1]!);
    const ops = kit.fake.addChannel('ops');
    const original = {
      channels: [{ type: '#', uuid: ops.uuid, exists: true }],
      members: [{ type: '@', uuid: alice.uuid, exists: true }],
      manager: [alice.uuid, 'ext@y.com'],
      linkList: [{ name: 'runbook', link: 'https://runbook.example.com' }],
      extra: { managerInfos: { 'ext@y.com': { name: 'External' } } },
      larkBot: { chat: 'oc_1' },
    };
    const issue = kit.fake.createIssue({ name: 'x', channels: [ops.uuid], extend: original });
    const get = async () => (await call<IssueDetail>('GET', `/api/v1/issue/${issue.uuid}/get`)).json.content;
    const modify = (body: Record<string, unknown>) => call<Issue>('POST', `/api/v1/issue/${issue.uuid}/modify`, body);

    // Sending only the manager drops every other key: replaced, not merged.
    const onlyManager = { manager: [bob.uuid] };
    const replaced = await modify({ extend: onlyManager });
    expect(replaced.status).toBe(200);
    expect(replaced.json.content.extend).toEqual(onlyManager);
    const afterReplace = await get();
    expect(afterReplace.extend).toEqual(onlyManager);
    expect(afterReplace.managerInfos).toEqual([expect.objectContaining({ uuid: bob.uuid, name: 'Bob Li', email: 'bob@example.com' })]);
    // Delivery is not undone by dropping extend.channels.
    expect(afterReplace.bindChannels.map((c) => c.name)).toEqual(['default', 'ops']);

    // Read, merge, write the whole extend: everything else survives.
    const merged = { ...original, manager: [...original.manager, bob.uuid] };
    await modify({ extend: original });
    const current = await get();
    await modify({ extend: { ...current.extend, manager: [...(current.extend['manager'] as string[]), bob.uuid] } });
    const afterMerge = await get();
    expect(afterMerge.extend).toEqual(merged);
    expect(afterMerge.managerInfos.map((m) => m.name)).toEqual(['Alice Wang', 'External', 'Bob Li']);

    // Without extend the stored one is kept; extend: {} clears it.
    await modify({ statusType: 20 });
    expect((await get()).extend).toEqual(merged);
    await modify({ extend: {} });
    const cleared = await get();
    expect(cleared.extend).toEqual({});
    expect(cleared.managerInfos).toEqual([]);
  });
});
