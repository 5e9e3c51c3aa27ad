/**
 * What the Guance fake's channels, issues and replies share: the clock, the accounts that act
 * (the API key and people "in the UI"), levels, the status model, errors and constants
 * (../shared/reference/guance-openapi.md §1.4, §2.2, §2.5; samples in ../shared/reference/samples/guance/).
 *
 * Errors the HTTP layer answers are thrown as `GuanceFakeError` (status + errorCode); a helper given
 * an unknown issue throws the same 404. Other misuse by a test (a status outside the model, an
 * unknown level name, ...) throws a plain `Error`.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Attachment, IssueLevel, UserInfo } from './wire-types.js';

/** The "All" / 全部 channel; the API calls it `default`. Every issue is in it. */
export const DEFAULT_CHANNEL_UUID = 'chan_default0000000000000000000000';
export const DEFAULT_CHANNEL_NAME = 'default';
/** The one custom level the fake workspace has, next to system_level_0..3. */
export const CUSTOM_LEVEL_UUID = 'issl_bb535e6616ac47de88fd9ec08787c4c0';
/** Level given to issues created without one (monitors use "未知" = system_level_3 too). */
export const DEFAULT_LEVEL = 'system_level_3';
export const MAX_REPLY_CONTENT = 65535;
const MAX_NAME = 256;

export const STATUS = { open: 10, working: 15, resolved: 20, closed: 25, pending: 30 } as const;
const STATUS_NAMES: Readonly<Record<number, string>> = { 10: 'open', 15: 'working', 20: 'resolved', 25: 'closed', 30: 'pending' };
const STATUS_MODELS: Readonly<Record<5 | 3, readonly number[]>> = { 5: [10, 15, 20, 25, 30], 3: [10, 20, 30] };

const SYSTEM_LEVELS: readonly IssueLevel[] = [
  { color: '#E94444', description: '默认等级配置', isDefault: true, name: 'P0', uuid: 'system_level_0' },
  { color: '#FF7931', description: '默认等级配置', isDefault: true, name: 'P1', uuid: 'system_level_1' },
  { color: '#FFB44A', description: '默认等级配置', isDefault: true, name: 'P2', uuid: 'system_level_2' },
  { color: '#C9C9C9', description: '默认等级配置', isDefault: true, name: 'P3', uuid: 'system_level_3' },
];

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

export const paramError = (message: string): GuanceFakeError => new GuanceFakeError(400, 'ft.ParamError', message);

export function checkName(name: string): void {
  if (name.length === 0 || name.length > MAX_NAME) throw paramError(`name must be 1..${MAX_NAME} characters`);
}

export const hex32 = (): string => randomUUID().replace(/-/g, '');
export const clone = <T>(value: T): T => structuredClone(value);
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
export const attachmentsOf = (uuids: readonly string[]): Attachment[] =>
  uuids.map((uuid, i) => ({ fileName: `attachment-${i + 1}.png`, fileSuffix: 'png', uuid }));

/** The bookkeeping fields issues and replies share (`deleteAt: -1` = live). */
export interface StoredRow {
  id: number;
  uuid: string;
  extend: Record<string, unknown>;
  creator: string;
  updator: string;
  createAt: number;
  updateAt: number;
  deleteAt: number;
  attachmentUuids: string[];
}

interface GuanceStateOptions {
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
  name: string;
  email: string;
  /** `account`: a person made up from a name by a helper; `member`: added with `addMember`. */
  kind: 'account' | 'member' | 'apiKey';
}

export class Workspace {
  private readonly accounts = new Map<string, Account>();
  private readonly allLevels: readonly IssueLevel[];

  constructor(readonly options: GuanceStateOptions) {
    this.accounts.set(options.apiKey, { name: options.apiKeyName, email: options.apiKey, kind: 'apiKey' });
    const admin = this.person(options.personName);
    const custom: IssueLevel = {
      color: '#E94444', createAt: 1694593524, creator: admin, deleteAt: -1, description: '自定义等级描述', extend: {},
      id: 3, isDefault: false, name: 'custom-1', status: 0, updateAt: 1694593524, updator: admin,
      uuid: CUSTOM_LEVEL_UUID, workspaceUUID: options.workspaceUUID,
    };
    this.allLevels = [...SYSTEM_LEVELS, custom];
  }

  /** Current time in Unix seconds (integer unless `fractionalTimestamps`). */
  nowSec(): number {
    const sec = this.options.now() / 1000;
    return this.options.fractionalTimestamps ? sec : Math.floor(sec);
  }

