/**
 * An issue as the bot shows it: Guance issue → snapshot (stored, so cards re-render without asking Guance) →
 * card model → the one issue card renderer.
 */
import { buildIssueCard } from '../../cards/issue-card.js';
import type { IssueCardModel, IssueListItem, LarkCard } from '../../cards/types.js';
import type { Config } from '../../src/config.js';
import type { Ctx } from '../../src/context.js';
import { workspaceLevels } from '../../src/guance/lookups.js';
import { issueExtend, type GuanceIssue, type GuanceLevel } from '../../src/guance/schemas.js';
import type { IssueSnapshot } from '../../src/store/index.js';

export type LevelTable = ReadonlyMap<string, { name: string; color?: string }>;

const SYSTEM_LEVELS: Record<string, { name: string; color: string }> = {
  system_level_0: { name: 'P0', color: '#E94444' },
  system_level_1: { name: 'P1', color: '#FF7931' },
  system_level_2: { name: 'P2', color: '#FFB44A' },
  system_level_3: { name: 'P3', color: '#C9C9C9' },
};

/** A built-in level (P0 … P3) with Guance's colour: what other sources' cards show, so every source's P0 looks alike. */
export function builtInLevel(name: 'P0' | 'P1' | 'P2' | 'P3'): { name: string; color: string } {
  const known = SYSTEM_LEVELS[`system_level_${name.slice(1)}`];
  return known ? { ...known } : { name, color: '#C9C9C9' };
}

export function levelTable(levels: readonly GuanceLevel[]): LevelTable {
  return new Map(levels.map((level) => [level.uuid, { name: level.name, ...(level.color ? { color: level.color } : {}) }]));
}

/** Level uuid (or legacy integer) → name and colour: the workspace's table, the built-in levels, else the raw value. */
function resolveLevel(issue: Pick<GuanceIssue, 'level' | 'levelInfo'>, levels: LevelTable): IssueSnapshot['level'] {
  if (issue.levelInfo?.name) return { name: issue.levelInfo.name, ...(issue.levelInfo.color ? { color: issue.levelInfo.color } : {}) };
  if (issue.level === null) return null;
  const known = levels.get(issue.level) ?? SYSTEM_LEVELS[issue.level] ?? SYSTEM_LEVELS[`system_level_${issue.level}`];
  return known ?? { name: issue.level };
}

function assigneesOf(issue: GuanceIssue): string[] {
  const named = (issue.managerInfos ?? []).map((info) => info.name || info.acntWsNickname || info.email || '').filter(Boolean);
  if (named.length) return named;
  const { manager, extra } = issueExtend(issue);
  return manager
    .map((m) => extra.managerInfos?.[m]?.name || m)
    // Account and team uuids mean nothing to a reader; e-mails and names do.
    .filter((m) => !/^(acnt|group)_/.test(m));
}

function snapshotOf(issue: GuanceIssue, levels: LevelTable, consoleUrl: string, previous?: IssueSnapshot | null): IssueSnapshot {
  const extend = issueExtend(issue);
  return {
    uuid: issue.uuid,
    title: issue.name || issue.uuid,
    level: resolveLevel(issue, levels),
    statusType: issue.statusType,
    source: issue.resource,
    createdAt: issue.createAt,
    updatedAt: issue.updateAt,
    assignees: assigneesOf(issue),
    description: extend.text?.trim() ? extend.text : issue.description,
    link: consoleLink(consoleUrl, issue.uuid, extend.view_isuue_url),
    ...(previous?.channel ? { channel: previous.channel } : {}),
    ...(previous?.lastChange ? { lastChange: previous.lastChange } : {}),
    ...(previous?.escalated ? { escalated: previous.escalated } : {}),
    ...(previous?.escalationRound ? { escalationRound: previous.escalationRound } : {}),
    ...(previous?.snoozed ? { snoozed: previous.snoozed } : {}),
    ...(previous?.warRoom ? { warRoom: previous.warRoom } : {}),
    ...(issue.level ? { levelId: issue.level } : {}),
    ...assigneePeople(issue, previous?.mentions),
  };
}

/**
 * The assignees the card @mentions: their e-mails (managerInfos, or extend.manager entries that are e-mails) with
 * their names; open_ids already resolved for the same e-mails are kept (resolveMentions fills the rest).
 */
