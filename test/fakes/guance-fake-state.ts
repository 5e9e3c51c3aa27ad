/**
 * In-memory workspace behind the Guance (观测云) OpenAPI fake (`guance-server.ts`).
 *
 * Pure state and rules, no HTTP: channels, issues, replies (including the `type: "change"` activity
 * entries the real service writes), levels and the accounts that act on them. Everything handed
 * out is a deep copy in the wire format of `shared/reference/samples/guance/`, so callers can
 * neither see later changes through an old object nor corrupt the store.
 *
 * Errors the HTTP layer should answer with are thrown as `GuanceFakeError` (status + errorCode).
 * Misuse by a test (unknown issue in `setStatus`, duplicate channel name, ...) throws a plain
 * `Error` with a message that says what was wrong.
 */
import { createHash, randomUUID } from 'node:crypto';

// ---------------------------------------------------------------------------------------------
// Wire types
// ---------------------------------------------------------------------------------------------

/** `creatorInfo` / `updatorInfo`. For API keys `email`, `username` and `uuid` are the `wsak_…` id. */
export interface UserInfo {
  acntWsNickname: string;
  email: string;
  iconUrl: string;
  name: string;
  username: string;
  uuid?: string;
}

export interface Channel {
  createAt: number;
  creator: string;
  deleteAt: number;
  description: string;
  id: number;
  name: string;
  notifyTarget: string[];
  status: number;
  subscribeType: string;
  updateAt: number;
  updator: string;
  uuid: string;
  workspaceUUID: string;
}

export interface IssueLevel {
  color: string;
  description: string;
  isDefault: boolean;
  name: string;
  uuid: string;
  createAt?: number;
  creator?: string;
  deleteAt?: number;
  extend?: Record<string, unknown>;
  id?: number;
  status?: number;
  updateAt?: number;
  updator?: string;
  workspaceUUID?: string;
}

/** An issue as `issue/list`, `issue/add` and `issue/{uuid}/modify` return it. */
export interface Issue {
  createAt: number;
  creator: string;
  creatorInfo: UserInfo;
  deleteAt: number;
  description: string;
  extend: Record<string, unknown>;
  id: number;
  level: string | number;
  name: string;
  resource: string;
  resourceType: string;
  resourceUUID: string;
  status: number;
  statusType: number;
  subIdentify: string;
  updateAt: number;
  updator: string;
  updatorInfo: UserInfo;
  uuid: string;
  workspaceUUID: string;
}

export interface Attachment {
  fileName: string;
  fileSuffix: string;
  uuid: string;
}

/** Team `{name, uuid}`, account (a `UserInfo` with `uuid`) or external e-mail `{email, name}`. */
export type ManagerInfo = { name: string; uuid: string } | UserInfo | { email: string; name: string };

/** An issue as `issue/{uuid}/get` returns it. */
export interface IssueDetail extends Issue {
  attachments: Attachment[];
  bindChannels: { name: string; uuid: string }[];
  declaration: Record<string, unknown>;
  levelInfo: { color: string; name: string };
  managerInfos: ManagerInfo[];
}

/** A reply as `issue/reply/{issue_uuid}/list` returns it (the richest view). */
export interface Reply {
  attachmentsList: Attachment[];
  content: string;
  createAt: number;
  creator: string;
  creatorInfo: UserInfo;
  deleteAt: number;
  extend: Record<string, unknown>;
  id: number;
  is_modify: boolean;
  issueUUID: string;
  latest_modify_time: number;
  status: number;
  type: 'reply' | 'change';
  updateAt: number;
  updator: string;
  updatorInfo: UserInfo;
  uuid: string;
  workspaceUUID: string;
}

/** A reply as `issue/reply/create` (`id: null`) and `issue/reply/{uuid}/modify` return it. */
export interface ReplyWritten {
  content: string;
  createAt: number;
  creator: string;
  deleteAt: number;
  extend: Record<string, unknown>;
  id: number | null;
  issueUUID: string;
  status: number;
  type: 'reply' | 'change';
  updateAt: number;
  updator: string;
  uuid: string;
  workspaceUUID: string;
}

export interface PageInfo {
  count: number;
  pageIndex: number;
  pageSize: number;
  totalCount: number;
}

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

/** The "All" / 全部 channel; the API calls it `default`. Every issue is in it. */
export const DEFAULT_CHANNEL_UUID = 'chan_default0000000000000000000000';
export const DEFAULT_CHANNEL_NAME = 'default';
/** The one custom level the fake workspace has, next to system_level_0..3. */
export const CUSTOM_LEVEL_UUID = 'issl_bb535e6616ac47de88fd9ec08787c4c0';

