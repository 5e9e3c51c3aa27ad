/**
 * Issues of the Guance fake: create (as a person in the UI or as the API key), detail, list with
 * the time window / filters / paging, modify with the status model and change entries
 * (../shared/reference/guance-openapi.md §2.2, §2.3).
 */
import { mentionedChannels, type Channels } from './channels.js';
import type { Replies } from './replies.js';
import type { Issue, IssueDetail, ManagerInfo, PageInfo } from './wire-types.js';
import {
  DEFAULT_CHANNEL_UUID, DEFAULT_LEVEL, GuanceFakeError, STATUS, attachmentsOf, checkName, clone, hex32, isRecord,
  paramError, statusName, type StoredRow, type Workspace,
} from './workspace.js';

export interface IssueRow extends StoredRow {
  name: string;
  description: string;
  level: string | number;
  statusType: number;
  resource: string;
  resourceType: string;
  resourceUUID: string;
  /** Channels the issue was delivered to besides the default one. */
  channels: Set<string>;
}

/** An issue a test creates as a person, or `issue/add` creates as the API key. */
export interface NewIssue {
  name: string;
  /** Level uuid, level name (`P0`…`P3`, `custom-1`; helpers only) or legacy integer. Default `system_level_3`. */
  level?: string | number;
  description?: string;
  resource?: string;
  resourceType?: string;
  resourceUUID?: string;
  /** Channel names or `chan_…` uuids; unknown names are created (helpers only). The default channel always holds the issue. */
  channels?: string[];
  statusType?: number;
  /**
   * Assignees: `acnt_…`, `group_…`, e-mail addresses (kept as external people), or person names
   * (a member added with `addMember` under that name, else a stable `acnt_…` made up from the name).
   */
  manager?: string[];
  extend?: Record<string, unknown>;
  attachmentUuids?: string[];
  /** Unix seconds; defaults to now. */
  createAt?: number;
}

interface IssueListQuery {
  channelUUID: string;
  startTime?: number;
  endTime?: number;
  search?: string;
  filters: { key: string; value: unknown; equal?: boolean }[];
  pageIndex: number;
  pageSize: number;
}

interface IssuePatch {
  name?: string;
  level?: string | number;
  description?: string;
  statusType?: number;
  extend?: Record<string, unknown>;
  attachmentUuids?: string[];
}

/** The issue/list filter keys and the field each reads. */
const FILTER_FIELDS = {
  statusType: (row: IssueRow) => String(row.statusType),
  level: (row: IssueRow) => String(row.level),
  resource: (row: IssueRow) => row.resource,
  creator: (row: IssueRow) => row.creator,
  updator: (row: IssueRow) => row.updator,
} as const;
type FilterKey = keyof typeof FILTER_FIELDS;

export class Issues {
  private readonly rows = new Map<string, IssueRow>();
  private nextId = 212_980;

  constructor(
    private readonly ws: Workspace,
    private readonly channels: Channels,
    private readonly replies: Replies,
  ) {}

  /** A live issue, or `ft.IssueNotFound` (404). */
  row(uuid: string): IssueRow {
    const row = this.rows.get(uuid);
    if (row === undefined || row.deleteAt !== -1) {
      throw new GuanceFakeError(404, 'ft.IssueNotFound', `Issue ${uuid} does not exist in this workspace`);
    }
    return row;
  }

  get(uuid: string): Issue | undefined {
    const row = this.rows.get(uuid);
    return row === undefined ? undefined : this.render(row);
  }

  /** Creates an issue as a person in the UI (`creator` = `acnt_…`). */
  createAsPerson(input: NewIssue, personName?: string): Issue {
    const channels = (input.channels ?? []).map((c) => this.channels.forHelper(c));
    const manager = (input.manager ?? []).map((m) =>
      m.startsWith('acnt_') || m.startsWith('group_') || m.includes('@') ? m : this.ws.person(m),
    );
    const statusType = input.statusType ?? STATUS.open;
    this.ws.checkHelperStatus(statusType);
    const description = input.description ?? '';
    const extend: Record<string, unknown> = {
      channels: channels.map((uuid) => ({ exists: true, type: '#', uuid })),
      members: [],
      text: description,
      ...(manager.length > 0 ? { manager } : {}),
      ...input.extend,
    };
    const level = this.ws.levelForHelper(input.level);
    return this.insert({ ...input, statusType, description, extend }, this.ws.person(personName), level, channels);
  }

