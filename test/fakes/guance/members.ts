/**
 * Workspace members (成员) of the Guance fake: `GET /api/v1/workspace/members/list`
 * (../shared/reference/guance-openapi.md §2.7, envelope §1.3, paging §1.5; the field set is the
 * published response sample of docs/zh/open-api/workspace-member/list.md in GuanceCloud/guance-docs).
 *
 * Only members a test adds with `addMember` are listed; the people helpers make up from a name
 * (`createIssue({creatorName})`, `manager: ['Alice']`) are not. A member's `acnt_…` id is known to
 * the rest of the workspace: `creatorInfo`/`updatorInfo` and the detail view's `managerInfos` show
 * its name and e-mail, and helpers given the member's name act as that member.
 */
import { createHash } from 'node:crypto';
import type { Member, PageInfo } from './wire-types.js';
import { clone, type Workspace } from './workspace.js';

/** What a test gives `addMember`. */
export interface NewMember {
  email: string;
  name: string;
  /** Default `''` (as in the sample). */
  mobile?: string;
  /** Default `general`; the sample shows `owner`. */
  role?: string;
}

/** `acnt_` + 32 hex digits derived from the e-mail (trimmed, lower-cased): stable across runs. */
export function memberUuid(email: string): string {
  return `acnt_${createHash('sha256').update(`member:${email.trim().toLowerCase()}`).digest('hex').slice(0, 32)}`;
}

export class Members {
  private readonly rows = new Map<string, Member>();
  private nextId = 18;

  constructor(private readonly ws: Workspace) {}

  /**
   * Adds a member, or updates the one with the same e-mail (case-insensitive) in place: same uuid,
   * same place in the list, new name/mobile/role. A missing name or an e-mail without `@` is the
   * test's mistake (plain `Error`).
   */
  add(input: NewMember): Member {
    const email = input.email.trim();
    if (!email.includes('@')) throw new Error(`guance fake: addMember needs an e-mail address, got "${input.email}"`);
    if (input.name === '') throw new Error('guance fake: addMember needs a name');
    const uuid = memberUuid(email);
    const at = this.ws.nowSec();
    const existing = this.rows.get(uuid);
    const row: Member = {
      createAt: existing?.createAt ?? at,
      // The published sample has these two literal values.
      creator: 'extend',
      deleteAt: -1,
      email,
      extend: { user_icon: `${uuid}.png` },
      exterId: `acnt-${uuid.slice(5, 27)}`,
      id: existing?.id ?? ++this.nextId,
      mobile: input.mobile ?? existing?.mobile ?? '',
      name: input.name,
      nameSpace: '',
      role: input.role ?? existing?.role ?? 'general',
      status: 0,
      updateAt: at,
      updator: 'external',
      userIconUrl: `https://static.example.com/icon/${uuid}.png`,
      userType: 'common',
      username: email,
      uuid,
      waitAudit: 0,
    };
    this.rows.set(uuid, row);
    this.ws.setMember(uuid, row.name, row.email);
    return clone(row);
  }

  /** Every member, in the order they were first added. */
  list(): Member[] {
    return [...this.rows.values()].map(clone);
  }

  /**
   * `GET workspace/members/list`. Semantics the docs leave open, chosen here:
   * - order: the order members were first added (the docs document none);
   * - `search` ("根据名称/邮箱搜索"): case-insensitive substring of `name` or `email`; empty = all.
   */
  page(search: string | undefined, pageIndex: number, pageSize: number): { data: Member[]; pageInfo: PageInfo } {
    const needle = (search ?? '').toLowerCase();
    const matched = [...this.rows.values()].filter(
      (m) => needle === '' || m.name.toLowerCase().includes(needle) || m.email.toLowerCase().includes(needle),
    );
    const start = (pageIndex - 1) * pageSize;
    const data = matched.slice(start, start + pageSize).map(clone);
    return { data, pageInfo: { count: data.length, pageIndex, pageSize, totalCount: matched.length } };
  }

  reset(): void {
    for (const uuid of this.rows.keys()) this.ws.forgetMember(uuid);
    this.rows.clear();
  }
}