export const STATUS = { open: 10, working: 15, resolved: 20, closed: 25, pending: 30 } as const;
const STATUS_NAMES: Readonly<Record<number, string>> = {
  10: 'open',
  15: 'working',
  20: 'resolved',
  25: 'closed',
  30: 'pending',
};
export const STATUS_MODELS: Readonly<Record<5 | 3, readonly number[]>> = {
  5: [10, 15, 20, 25, 30],
  3: [10, 20, 30],
};

const SYSTEM_LEVELS: readonly IssueLevel[] = [
  { color: '#E94444', description: '默认等级配置', isDefault: true, name: 'P0', uuid: 'system_level_0' },
  { color: '#FF7931', description: '默认等级配置', isDefault: true, name: 'P1', uuid: 'system_level_1' },
  { color: '#FFB44A', description: '默认等级配置', isDefault: true, name: 'P2', uuid: 'system_level_2' },
  { color: '#C9C9C9', description: '默认等级配置', isDefault: true, name: 'P3', uuid: 'system_level_3' },
];
/** Level given to issues created without one (monitors use "未知" = system_level_3 too). */
export const DEFAULT_LEVEL = 'system_level_3';

const MAX_NAME = 256;
export const MAX_REPLY_CONTENT = 65535;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** An error the HTTP layer turns into an envelope `{code: status, errorCode, message, success: false}`. */
export class GuanceFakeError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'GuanceFakeError';
  }
}

const issueNotFound = (uuid: string): GuanceFakeError =>
  new GuanceFakeError(404, 'ft.IssueNotFound', `Issue ${uuid} does not exist in this workspace`);
const paramError = (message: string): GuanceFakeError => new GuanceFakeError(400, 'ft.ParamError', message);

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

export interface GuanceStateOptions {
  workspaceUUID: string;
  /** The API key id (`wsak_…`); objects written through the API are attributed to it. */
  apiKey: string;
  /** Display name of the API key (`creatorInfo.name` of what the API writes). */
  apiKeyName: string;
  /** Name of the person who acts "in the UI" when a helper is called without a name. */
  personName: string;
  statusModel: 5 | 3;
  windowField: 'createAt' | 'updateAt';
  /** Millisecond clock. */
  now: () => number;
  /** When true, timestamps keep their fraction of a second (the real service sometimes sends floats). */
  fractionalTimestamps: boolean;
}

interface Account {
  uuid: string;
  name: string;
  email: string;
  kind: 'account' | 'apiKey';
}

interface IssueRow {
  id: number;
  uuid: string;
  name: string;
  description: string;
  level: string | number;
  statusType: number;
  resource: string;
  resourceType: string;
  resourceUUID: string;
  subIdentify: string;
  extend: Record<string, unknown>;
  creator: string;
  updator: string;
  createAt: number;
  updateAt: number;
  deleteAt: number;
  /** Channels the issue was delivered to besides the default one. */
  channels: Set<string>;
  attachmentUuids: string[];
}

interface ReplyRow {
  id: number;
  uuid: string;
  issueUUID: string;
  content: string;
  type: 'reply' | 'change';
  extend: Record<string, unknown>;
  creator: string;
  updator: string;
  createAt: number;
  updateAt: number;
  deleteAt: number;
  modifiedAt: number | null;
  attachmentUuids: string[];
}

export interface NewIssue {
  name: string;
  level?: string | number;
  description?: string;
  resource?: string;
  resourceType?: string;
  resourceUUID?: string;
  /** Channel names or `chan_…` uuids (besides the default channel, which always holds the issue). */
  channels?: string[];
  statusType?: number;
  /** Assignees: `acnt_…`, `group_…`, e-mail addresses, or person names (mapped to a stable `acnt_…`). */
  manager?: string[];
  extend?: Record<string, unknown>;
  attachmentUuids?: string[];
  /** Unix seconds; defaults to now. */
  createAt?: number;
}

export interface IssueListQuery {
  channelUUID?: string;
  startTime?: number;
  endTime?: number;
  search?: string;
  filters?: { key: string; value: unknown; equal?: boolean }[];
  pageIndex: number;
  pageSize: number;
}

export interface IssuePatch {
  name?: string;
  level?: string | number;
  description?: string;
  statusType?: number;
  extend?: Record<string, unknown>;
  attachmentUuids?: string[];
}

export type ReplyOrdering = 'createAt' | '-createAt' | 'updateAt' | '-updateAt';