  /** `POST /issue/add`: creates an issue as the API key. */
  createViaApi(input: NewIssue & { channelUUIDs?: string[] }): Issue {
    checkName(input.name);
    const level = input.level ?? DEFAULT_LEVEL;
    this.ws.checkApiLevel(level);
    if (input.statusType !== undefined) this.ws.checkStatus(input.statusType);
    const extend = clone(input.extend ?? {});
    const channels = [...(input.channelUUIDs ?? []), ...mentionedChannels(extend)];
    for (const uuid of channels) this.channels.live(uuid);
    // The add sample echoes the mentioned channels with `exists: true` filled in.
    if (Array.isArray(extend['channels'])) {
      extend['channels'] = (extend['channels'] as unknown[]).map((c) => (isRecord(c) ? { exists: true, ...c } : c));
    }
    return this.insert({ ...input, extend }, this.ws.options.apiKey, level, channels);
  }

  detail(uuid: string): IssueDetail {
    const row = this.row(uuid);
    const manager = Array.isArray(row.extend['manager']) ? (row.extend['manager'] as unknown[]) : [];
    const extra = isRecord(row.extend['extra']) ? row.extend['extra'] : {};
    const externalNames = isRecord(extra['managerInfos']) ? extra['managerInfos'] : {};
    // Accounts: members (addMember) and helper people show their name and e-mail; an unknown
    // `acnt_…` shows its id as the name and an empty e-mail.
    const managerInfos: ManagerInfo[] = [];
    for (const m of manager) {
      if (typeof m !== 'string') continue;
      if (m.startsWith('group_')) managerInfos.push({ name: `team-${m.slice(6, 14)}`, uuid: m });
      else if (m.startsWith('acnt_')) managerInfos.push(this.ws.userInfo(m, true));
      else if (m.includes('@')) {
        const named = externalNames[m];
        managerInfos.push({ email: m, name: isRecord(named) && typeof named['name'] === 'string' ? named['name'] : m });
      }
    }
    return {
      attachments: attachmentsOf(row.attachmentUuids),
      bindChannels: this.channels.bindings([DEFAULT_CHANNEL_UUID, ...row.channels]),
      ...this.render(row, true),
      declaration: { business: '', organization: '' },
      levelInfo: this.ws.levelInfo(row.level),
      managerInfos,
    };
  }

  /**
   * `POST /issue/list`. Semantics the docs leave open, chosen here:
   * - order: newest `createAt` first (ties: newest id first); the real API documents no order;
   * - `startTime`/`endTime`: Unix seconds, inclusive, on `windowField` (default `createAt`);
   *   either bound may be omitted;
   * - `search`: case-insensitive substring of name or description;
   * - `filters`: across keys AND; within one key, `equal: true` entries are OR-ed (any of) and
   *   `equal: false` entries are all excluded. Values compare as strings (`30` = `"30"`).
   */
  list(query: IssueListQuery): { data: Issue[]; pageInfo: PageInfo } {
    const channel = this.channels.live(query.channelUUID);
    const field = this.ws.options.windowField;
    const search = (query.search ?? '').toLowerCase();
    const include = new Map<FilterKey, string[]>();
    const exclude = new Map<FilterKey, string[]>();
    for (const f of query.filters) {
      if (!Object.hasOwn(FILTER_FIELDS, f.key)) throw paramError(`Unsupported filter key ${f.key}`);
      const target = f.equal === false ? exclude : include;
      const key = f.key as FilterKey;
      target.set(key, [...(target.get(key) ?? []), String(f.value)]);
    }
    const matched = this.live().filter((row) => {
      if (channel.uuid !== DEFAULT_CHANNEL_UUID && !row.channels.has(channel.uuid)) return false;
      const t = row[field];
      if (query.startTime !== undefined && t < query.startTime) return false;
      if (query.endTime !== undefined && t > query.endTime) return false;
      if (search !== '' && !row.name.toLowerCase().includes(search) && !row.description.toLowerCase().includes(search)) {
        return false;
      }
      for (const [key, values] of include) if (!values.includes(FILTER_FIELDS[key](row))) return false;
      for (const [key, values] of exclude) if (values.includes(FILTER_FIELDS[key](row))) return false;
      return true;
    });
    const start = (query.pageIndex - 1) * query.pageSize;
    const data = matched.slice(start, start + query.pageSize).map((row) => this.render(row));
    return {
      data,
      pageInfo: { count: data.length, pageIndex: query.pageIndex, pageSize: query.pageSize, totalCount: matched.length },
    };
  }

