/** Issues of the Guance fake over HTTP: issue/list (window, filters, paging), get, add, modify. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Channel, Issue, IssueDetail } from '../guance-server.js';
import { SEC0, useGuanceFake } from './test-kit.js';

const kit = useGuanceFake();
const { start, call, listIssues } = kit;

describe('issue/list', () => {
  let ops: Channel;

  beforeEach(async () => {
    await start();
    ops = kit.fake.addChannel('ops');
    // One issue per minute, t = 0..11 min; every third in "ops"; levels and statuses vary.
    for (let i = 0; i < 12; i += 1) {
      kit.fake.createIssue({
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
    const { status, json } = await listIssues({ channelUUID: kit.fake.defaultChannelUUID });
    expect(status).toBe(200);
    expect(json.pageInfo).toBeUndefined();
    expect(json.content.pageInfo).toEqual({ count: 10, pageIndex: 1, pageSize: 10, totalCount: 12 });
    expect(json.content.data.map((i) => i.name).slice(0, 3)).toEqual(['issue 11', 'issue 10', 'issue 9']);
    const first = json.content.data[0];
    expect(first).toMatchObject({
      workspaceUUID: kit.fake.workspaceUUID,
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
    kit.fake.deleteChannel(ops.uuid);
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
    await kit.fake.close();
    await start({ windowField: 'updateAt' });
    const a = kit.fake.createIssue({ name: 'a', createAt: SEC0 });
    kit.fake.createIssue({ name: 'b', createAt: SEC0 + 10 });
    kit.fake.addReply(a.uuid, { content: 'later', createAt: SEC0 + 500 });
    expect(kit.fake.issue(a.uuid)?.updateAt).toBe(SEC0 + 500);
    const { json } = await listIssues({ startTime: SEC0 + 400, endTime: SEC0 + 600 });
    expect(json.content.data.map((i) => i.name)).toEqual(['a']);
  });
});

describe('issue get, add, modify', () => {
  it('gets one issue with the detail fields, and 404s an unknown one', async () => {
    await start();
    const issue = kit.fake.createIssue({ name: 'boom', level: 'P3', channels: ['ops'], manager: ['Alice', 'group_abc', 'x@y.com'] });
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
    const ops = kit.fake.addChannel('ops');
    const { status, json } = await call<Issue>('POST', '/api/v1/issue/add', {
      name: 'from api',
      level: 'system_level_1',
      description: 'kong',
      extend: { channels: [{ type: '#', uuid: ops.uuid }] },
    });
    expect(status).toBe(200);
    expect(json.content).toMatchObject({ creator: kit.fake.apiKey, statusType: 10, level: 'system_level_1' });
    expect(json.content.creatorInfo).toMatchObject({ uuid: kit.fake.apiKey, email: kit.fake.apiKey, username: kit.fake.apiKey });
    expect((await listIssues({ channelUUID: ops.uuid })).json.content.data.map((i) => i.name)).toEqual(['from api']);
    expect((await call('POST', '/api/v1/issue/add', { name: 'no extend', level: 'system_level_1', description: '' })).status).toBe(400);
    expect((await call('POST', '/api/v1/issue/add', { name: 'bad level', level: 'issl_nope', description: '', extend: {} })).status).toBe(400);
  });

  it('5-state model: accepts 10, 15, 20, 25, 30; a change appends a change entry by the key', async () => {
    await start();
    const issue = kit.fake.createIssue({ name: 'x', createAt: SEC0 });
    kit.clock += 90_000;
    for (const statusType of [15, 20, 25, 30, 10]) {
      const { status, json } = await call<Issue>('POST', `/api/v1/issue/${issue.uuid}/modify`, { statusType });
      expect(status).toBe(200);
      expect(json.content).toMatchObject({ statusType, updator: kit.fake.apiKey, updateAt: SEC0 + 90, createAt: SEC0 });
    }
    const changes = kit.fake.repliesOf(issue.uuid).filter((r) => r.type === 'change');
    expect(changes).toHaveLength(6); // "created" + five status changes
    expect(changes.slice(1).every((r) => r.creator === kit.fake.apiKey)).toBe(true);
    expect(changes[1]?.creatorInfo.name).toBe('Fake API Key');
    const bad = await call('POST', `/api/v1/issue/${issue.uuid}/modify`, { statusType: 40 });
    expect(bad.status).toBe(400);
    expect(bad.json.errorCode).toBe('ft.ParamError');
  });

  it('3-state model: refuses 15 and 25 naming the allowed values; unknown issue 404', async () => {
    await start({ statusModel: 3 });
    const issue = kit.fake.createIssue({ name: 'x' });
    for (const statusType of [15, 25]) {
      const { status, json } = await call('POST', `/api/v1/issue/${issue.uuid}/modify`, { statusType });
      expect(status).toBe(400);
      expect(json).toMatchObject({ code: 400, errorCode: 'ft.ParamError', success: false });
      expect(json.message).toContain('10, 20, 30');
    }
    expect(kit.fake.issue(issue.uuid)?.statusType).toBe(10);
    expect(kit.fake.repliesOf(issue.uuid)).toHaveLength(1);
    expect((await call('POST', `/api/v1/issue/${issue.uuid}/modify`, { statusType: 20 })).status).toBe(200);
    expect(kit.fake.issue(issue.uuid)?.statusType).toBe(20);
    expect((await call('POST', '/api/v1/issue/issue_nope/modify', { statusType: 20 })).status).toBe(404);
    expect(() => kit.fake.setStatus(issue.uuid, 15)).toThrow(/3-state/);
  });

  it('can hand out fractional-second timestamps (fractionalTimestamps option)', async () => {
    await start({ fractionalTimestamps: true });
    kit.clock += 1250;
    const issue = kit.fake.createIssue({ name: 'x' });
    expect(issue.createAt).toBe(SEC0 + 1.25);
  });

  it('modify without a status change adds no entry; extend replaces the stored one', async () => {
    await start();
    const issue = kit.fake.createIssue({ name: 'x', manager: ['a@b.com'] });
    const { json } = await call<Issue>('POST', `/api/v1/issue/${issue.uuid}/modify`, { statusType: 10, extend: { linkList: [] } });
    expect(json.content.extend).toEqual({ linkList: [] });
    expect(kit.fake.repliesOf(issue.uuid)).toHaveLength(1);
  });
});