const hex32 = (): string => randomUUID().replace(/-/g, '');
const stableHex = (seed: string): string => createHash('sha256').update(seed).digest('hex').slice(0, 32);
const clone = <T>(value: T): T => structuredClone(value);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `[{type:'#', uuid}]` entries of an `extend.channels` value; anything else is ignored. */
function mentionedChannels(extend: Record<string, unknown> | undefined): string[] {
  const list = extend?.['channels'];
  if (!Array.isArray(list)) return [];
  const out: string[] = [];
  for (const entry of list) {
    if (isRecord(entry) && typeof entry['uuid'] === 'string') out.push(entry['uuid']);
  }
  return out;
}

export class GuanceFakeState {
  readonly options: GuanceStateOptions;
  private readonly accounts = new Map<string, Account>();
  private readonly channelRows = new Map<string, Channel>();
  private readonly issueRows = new Map<string, IssueRow>();
  private readonly replyRows = new Map<string, ReplyRow[]>();
  private readonly customLevels: IssueLevel[];
  private nextIssueId = 212_980;
  private nextReplyId = 313_180;
  private nextChannelId = 38;

  constructor(options: GuanceStateOptions) {
    this.options = options;
    this.accounts.set(options.apiKey, {
      uuid: options.apiKey,
      name: options.apiKeyName,
      email: options.apiKey,
      kind: 'apiKey',
    });
    const admin = this.person(options.personName);
    this.customLevels = [
      {
        color: '#E94444',
        createAt: 1694593524,
        creator: admin,
        deleteAt: -1,
        description: '自定义等级描述',
        extend: {},
        id: 3,
        isDefault: false,
        name: 'custom-1',
        status: 0,
        updateAt: 1694593524,
        updator: admin,
        uuid: CUSTOM_LEVEL_UUID,
        workspaceUUID: options.workspaceUUID,
      },
    ];
    this.seedDefaultChannel();
  }

  /** Current time in Unix seconds (integer unless `fractionalTimestamps`). */
  nowSec(): number {
    const sec = this.options.now() / 1000;
    return this.options.fractionalTimestamps ? sec : Math.floor(sec);
  }

  /** Drops every issue, reply and added channel; the default channel and the levels stay. */
  reset(): void {
    this.issueRows.clear();
    this.replyRows.clear();
    this.channelRows.clear();
    this.seedDefaultChannel();
  }

  private seedDefaultChannel(): void {
    const admin = this.person(this.options.personName);
    const at = Math.floor(this.options.now() / 1000) - 86_400 * 30;
    this.channelRows.set(DEFAULT_CHANNEL_UUID, {
      createAt: at,
      creator: admin,
      deleteAt: -1,
      description: '',
      id: 1,
      name: DEFAULT_CHANNEL_NAME,
      notifyTarget: [],
      status: 0,
      subscribeType: '',
      updateAt: at,
      updator: admin,
      uuid: DEFAULT_CHANNEL_UUID,
      workspaceUUID: this.options.workspaceUUID,
    });
  }

  // ----- accounts ------------------------------------------------------------------------------

  /** The stable `acnt_…` id of a workspace member with this name (created on first use). */
  person(name: string): string {
    const uuid = `acnt_${stableHex(`person:${name}`)}`;
    if (!this.accounts.has(uuid)) {
      this.accounts.set(uuid, { uuid, name, email: `user-${uuid.slice(5, 13)}@example.com`, kind: 'account' });
    }
    return uuid;
  }

  /**
   * `creatorInfo` for an account id. The samples carry `uuid` for API keys always and for members
   * only in the detail view, so `withUuid` decides that for members.
   */
  userInfo(uuid: string, withUuid = false): UserInfo {
    const account = this.accounts.get(uuid);
    if (account === undefined) {
      return { acntWsNickname: '', email: '', iconUrl: '', name: uuid, username: '', ...(withUuid ? { uuid } : {}) };
    }
    if (account.kind === 'apiKey') {
      return { acntWsNickname: '', email: uuid, iconUrl: '', name: account.name, username: uuid, uuid };
    }
    return {
      acntWsNickname: '',
      email: account.email,
      iconUrl: '',
      name: account.name,
      username: account.email,
      ...(withUuid ? { uuid } : {}),
    };
  }

  private displayName(uuid: string): string {
    return this.accounts.get(uuid)?.name ?? uuid;
  }

  // ----- channels ------------------------------------------------------------------------------

  channels(): Channel[] {
    return [...this.channelRows.values()].map(clone);
  }