  /**
   * Applies a modify (API or UI). `extend`, when sent, REPLACES the stored one wholesale, exactly as
   * sent: keys left out are gone (`extend: {}` clears it; `manager` left out = no assignees), and
   * `managerInfos` of the detail view follows the new `extend.manager`. The docs do not say merge
   * or replace (reference §2.2.4, §6); replacing is the strict reading, so a client must
   * read (`/get`), merge, then write the whole `extend`. A modify without `extend` keeps the stored
   * one. Channels an issue was delivered to stay bound even when `extend.channels` drops them.
   * Every actual change of status, level, name or description appends a `type: "change"` entry
   * by `actor`; `updateAt`/`updator` move whenever a modify arrives.
   */
  modify(uuid: string, patch: IssuePatch, actor: string): Issue {
    const row = this.row(uuid);
    if (patch.name !== undefined) checkName(patch.name);
    if (patch.statusType !== undefined) this.ws.checkStatus(patch.statusType);
    if (patch.level !== undefined) this.ws.checkApiLevel(patch.level);
    const channels = mentionedChannels(patch.extend);
    for (const c of channels) this.channels.live(c);

    const changes: string[] = [];
    if (patch.statusType !== undefined && patch.statusType !== row.statusType) {
      changes.push(`将 Issue 状态从「${statusName(row.statusType)}」修改为「${statusName(patch.statusType)}」。`);
      row.statusType = patch.statusType;
    }
    if (patch.level !== undefined && patch.level !== row.level) {
      changes.push(`将 Issue 等级从「${this.ws.levelName(row.level)}」修改为「${this.ws.levelName(patch.level)}」。`);
      row.level = patch.level;
    }
    if (patch.name !== undefined && patch.name !== row.name) {
      changes.push(`将 Issue 标题修改为「${patch.name}」。`);
      row.name = patch.name;
    }
    if (patch.description !== undefined && patch.description !== row.description) {
      changes.push('修改了 Issue 描述。');
      row.description = patch.description;
    }
    if (patch.extend !== undefined) row.extend = clone(patch.extend);
    if (patch.attachmentUuids !== undefined) row.attachmentUuids = [...patch.attachmentUuids];
    for (const c of channels) if (c !== DEFAULT_CHANNEL_UUID) row.channels.add(c);
    const at = this.ws.nowSec();
    row.updateAt = Math.max(row.updateAt, at);
    row.updator = actor;
    for (const text of changes) this.changeEntry(row, `${this.ws.displayName(actor)} ${text}`, actor, at);
    return this.render(row);
  }

  /** UI helper: a person changes the status (validated against the status model). */
  setStatusAsPerson(uuid: string, statusType: number, personName?: string): void {
    this.ws.checkHelperStatus(statusType);
    this.modify(uuid, { statusType }, this.ws.person(personName));
  }

  reset(): void {
    this.rows.clear();
  }

  private insert(input: NewIssue, creator: string, level: string | number, channels: string[]): Issue {
    const at = input.createAt ?? this.ws.nowSec();
    const row: IssueRow = {
      id: ++this.nextId,
      uuid: `issue_${hex32()}`,
      name: input.name,
      description: input.description ?? '',
      level,
      statusType: input.statusType ?? STATUS.open,
      resource: input.resource ?? '',
      resourceType: input.resourceType ?? '',
      resourceUUID: input.resourceUUID ?? '',
      extend: input.extend ?? {},
      creator,
      updator: creator,
      createAt: at,
      updateAt: at,
      deleteAt: -1,
      channels: new Set(channels.filter((c) => c !== DEFAULT_CHANNEL_UUID)),
      attachmentUuids: [...(input.attachmentUuids ?? [])],
    };
    this.rows.set(row.uuid, row);
    // The real service writes this activity entry for every new issue (reply-list sample).
    this.changeEntry(row, '成员创建了Issue。', creator, at);
    return this.render(row);
  }

  /** A `type: "change"` activity entry; it does not move the issue's `updateAt` by itself. */
  private changeEntry(row: IssueRow, content: string, creator: string, createAt: number): void {
    this.replies.insert(row, { content, type: 'change', creator, extend: {}, createAt }, false);
  }

  /** Live issues, newest first. */
  private live(): IssueRow[] {
    return [...this.rows.values()]
      .filter((row) => row.deleteAt === -1)
      .sort((a, b) => b.createAt - a.createAt || b.id - a.id);
  }

  private render(row: IssueRow, withUuid = false): Issue {
    const { createAt, creator, deleteAt, description, id, level, name, resource, resourceType, resourceUUID } = row;
    return {
      createAt, creator, creatorInfo: this.ws.userInfo(creator, withUuid), deleteAt, description, extend: clone(row.extend),
      id, level, name, resource, resourceType, resourceUUID, status: 0, statusType: row.statusType, subIdentify: '',
      updateAt: row.updateAt, updator: row.updator, updatorInfo: this.ws.userInfo(row.updator, withUuid), uuid: row.uuid,
      workspaceUUID: this.ws.options.workspaceUUID,
    };
  }
}