  // ----- accounts ------------------------------------------------------------------------------

  /**
   * The stable `acnt_…` id of a person with this name: a member added with `addMember` under that
   * name (the first one), else an id derived from the name (created on first use, with a made-up e-mail).
   */
  person(name = this.options.personName): string {
    for (const [id, account] of this.accounts) if (account.kind === 'member' && account.name === name) return id;
    const uuid = `acnt_${createHash('sha256').update(`person:${name}`).digest('hex').slice(0, 32)}`;
    if (!this.accounts.has(uuid)) this.accounts.set(uuid, { name, email: `user-${uuid.slice(5, 13)}@example.com`, kind: 'account' });
    return uuid;
  }

  /** Registers (or renames) a member added with `addMember`, so `userInfo` and `person` know it. */
  setMember(uuid: string, name: string, email: string): void {
    this.accounts.set(uuid, { name, email, kind: 'member' });
  }

  /** Forgets a member added with `addMember` (reset); its id is unknown again afterwards. */
  forgetMember(uuid: string): void {
    if (this.accounts.get(uuid)?.kind === 'member') this.accounts.delete(uuid);
  }

  /**
   * `creatorInfo` for an account id. The samples carry `uuid` for API keys always and for members
   * only in the detail view, so `withUuid` decides that for members.
   */
  userInfo(uuid: string, withUuid = false): UserInfo {
    const account = this.accounts.get(uuid);
    const id = withUuid ? { uuid } : {};
    if (account === undefined) return { acntWsNickname: '', email: '', iconUrl: '', name: uuid, username: '', ...id };
    if (account.kind === 'apiKey') return { acntWsNickname: '', email: uuid, iconUrl: '', name: account.name, username: uuid, uuid };
    return { acntWsNickname: '', email: account.email, iconUrl: '', name: account.name, username: account.email, ...id };
  }

  displayName(uuid: string): string {
    return this.accounts.get(uuid)?.name ?? uuid;
  }

  // ----- levels --------------------------------------------------------------------------------

  levels(): IssueLevel[] {
    return this.allLevels.map(clone);
  }

  /** `levelInfo` as the detail endpoint shows it: note system_level_3 is "未知" there (sample). */
  levelInfo(level: string | number): { color: string; name: string } {
    const uuid = typeof level === 'number' ? `system_level_${level}` : level;
    if (uuid === 'system_level_3') return { color: '#C9C9C9', name: '未知' };
    const found = this.allLevels.find((l) => l.uuid === uuid);
    return found === undefined ? { color: '', name: '' } : { color: found.color, name: found.name };
  }

  levelName(level: string | number): string {
    const info = this.levelInfo(level);
    return info.name === '' ? String(level) : info.name;
  }

  /** Validates a level sent to the API: a known level uuid, `""`, or the legacy integer form. */
  checkApiLevel(level: string | number): void {
    if (typeof level === 'number') {
      if (!Number.isInteger(level) || level < 0 || level > 3) throw paramError('level must be a level uuid');
      return;
    }
    if (level !== '' && !this.allLevels.some((l) => l.uuid === level)) {
      throw new GuanceFakeError(400, 'ft.IssueLevelNotFound', `Issue level ${level} does not exist`);
    }
  }

  /** Helper input: a level uuid, a level name (`P0`, `custom-1`) or the legacy integer. */
  levelForHelper(level: string | number | undefined): string | number {
    if (level === undefined) return DEFAULT_LEVEL;
    if (typeof level === 'number') return level;
    const found = this.allLevels.find((l) => l.uuid === level) ?? this.allLevels.find((l) => l.name === level);
    if (found === undefined && level !== '') throw new Error(`guance fake: unknown level ${level}`);
    return found?.uuid ?? '';
  }

  // ----- status model --------------------------------------------------------------------------

  /** A status sent to the API: outside the model is `ft.ParamError` naming the allowed values. */
  checkStatus(statusType: number): void {
    const allowed = STATUS_MODELS[this.options.statusModel];
    if (!allowed.includes(statusType)) {
      throw paramError(`Invalid statusType ${statusType}: must be one of ${allowed.join(', ')}`);
    }
  }

  /** A status a test helper sets: outside the model is the test's mistake. */
  checkHelperStatus(statusType: number): void {
    if (!STATUS_MODELS[this.options.statusModel].includes(statusType)) {
      throw new Error(`guance fake: statusType ${statusType} is not in the ${this.options.statusModel}-state model`);
    }
  }
}

export function statusName(statusType: number): string {
  return STATUS_NAMES[statusType] ?? String(statusType);
}