  addChannel(name: string, creator: string, description = '', notifyTarget: string[] = []): Channel {
    if (name.length === 0 || name.length > MAX_NAME) throw paramError(`name must be 1..${MAX_NAME} characters`);
    for (const row of this.channelRows.values()) {
      if (row.deleteAt === -1 && row.name === name) {
        throw new GuanceFakeError(400, 'ft.ChannelNameExists', `A channel named "${name}" already exists`);
      }
    }
    const at = this.nowSec();
    const channel: Channel = {
      createAt: at,
      creator,
      deleteAt: -1,
      description,
      id: ++this.nextChannelId,
      name,
      notifyTarget: [...notifyTarget],
      status: 0,
      subscribeType: '',
      updateAt: at,
      updator: creator,
      uuid: `chan_${hex32()}`,
      workspaceUUID: this.options.workspaceUUID,
    };
    this.channelRows.set(channel.uuid, channel);
    return clone(channel);
  }

  /** Soft delete, as the real service does: the channel stays in quick_list with a real `deleteAt`. */
  deleteChannel(uuid: string, by: string): void {
    const row = this.liveChannel(uuid);
    if (row.uuid === DEFAULT_CHANNEL_UUID) {
      throw new GuanceFakeError(400, 'ft.ParamError', 'The default channel cannot be deleted');
    }
    const at = this.nowSec();
    row.deleteAt = at;
    row.updateAt = at;
    row.updator = by;
  }

  /** A live channel by uuid, or `ft.ChannelNotFound` (400). */
  liveChannel(uuid: string): Channel {
    const row = this.channelRows.get(uuid);
    if (row === undefined || row.deleteAt !== -1) {
      throw new GuanceFakeError(400, 'ft.ChannelNotFound', `Channel ${uuid} does not exist or has been deleted`);
    }
    return row;
  }

  /** A live channel by uuid or name; unknown names are created (as a person would in the UI). */
  private channelForHelper(nameOrUuid: string): string {
    const byUuid = this.channelRows.get(nameOrUuid);
    if (byUuid !== undefined && byUuid.deleteAt === -1) return byUuid.uuid;
    for (const row of this.channelRows.values()) {
      if (row.deleteAt === -1 && row.name === nameOrUuid) return row.uuid;
    }
    if (nameOrUuid.startsWith('chan_')) throw new Error(`guance fake: no live channel ${nameOrUuid}`);
    return this.addChannel(nameOrUuid, this.person(this.options.personName)).uuid;
  }

  // ----- levels --------------------------------------------------------------------------------

  levels(): IssueLevel[] {
    return [...SYSTEM_LEVELS, ...this.customLevels].map(clone);
  }

  /** `levelInfo` as the detail endpoint shows it: note system_level_3 is "未知" there (sample). */
  levelInfo(level: string | number): { color: string; name: string } {
    const uuid = typeof level === 'number' ? `system_level_${level}` : level;
    if (uuid === 'system_level_3') return { color: '#C9C9C9', name: '未知' };
    const found = [...SYSTEM_LEVELS, ...this.customLevels].find((l) => l.uuid === uuid);
    return found === undefined ? { color: '', name: '' } : { color: found.color, name: found.name };
  }

  private levelName(level: string | number): string {
    const info = this.levelInfo(level);
    return info.name === '' ? String(level) : info.name;
  }

  /** Validates a level sent to the API: a known level uuid, `""`, or the legacy integer form. */
  private checkApiLevel(level: string | number): void {
    if (typeof level === 'number') {
      if (!Number.isInteger(level) || level < 0 || level > 3) throw paramError('level must be a level uuid');
      return;
    }
    if (level === '') return;
    if (!this.levels().some((l) => l.uuid === level)) {
      throw new GuanceFakeError(400, 'ft.IssueLevelNotFound', `Issue level ${level} does not exist`);
    }
  }

  /** Helper input: a level uuid, a level name (`P0`, `custom-1`) or the legacy integer. */
  private levelForHelper(level: string | number | undefined): string | number {
    if (level === undefined) return DEFAULT_LEVEL;
    if (typeof level === 'number') return level;
    const all = this.levels();
    const found = all.find((l) => l.uuid === level) ?? all.find((l) => l.name === level);
    if (found === undefined && level !== '') throw new Error(`guance fake: unknown level ${level}`);
    return found?.uuid ?? '';
  }

  // ----- status model --------------------------------------------------------------------------

  allowedStatuses(): readonly number[] {
    return STATUS_MODELS[this.options.statusModel];
  }

  checkStatus(statusType: number): void {
    const allowed = this.allowedStatuses();
    if (!allowed.includes(statusType)) {
      throw paramError(`Invalid statusType ${statusType}: must be one of ${allowed.join(', ')}`);
    }
  }

  // ----- issues --------------------------------------------------------------------------------

