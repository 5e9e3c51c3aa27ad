import { describe, expect, it } from 'vitest';
import {
  GuanceEnvelopeSchema,
  GuanceIssueSchema,
  GuanceLevelSchema,
  GuanceReplySchema,
  STATUS,
  describeSchemaError,
  guanceListContent,
  resolvePageInfo,
} from '../../../../src/guance/schemas.js';

const issue = (over: Record<string, unknown> = {}) => ({
  uuid: 'issue_1',
  name: 'n',
  statusType: 10,
  createAt: 1690424627,
  updateAt: 1690424680.25,
  creator: 'acnt_1',
  updator: 'acnt_1',
  ...over,
});

describe('Guance schemas', () => {
  it('exports the status values', () => {
    expect(STATUS).toEqual({ open: 10, working: 15, resolved: 20, closed: 25, pending: 30 });
  });

  it('normalises level: uuid kept, number as text, "" and null as null', () => {
    expect(GuanceIssueSchema.parse(issue({ level: 'system_level_2' })).level).toBe('system_level_2');
    expect(GuanceIssueSchema.parse(issue({ level: 2 })).level).toBe('2');
    expect(GuanceIssueSchema.parse(issue({ level: '' })).level).toBeNull();
    expect(GuanceIssueSchema.parse(issue({ level: null })).level).toBeNull();
    expect(GuanceIssueSchema.parse(issue()).level).toBeNull();
  });

  it('fills defaults and keeps unknown fields', () => {
    const parsed = GuanceIssueSchema.parse(issue({ subIdentify: 'x', extend: null }));
    expect(parsed).toMatchObject({ description: '', resource: '', resourceType: '', extend: {}, deleteAt: -1, subIdentify: 'x' });
    expect(parsed.updateAt).toBe(1690424680.25);
    expect(parsed.creatorInfo).toBeUndefined();
  });

  it('parses a created reply (id null, no creatorInfo) and a listed one', () => {
    const created = GuanceReplySchema.parse({
      content: 'aaa',
      createAt: 1690810887,
      creator: 'acnt_1',
      deleteAt: -1,
      extend: { channels: [], linkList: [], members: [] },
      id: null,
      issueUUID: 'issue_1',
      status: 0,
      type: 'reply',
      updateAt: 1690810887,
      updator: 'acnt_1',
      uuid: 'repim_1',
    });
    expect(created).toMatchObject({ content: 'aaa', type: 'reply', id: null });
    const listed = GuanceReplySchema.parse({
      uuid: 'repim_2',
      issueUUID: 'issue_1',
      type: 'change',
      creator: 'acnt_1',
      creatorInfo: { name: '88测试', email: 'x@y', iconUrl: '' },
      createAt: 1,
      updateAt: 1,
    });
    expect(listed).toMatchObject({ content: '', extend: {}, creatorInfo: { name: '88测试' } });
  });

  it('reads list content as an array or as {data, pageInfo}', () => {
    const schema = guanceListContent(GuanceLevelSchema);
    const level = { uuid: 'system_level_0', name: 'P0', color: '#E94444', isDefault: true };
    expect(schema.parse([level])).toEqual({ items: [level], pageInfo: undefined });
    const nested = schema.parse({ data: [level], pageInfo: { count: 1, pageIndex: 1, pageSize: 20, totalCount: 1 } });
    expect(nested.items).toHaveLength(1);
    expect(nested.pageInfo?.totalCount).toBe(1);
    expect(schema.parse(null).items).toEqual([]);
    const bad = schema.safeParse([{ name: 'P9' }]);
    expect(bad.success).toBe(false);
    if (!bad.success) expect(describeSchemaError(bad.error)).toContain('items.0.uuid');
  });

  it('finds pageInfo nested or top-level, and fills gaps', () => {
    const top = GuanceEnvelopeSchema.parse({ code: 200, content: [], pageInfo: { count: 3, pageIndex: 2, pageSize: 3, totalCount: 9 }, traceId: 42 });
    expect(top.traceId).toBe('42');
    expect(resolvePageInfo({ topLevel: top.pageInfo }, { pageIndex: 1, pageSize: 10 }, 3)).toEqual({
      count: 3,
      pageIndex: 2,
      pageSize: 3,
      totalCount: 9,
    });
    expect(
      resolvePageInfo({ nested: { totalCount: 4 }, topLevel: { totalCount: 99 } }, { pageIndex: 1, pageSize: 10 }, 4),
    ).toEqual({ count: 4, pageIndex: 1, pageSize: 10, totalCount: 4 });
    expect(resolvePageInfo({}, { pageIndex: 3, pageSize: 10 }, 2)).toEqual({ count: 2, pageIndex: 3, pageSize: 10, totalCount: 22 });
  });

  it('tolerates an envelope without the optional fields', () => {
    expect(GuanceEnvelopeSchema.parse({ content: true })).toMatchObject({ errorCode: '', message: '', traceId: '' });
  });
});