function assigneePeople(issue: GuanceIssue, known: IssueSnapshot['mentions']): Pick<IssueSnapshot, 'people' | 'mentions'> {
  const byEmail = new Map<string, string>();
  const nameOnly: string[] = [];
  for (const info of issue.managerInfos ?? []) {
    const email = info.email?.toLowerCase();
    const name = info.name || info.acntWsNickname || '';
    if (email?.includes('@')) byEmail.set(email, name || email);
    else if (name) nameOnly.push(name);
  }
  for (const manager of issueExtend(issue).manager) if (manager.includes('@') && !byEmail.has(manager.toLowerCase())) byEmail.set(manager.toLowerCase(), manager);
  if (byEmail.size === 0) return {};
  // Assignees Lark cannot be asked about (no e-mail) stay on the card by name.
  const mentions = [
    ...[...byEmail].map(([email, name]) => ({ name, email, openId: known?.find((m) => m.email === email)?.openId ?? null })),
    ...nameOnly.map((name) => ({ name, openId: null })),
  ];
  return { people: [...byEmail.keys()], mentions };
}

/** Card deliveries, actions and sync run many at once: levels come from the cache the poller keeps warm, never a request. */
export async function issueSnapshot(ctx: Ctx, issue: GuanceIssue): Promise<IssueSnapshot> {
  const levels = levelTable(await workspaceLevels(ctx, 'cache-only'));
  return snapshotOf(issue, levels, ctx.config.guance.consoleUrl, await ctx.store.links.snapshot(issue.uuid));
}

/** The console page of an issue. Guance documents only this deep link form (../shared/reference/guance-openapi.md §2.2.5). */
export function consoleLink(consoleUrl: string, issueUuid: string, viewPath?: string): string {
  if (viewPath?.startsWith('/')) return `${consoleUrl}${viewPath}`;
  const query = new URLSearchParams({
    leftActiveKey: 'ExceptionsTracking',
    activeName: 'ExceptionsTracking',
    classic: 'exceptions_tracing',
    sourceType: 'exceptions_tracing',
    __docid: issueUuid,
  });
  return `${consoleUrl}/exceptions/exceptionsTracking?${query.toString()}`;
}

function cardModel(snapshot: IssueSnapshot, config: Pick<Config, 'timeZone' | 'snoozePresetsMinutes'>): IssueCardModel {
  const guanceIssue = (snapshot.kind ?? 'guance-issue') === 'guance-issue';
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
    ...(snapshot.kind ? { sourceKind: snapshot.kind } : {}),
    ...(snapshot.fields ? { fields: snapshot.fields } : {}),
    ...(snapshot.links ? { links: snapshot.links } : {}),
    ...(snapshot.count !== undefined ? { count: snapshot.count } : {}),
    ...(snapshot.lastSeenAt !== undefined ? { lastSeenAt: snapshot.lastSeenAt } : {}),
    ...(snapshot.mentions?.length ? { mentions: snapshot.mentions.map((m) => ({ name: m.name, openId: m.openId })) } : {}),
    ...(snapshot.escalated ? { escalated: snapshot.escalated } : {}),
    // Shown while it matters: once someone has the issue, the snooze is moot.
    ...(snapshot.snoozed && (snapshot.statusType === 10 || snapshot.statusType === 30) ? { snoozed: { until: snapshot.snoozed.until, by: snapshot.snoozed.by } } : {}),
    controls: { snoozeMinutes: config.snoozePresetsMinutes, assign: guanceIssue, comment: guanceIssue, warRoom: true },
  };
}

/** The one place an issue card is rendered: from a snapshot, in the bot's language. */
export function renderIssueCard(snapshot: IssueSnapshot, config: Pick<Config, 'timeZone' | 'language' | 'snoozePresetsMinutes'>): LarkCard {
  return buildIssueCard(cardModel(snapshot, config), config.language);
}

export function listItemOf(issue: GuanceIssue, levels: LevelTable, consoleUrl: string): IssueListItem {
  return {
    uuid: issue.uuid,
    title: issue.name || issue.uuid,
    levelName: resolveLevel(issue, levels)?.name ?? null,
    statusType: issue.statusType,
    createdAt: issue.createAt,
    consoleUrl: consoleLink(consoleUrl, issue.uuid, issueExtend(issue).view_isuue_url),
  };
}