  private issueRow(uuid: string): IssueRow {
    const row = this.issueRows.get(uuid);
    if (row === undefined || row.deleteAt !== -1) throw issueNotFound(uuid);
    return row;
  }

  hasIssue(uuid: string): boolean {
    const row = this.issueRows.get(uuid);
    return row !== undefined && row.deleteAt === -1;
  }

  /** Creates an issue as a person in the UI (`creator` = `acnt_…`). */
  createIssueAsPerson(input: NewIssue, personName?: string): Issue {
    const creator = this.person(personName ?? this.options.personName);
    const channels = (input.channels ?? []).map((c) => this.channelForHelper(c));
    const manager = (input.manager ?? []).map((m) =>
      m.startsWith('acnt_') || m.startsWith('group_') || m.includes('@') ? m : this.person(m),
    );
    const statusType = input.statusType ?? STATUS.open;
    if (!this.allowedStatuses().includes(statusType)) {
      throw new Error(`guance fake: statusType ${statusType} is not in the ${this.options.statusModel}-state model`);
    }
    const description = input.description ?? '';
    const extend: Record<string, unknown> = {
      channels: channels.map((uuid) => ({ exists: true, type: '#', uuid })),
      members: [],
      text: description,
      ...(manager.length > 0 ? { manager } : {}),
      ...(input.extend ?? {}),
    };
    return this.insertIssue({ ...input, statusType, description, extend }, creator, this.levelForHelper(input.level), channels);
  }

  /** `POST /issue/add`: creates an issue as the API key. */
  createIssueViaApi(input: NewIssue & { channelUUIDs?: string[] }): Issue {
    if (input.name.length === 0 || input.name.length > MAX_NAME) throw paramError(`name must be 1..${MAX_NAME} characters`);
    const level = input.level ?? DEFAULT_LEVEL;
    this.checkApiLevel(level);
    if (input.statusType !== undefined) this.checkStatus(input.statusType);
    const extend = clone(input.extend ?? {});
    const channels = [...(input.channelUUIDs ?? []), ...mentionedChannels(extend)];
    for (const uuid of channels) this.liveChannel(uuid);
    // The add sample echoes the mentioned channels with `exists: true` filled in.
    if (Array.isArray(extend['channels'])) {
      extend['channels'] = (extend['channels'] as unknown[]).map((c) => (isRecord(c) ? { exists: true, ...c } : c));
    }
    return this.insertIssue({ ...input, extend }, this.options.apiKey, level, channels);
  }

  private insertIssue(input: NewIssue, creator: string, level: string | number, channels: string[]): Issue {
    const at = input.createAt ?? this.nowSec();
    const row: IssueRow = {
      id: ++this.nextIssueId,
      uuid: `issue_${hex32()}`,
      name: input.name,
      description: input.description ?? '',
      level,
      statusType: input.statusType ?? STATUS.open,
      resource: input.resource ?? '',
      resourceType: input.resourceType ?? '',
      resourceUUID: input.resourceUUID ?? '',
      subIdentify: '',
      extend: input.extend ?? {},
      creator,
      updator: creator,
      createAt: at,
      updateAt: at,
      deleteAt: -1,
      channels: new Set(channels.filter((c) => c !== DEFAULT_CHANNEL_UUID)),
      attachmentUuids: [...(input.attachmentUuids ?? [])],
    };
    this.issueRows.set(row.uuid, row);
    this.replyRows.set(row.uuid, []);
    // The real service writes this activity entry for every new issue (reply-list sample).
    this.insertReply(row, { content: '成员创建了Issue。', type: 'change', creator, extend: {}, createAt: at }, false);
    return this.renderIssue(row);
  }

  issue(uuid: string): Issue | undefined {
    const row = this.issueRows.get(uuid);
    return row === undefined ? undefined : this.renderIssue(row);
  }

  issueDetail(uuid: string): IssueDetail {
    const row = this.issueRow(uuid);
    const manager = Array.isArray(row.extend['manager']) ? (row.extend['manager'] as unknown[]) : [];
    const extra = isRecord(row.extend['extra']) ? row.extend['extra'] : {};
    const externalNames = isRecord(extra['managerInfos']) ? extra['managerInfos'] : {};
    const managerInfos: ManagerInfo[] = [];
    for (const m of manager) {
      if (typeof m !== 'string') continue;
      if (m.startsWith('group_')) managerInfos.push({ name: `team-${m.slice(6, 14)}`, uuid: m });
      else if (m.startsWith('acnt_')) managerInfos.push(this.userInfo(m, true));
      else if (m.includes('@')) {
        const named = externalNames[m];
        const name = isRecord(named) && typeof named['name'] === 'string' ? named['name'] : m;
        managerInfos.push({ email: m, name });
      }
    }
    const bindChannels = [DEFAULT_CHANNEL_UUID, ...row.channels]
      .map((uuid) => this.channelRows.get(uuid))
      .filter((c): c is Channel => c !== undefined && c.deleteAt === -1)
      .map((c) => ({ name: c.name, uuid: c.uuid }));
    return {
      attachments: row.attachmentUuids.map((uuid, i) => ({ fileName: `attachment-${i + 1}.png`, fileSuffix: 'png', uuid })),
      bindChannels,
      ...this.renderIssue(row, true),
      declaration: { business: '', organization: '' },
      levelInfo: this.levelInfo(row.level),
      managerInfos,
    };
  }

