import type { IssueCardModel, IssueListItem } from '../cards/types.js';
import type { Config } from '../src/config.js';
import type { GuanceIssue, GuanceLevel } from '../src/guance/schemas.js';
import type { IssueSnapshot } from '../src/store/issue-links.js';

export type LevelTable = ReadonlyMap<string, { name: string; color?: string }>;

const SYSTEM_LEVELS: Record<string, { name: string; color: string }> = {
  system_level_0: { name: 'P0', color: '#E94444' },
  system_level_1: { name: 'P1', color: '#FF7931' },
  system_level_2: { name: 'P2', color: '#FFB44A' },
  system_level_3: { name: 'P3', color: '#C9C9C9' },
};

export function levelTable(levels: readonly GuanceLevel[]): LevelTable {
  return new Map(levels.map((level) => [level.uuid, { name: level.name, ...(level.color ? { color: level.color } : {}) }]));
}

/** Level uuid (or legacy integer) → name and colour: the workspace's table, the built-in levels, else the raw value. */
export function resolveLevel(issue: Pick<GuanceIssue, 'level' | 'levelInfo'>, levels: LevelTable): IssueSnapshot['level'] {
  if (issue.levelInfo?.name) return { name: issue.levelInfo.name, ...(issue.levelInfo.color ? { color: issue.levelInfo.color } : {}) };
  if (issue.level === null) return null;
  const known = levels.get(issue.level) ?? SYSTEM_LEVELS[issue.level] ?? SYSTEM_LEVELS[`system_level_${issue.level}`];
  return known ?? { name: issue.level };
}

function assigneesOf(issue: GuanceIssue): string[] {
  const named = (issue.managerInfos ?? []).map((info) => info.name || info.acntWsNickname || info.email || '').filter(Boolean);
  if (named.length) return named;
  const managers = Array.isArray(issue.extend.manager) ? issue.extend.manager : [];
  const extra = issue.extend.extra as { managerInfos?: Record<string, { name?: unknown }> } | undefined;
  return managers
    .filter((m): m is string => typeof m === 'string')
    .map((m) => {
      const name = extra?.managerInfos?.[m]?.name;
      return typeof name === 'string' && name ? name : m;
    })
    // Account and team uuids mean nothing to a reader; e-mails and names do.
    .filter((m) => !/^(acnt|group)_/.test(m));
}

export function snapshotOf(issue: GuanceIssue, levels: LevelTable, consoleUrl: string, previous?: IssueSnapshot | null): IssueSnapshot {
  const plain = typeof issue.extend.text === 'string' && issue.extend.text.trim() ? issue.extend.text : issue.description;
  return {
    uuid: issue.uuid,
    title: issue.name || issue.uuid,
    level: resolveLevel(issue, levels),
    statusType: issue.statusType,
    source: issue.resource,
    createdAt: issue.createAt,
    updatedAt: issue.updateAt,
    assignees: assigneesOf(issue),
    description: plain,
    link: consoleLink(consoleUrl, issue.uuid, issue.extend),
    ...(previous?.lastChange ? { lastChange: previous.lastChange } : {}),
  };
}

/** The console page of an issue. Guance documents only this deep link form (guance-openapi.md §2.2.5). */
export function consoleLink(consoleUrl: string, issueUuid: string, extend: Record<string, unknown> = {}): string {
  const relative = extend.view_isuue_url;
  if (typeof relative === 'string' && relative.startsWith('/')) return `${consoleUrl}${relative}`;
  const query = new URLSearchParams({
    leftActiveKey: 'ExceptionsTracking',
    activeName: 'ExceptionsTracking',
    classic: 'exceptions_tracing',
    sourceType: 'exceptions_tracing',
    __docid: issueUuid,
  });
  return `${consoleUrl}/exceptions/exceptionsTracking?${query.toString()}`;
}

export function cardModel(snapshot: IssueSnapshot, config: Pick<Config, 'timeZone'>, notice?: string): IssueCardModel {
  return {
    uuid: snapshot.uuid,
    title: snapshot.title,
    level: snapshot.level,
    statusType: snapshot.statusType,
    source: snapshot.source,
    createdAt: snapshot.createdAt,
    timeZone: config.timeZone,
    assignees: snapshot.assignees,
    description: snapshot.description,
    consoleUrl: snapshot.link,
    ...(snapshot.lastChange ? { lastChange: snapshot.lastChange } : {}),
    ...(notice ? { notice } : {}),
  };
}

export function listItemOf(issue: GuanceIssue, levels: LevelTable, consoleUrl: string): IssueListItem {
  return {
    uuid: issue.uuid,
    title: issue.name || issue.uuid,
    levelName: resolveLevel(issue, levels)?.name ?? null,
    statusType: issue.statusType,
    createdAt: issue.createAt,
    consoleUrl: consoleLink(consoleUrl, issue.uuid, issue.extend),
  };
}
