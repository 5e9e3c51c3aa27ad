/** Replies of the Guance fake over HTTP: create, list, modify, delete, and change entries. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Issue, Reply, ReplyWritten } from '../guance-server.js';
import { SEC0, useGuanceFake } from './test-kit.js';

const kit = useGuanceFake();
const { start, call } = kit;

describe('replies', () => {
  let issue: Issue;

  beforeEach(async () => {
    await start();
    issue = kit.fake.createIssue({ name: 'x', createAt: SEC0 });
  });

  it('creates a reply as the API key, keeps extend, bumps the issue updateAt', async () => {
    kit.clock += 120_000;
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
      creator: kit.fake.apiKey,
      updator: kit.fake.apiKey,
      id: null,
      type: 'reply',
      status: 0,
      deleteAt: -1,
      issueUUID: issue.uuid,
      workspaceUUID: kit.fake.workspaceUUID,
      createAt: SEC0 + 120,
      extend,
    });
    expect(json.content.uuid).toMatch(/^repim_[0-9a-f]{32}$/);
    expect(kit.fake.issue(issue.uuid)?.updateAt).toBe(SEC0 + 120);
    expect(kit.fake.issue(issue.uuid)?.updator).toBe(issue.creator);
    const stored = kit.fake.repliesOf(issue.uuid).at(-1);
    expect(stored).toMatchObject({ creator: kit.fake.apiKey, extend, type: 'reply' });
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
    for (let i = 1; i <= 4; i += 1) kit.fake.addReply(issue.uuid, { content: `r${i}`, authorName: 'Bob', createAt: SEC0 + i * 10 });
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
    const theirs = kit.fake.addReply(issue.uuid, { content: 'b' });
    const mod = await call<ReplyWritten>('POST', `/api/v1/issue/reply/${mine.json.content.uuid}/modify`, {
      issueUUID: issue.uuid,
      content: 'a2',
      extend: { text: 'a2' },
    });
    expect(mod.json.content).toMatchObject({ content: 'a2', extend: { text: 'a2' } });
    expect(typeof mod.json.content.id).toBe('number');
    expect(kit.fake.repliesOf(issue.uuid).find((r) => r.uuid === mine.json.content.uuid)?.is_modify).toBe(true);
    const denied = await call('POST', `/api/v1/issue/reply/${theirs.uuid}/modify`, { issueUUID: issue.uuid, content: 'x', extend: {} });
    expect(denied.status).toBe(403);
    const del = await call<boolean>('DELETE', `/api/v1/issue/reply/${mine.json.content.uuid}/delete`);
    expect(del.json.content).toBe(true);
    expect(kit.fake.repliesOf(issue.uuid).map((r) => r.content)).toEqual(['成员创建了Issue。', 'b']);
  });

  it('setStatus acts as a person: statusType, updateAt, updator and a change entry', async () => {
    kit.clock += 300_000;
    kit.fake.setStatus(issue.uuid, 20, 'Carol');
    const after = kit.fake.issue(issue.uuid);
    expect(after).toMatchObject({ statusType: 20, updateAt: SEC0 + 300 });
    expect(after?.updatorInfo.name).toBe('Carol');
    const { json } = await call<Reply[]>('GET', `/api/v1/issue/reply/${issue.uuid}/list?ordering=-createAt`);
    const entry = json.content[0];
    expect(entry).toMatchObject({ type: 'change', createAt: SEC0 + 300, creator: after?.updator });
    expect(entry?.creatorInfo.name).toBe('Carol');
    expect(entry?.content).toContain('resolved');
    expect(() => kit.fake.setStatus('issue_nope', 20)).toThrow();
  });
});