  private renderIssue(row: IssueRow, withUuid = false): Issue {
    return {
      createAt: row.createAt,
      creator: row.creator,
      creatorInfo: this.userInfo(row.creator, withUuid),
      deleteAt: row.deleteAt,
      description: row.description,
      extend: clone(row.extend),
      id: row.id,
      level: row.level,
      name: row.name,
      resource: row.resource,
      resourceType: row.resourceType,
      resourceUUID: row.resourceUUID,
      status: 0,
      statusType: row.statusType,
      subIdentify: row.subIdentify,
      updateAt: row.updateAt,
      updator: row.updator,
      updatorInfo: this.userInfo(row.updator, withUuid),
      uuid: row.uuid,
      workspaceUUID: this.options.workspaceUUID,
    };
  }

  /** Every live issue, newest first. */
  issues(): Issue[] {
    return this.sortedIssues().map((row) => this.renderIssue(row));
  }

  private sortedIssues(): IssueRow[] {
    return [...this.issueRows.values()]
      .filter((row) => row.deleteAt === -1)
      .sort((a, b) => b.createAt - a.createAt || b.id - a.id);
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
  listIssues(query: IssueListQuery): { data: Issue[]; pageInfo: PageInfo } {
    const channel = this.liveChannel(query.channelUUID ?? DEFAULT_CHANNEL_UUID);
    const field = this.options.windowField;
    const search = (query.search ?? '').toLowerCase();
    const include = new Map<string, string[]>();
    const exclude = new Map<string, string[]>();
    for (const f of query.filters ?? []) {
      const target = f.equal === false ? exclude : include;
      target.set(f.key, [...(target.get(f.key) ?? []), String(f.value)]);
    }
    const valueOf = (row: IssueRow, key: string): string => {
      switch (key) {
        case 'statusType':
          return String(row.statusType);
        case 'level':
          return String(row.level);
        case 'resource':
          return row.resource;
        case 'creator':
          return row.creator;
        case 'updator':
          return row.updator;
        default:
          throw paramError(`Unsupported filter key ${key}`);
      }
    };
    const matched = this.sortedIssues().filter((row) => {
      if (channel.uuid !== DEFAULT_CHANNEL_UUID && !row.channels.has(channel.uuid)) return false;
      const t = row[field];
      if (query.startTime !== undefined && t < query.startTime) return false;
      if (query.endTime !== undefined && t > query.endTime) return false;
      if (search !== '' && !row.name.toLowerCase().includes(search) && !row.description.toLowerCase().includes(search)) {
        return false;
      }
      for (const [key, values] of include) if (!values.includes(valueOf(row, key))) return false;
      for (const [key, values] of exclude) if (values.includes(valueOf(row, key))) return false;
      return true;
    });
    const start = (query.pageIndex - 1) * query.pageSize;
    const data = matched.slice(start, start + query.pageSize).map((row) => this.renderIssue(row));
    return {
      data,
      pageInfo: { count: data.length, pageIndex: query.pageIndex, pageSize: query.pageSize, totalCount: matched.length },
    };
  }

  /**
   * Applies a modify (API or UI). `extend`, when sent, REPLACES the stored one (the docs do not say
   * merge or replace; replacing is the strict reading, so clients must read-merge-write).
   * Every actual change of status, level, name or description appends a `type: "change"` entry
   * by `actor`; `updateAt`/`updator` move whenever a modify arrives.
   */
  modifyIssue(uuid: string, patch: IssuePatch, actor: string): Issue {
    const row = this.issueRow(uuid);
    if (patch.name !== undefined && (patch.name.length === 0 || patch.name.length > MAX_NAME)) {
      throw paramError(`name must be 1..${MAX_NAME} characters`);
    }
    if (patch.statusType !== undefined) this.checkStatus(patch.statusType);
    if (patch.level !== undefined) this.checkApiLevel(patch.level);
    const channels = mentionedChannels(patch.extend);
    for (const c of channels) this.liveChannel(c);

    const at = this.nowSec();
    const changes: string[] = [];
    if (patch.statusType !== undefined && patch.statusType !== row.statusType) {
      changes.push(`将 Issue 状态从「${statusName(row.statusType)}」修改为「${statusName(patch.statusType)}」。`);
      row.statusType = patch.statusType;
    }
    if (patch.level !== undefined && patch.level !== row.level) {
      changes.push(`将 Issue 等级从「${this.levelName(row.level)}」修改为「${this.levelName(patch.level)}」。`);
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
    row.updateAt = Math.max(row.updateAt, at);
    row.updator = actor;
    for (const text of changes) {
      this.insertReply(row, { content: `${this.displayName(actor)} ${text}`, type: 'change', creator: actor, extend: {}, createAt: at }, false);
    }
    return this.renderIssue(row);
  }

  /** UI helper: a person changes the status (validated against the status model). */
  setStatusAsPerson(uuid: string, statusType: number, personName?: string): void {
    if (!this.hasIssue(uuid)) throw new Error(`guance fake: no issue ${uuid}`);
    if (!this.allowedStatuses().includes(statusType)) {
      throw new Error(`guance fake: statusType ${statusType} is not in the ${this.options.statusModel}-state model`);
    }
    this.modifyIssue(uuid, { statusType }, this.person(personName ?? this.options.personName));
  }

  // ----- replies -------------------------------------------------------------------------------

  /**
   * Adds a reply. A reply bumps the parent issue's `updateAt` (never backwards) but not its
   * `updator`: the docs leave this open, and bumping lets an `updateAt`-window poller see activity.
   */
  addReply(
    issueUuid: string,
    input: { content: string; type?: 'reply' | 'change'; creator: string; extend?: Record<string, unknown>; createAt?: number; attachmentUuids?: string[] },
  ): ReplyWritten {
    const row = this.issueRow(issueUuid);
    if (input.content.length > MAX_REPLY_CONTENT) throw paramError(`content must be at most ${MAX_REPLY_CONTENT} characters`);
    const channels = mentionedChannels(input.extend);
    for (const c of channels) this.liveChannel(c);
    for (const c of channels) if (c !== DEFAULT_CHANNEL_UUID) row.channels.add(c);
    const reply = this.insertReply(
      row,
      {
        content: input.content,
        type: input.type ?? 'reply',
        creator: input.creator,
        extend: clone(input.extend ?? {}),
        createAt: input.createAt ?? this.nowSec(),
        attachmentUuids: input.attachmentUuids ?? [],
      },
      true,
    );
    return this.renderWritten(reply, null);
  }

  /** Adds a reply as a person (helper). */
  addReplyAsPerson(
    issueUuid: string,
    input: { content: string; authorName?: string; type?: 'reply' | 'change'; createAt?: number },
  ): Reply {
    if (!this.hasIssue(issueUuid)) throw new Error(`guance fake: no issue ${issueUuid}`);
    const creator = this.person(input.authorName ?? this.options.personName);
    const extend = input.type === 'change' ? {} : { channels: [], linkList: [], members: [], text: input.content };
    const written = this.addReply(issueUuid, { content: input.content, type: input.type ?? 'reply', creator, extend, ...(input.createAt !== undefined ? { createAt: input.createAt } : {}) });
    return this.renderListReply(this.replyRow(written.uuid));
  }

  private insertReply(
    issue: IssueRow,
    input: { content: string; type: 'reply' | 'change'; creator: string; extend: Record<string, unknown>; createAt: number; attachmentUuids?: string[] },
    bumpIssue: boolean,
  ): ReplyRow {
    const reply: ReplyRow = {
      id: ++this.nextReplyId,
      uuid: `repim_${hex32()}`,
      issueUUID: issue.uuid,
      content: input.content,
      type: input.type,
      extend: input.extend,
      creator: input.creator,
      updator: input.creator,
      createAt: input.createAt,
      updateAt: input.createAt,
      deleteAt: -1,
      modifiedAt: null,
      attachmentUuids: [...(input.attachmentUuids ?? [])],
    };
    const list = this.replyRows.get(issue.uuid);
    if (list === undefined) this.replyRows.set(issue.uuid, [reply]);
    else list.push(reply);
    if (bumpIssue) issue.updateAt = Math.max(issue.updateAt, input.createAt);
    return reply;
  }

  private replyRow(uuid: string): ReplyRow {
    for (const list of this.replyRows.values()) {
      const found = list.find((r) => r.uuid === uuid && r.deleteAt === -1);
      if (found !== undefined) return found;
    }
    throw new GuanceFakeError(404, 'ft.IssueReplyNotFound', `Reply ${uuid} does not exist`);
  }

  /** Live replies of an issue, oldest first (helper view; `[]` for an unknown issue). */
  repliesOf(issueUuid: string): Reply[] {
    return (this.replyRows.get(issueUuid) ?? [])
      .filter((r) => r.deleteAt === -1)
      .sort((a, b) => a.createAt - b.createAt || a.id - b.id)
      .map((r) => this.renderListReply(r));
  }

  /** `GET /issue/reply/{uuid}/list`: ordering by createAt/updateAt, `-` = newest first; ties by id. */
  listReplies(issueUuid: string, ordering: ReplyOrdering, pageIndex: number, pageSize: number): { data: Reply[]; pageInfo: PageInfo } {
    this.issueRow(issueUuid);
    const desc = ordering.startsWith('-');
    const field = ordering.endsWith('updateAt') ? 'updateAt' : 'createAt';
    const sign = desc ? -1 : 1;
    const all = (this.replyRows.get(issueUuid) ?? [])
      .filter((r) => r.deleteAt === -1)
      .sort((a, b) => sign * (a[field] - b[field] || a.id - b.id));
    const start = (pageIndex - 1) * pageSize;
    const data = all.slice(start, start + pageSize).map((r) => this.renderListReply(r));
    return { data, pageInfo: { count: data.length, pageIndex, pageSize, totalCount: all.length } };
  }

  /** `POST /issue/reply/{uuid}/modify`: only the reply's creator may edit it. */
  modifyReply(replyUuid: string, input: { issueUUID: string; content?: string; extend: Record<string, unknown>; attachmentUuids?: string[] }, actor: string): ReplyWritten {
    const reply = this.replyRow(replyUuid);
    if (reply.issueUUID !== input.issueUUID) throw paramError(`Reply ${replyUuid} does not belong to ${input.issueUUID}`);
    if (reply.creator !== actor || reply.type !== 'reply') {
      throw new GuanceFakeError(403, 'ft.NoPermission', 'Only the creator of a reply may modify it');
    }
    if (input.content !== undefined && input.content.length > MAX_REPLY_CONTENT) {
      throw paramError(`content must be at most ${MAX_REPLY_CONTENT} characters`);
    }
    const at = this.nowSec();
    if (input.content !== undefined) reply.content = input.content;
    reply.extend = clone(input.extend);
    if (input.attachmentUuids !== undefined) reply.attachmentUuids = [...input.attachmentUuids];
    reply.updateAt = Math.max(reply.updateAt, at);
    reply.updator = actor;
    reply.modifiedAt = at;
    return this.renderWritten(reply, reply.id);
  }

  /** `DELETE /issue/reply/{uuid}/delete`: soft delete; only the reply's creator may do it. */
  deleteReply(replyUuid: string, actor: string): void {
    const reply = this.replyRow(replyUuid);
    if (reply.creator !== actor || reply.type !== 'reply') {
      throw new GuanceFakeError(403, 'ft.NoPermission', 'Only the creator of a reply may delete it');
    }
    reply.deleteAt = this.nowSec();
  }

  private renderWritten(r: ReplyRow, id: number | null): ReplyWritten {
    return {
      content: r.content,
      createAt: r.createAt,
      creator: r.creator,
      deleteAt: r.deleteAt,
      extend: clone(r.extend),
      id,
      issueUUID: r.issueUUID,
      status: 0,
      type: r.type,
      updateAt: r.updateAt,
      updator: r.updator,
      uuid: r.uuid,
      workspaceUUID: this.options.workspaceUUID,
    };
  }

  private renderListReply(r: ReplyRow): Reply {
    return {
      attachmentsList: r.attachmentUuids.map((uuid, i) => ({ fileName: `attachment-${i + 1}.png`, fileSuffix: 'png', uuid })),
      content: r.content,
      createAt: r.createAt,
      creator: r.creator,
      creatorInfo: this.userInfo(r.creator),
      deleteAt: r.deleteAt,
      extend: clone(r.extend),
      id: r.id,
      is_modify: r.modifiedAt !== null,
      issueUUID: r.issueUUID,
      latest_modify_time: r.modifiedAt ?? r.createAt,
      status: 0,
      type: r.type,
      updateAt: r.updateAt,
      updator: r.updator,
      updatorInfo: this.userInfo(r.updator),
      uuid: r.uuid,
      workspaceUUID: this.options.workspaceUUID,
    };
  }
}

function statusName(statusType: number): string {
  return STATUS_NAMES[statusType] ?? String(statusType);
}
