/**
 * Pure parts of sync: which reply-list entries are new and what to do with each. No I/O here, so every rule is
 * unit-tested on its own (test/unit/handlers/sync/). The thread texts are views: cards/thread-text.ts.
 */
import { clipLine } from '../../cards/parts.js';
import type { ReplyView } from '../../cards/thread-text.js';
import type { LastChange } from '../../cards/types.js';
import { FINISHED_STATUSES, STATUS, replyExtend, type GuanceIssue, type GuanceReply, type ReplyExtend } from '../../src/guance/schemas.js';
import type { FollowState, IssueSnapshot } from '../../src/store/index.js';
import { isBotComment } from '../issues/index.js';

/** An entry may show up in the list a little after a newer one (clock skew, slow writes): look back this far. */
const WATERMARK_GRACE_SECONDS = 120;

/** Not handled yet: after the follow began, not among the recently seen, not older than the watermark's grace. */
export function isNewEntry(entry: Pick<GuanceReply, 'uuid' | 'createAt' | 'deleteAt'>, state: FollowState): boolean {
  if (entry.deleteAt !== undefined && entry.deleteAt > 0) return false;
  if (entry.createAt < state.since) return false;
  if (entry.createAt < state.watermark - WATERMARK_GRACE_SECONDS) return false;
  return !state.seen.includes(entry.uuid);
}

/** Entries listed newest first (possibly over several pages) → oldest first; same-second entries keep their listed order reversed. */
export function oldestFirst<T extends { createAt: number }>(newestFirst: readonly T[]): T[] {
  return [...newestFirst].reverse().sort((a, b) => a.createAt - b.createAt);
}

/** The issue's own "X created the issue" activity entry: by its creator, at its creation time. */
function isCreationEntry(entry: GuanceReply, state: Pick<FollowState, 'issueCreatedAt' | 'issueCreator'>): boolean {
  return entry.createAt <= state.issueCreatedAt && (state.issueCreator === '' || entry.creator === state.issueCreator);
}

export type PlannedKind = 'reply' | 'status' | 'skip';
export interface PlannedEntry {
  entry: GuanceReply;
  kind: PlannedKind;
  /** Written by a person (not the bot): counts as activity. */
  byPerson: boolean;
}

export interface EntryPlan {
  items: PlannedEntry[];
  /** The newest `change` entry a person made: the one that gets the (single) status line. */
  lastPersonChange: GuanceReply | undefined;
}

/**
 * What to do with new entries (oldest first): a person's `reply` is posted; of the `change` entries people
 * made, only the newest may produce a status line (the issue is read once, its final state is what counts);
 * the bot's own comments and changes, the issue's "created" entry and unknown entry types are skipped.
 */
export function planEntries(entries: readonly GuanceReply[], state: Pick<FollowState, 'issueCreatedAt' | 'issueCreator'>, apiKeyId: string): EntryPlan {
  const items: PlannedEntry[] = entries.map((entry) => {
    if (isBotComment(entry, apiKeyId)) return { entry, kind: 'skip', byPerson: false };
    if (entry.type === 'reply') return { entry, kind: 'reply', byPerson: true };
    if (entry.type === 'change' && !isCreationEntry(entry, state)) return { entry, kind: 'status', byPerson: true };
    return { entry, kind: 'skip', byPerson: false };
  });
  const lastStatus = items.map((item) => item.kind).lastIndexOf('status');
  const planned = items.map((item, index) => (item.kind === 'status' && index !== lastStatus ? { ...item, kind: 'skip' as const } : item));
  return { items: planned, lastPersonChange: lastStatus >= 0 ? items[lastStatus]?.entry : undefined };
}

/** Did a scan's hint say the status moved away from what the card shows? `0` = the issue left the open list. */
export function hintSaysStatusMoved(hintStatus: number | undefined, shown: number | undefined): boolean {
  if (hintStatus === undefined || shown === undefined) return false;
  return hintStatus === 0 ? !FINISHED_STATUSES.has(shown) : hintStatus !== shown;
}

export function changeAction(previous: number | undefined, next: number): LastChange['action'] {
  if (next === STATUS.resolved) return 'resolve';
  if (next === STATUS.working) return 'ack';
  if (next === STATUS.open && previous !== undefined && FINISHED_STATUSES.has(previous)) return 'reopen';
  return 'status';
}

/**
 * The snapshot's new `lastChange` when Guance shows another status than the card, else null. A change the
 * bot's own key made (a Lark action whose card update is still on its way) gets no Guance attribution.
 */
export function guanceLastChange(
  previous: Pick<IssueSnapshot, 'statusType'> | null,
  issue: Pick<GuanceIssue, 'statusType' | 'updateAt' | 'updator' | 'updatorInfo'>,
  entry: GuanceReply | undefined,
  apiKeyId: string,
): LastChange | null {
  if (previous && previous.statusType === issue.statusType) return null;
  if (!entry && issue.updator === apiKeyId) return null;
  const name = entry ? personName(entry.creatorInfo, replyExtend(entry)) : personName(issue.updatorInfo, noExtend);
  return {
    action: changeAction(previous?.statusType, issue.statusType),
    statusType: issue.statusType,
    by: { name, at: entry ? entry.createAt : issue.updateAt, via: 'guance' },
  };
}

const noExtend: ReplyExtend = { extra: {}, linkList: [] };

type UserInfo = GuanceReply['creatorInfo'];

/** Display name of whoever wrote an entry; '' when Guance gave none. */
function personName(info: UserInfo, extend: ReplyExtend): string {
  const candidates = [info?.name, info?.acntWsNickname, extend.extra.creator?.name, info?.username, info?.email];
  return clipLine(candidates.find((c) => typeof c === 'string' && c.trim() !== '') ?? '', 80);
}

/** A reply as the thread shows it: the content, or the plain `extend.text` when the content is empty. */
export function replyView(reply: GuanceReply): ReplyView {
  const extend = replyExtend(reply);
  const fileNames = (reply.attachmentsList ?? []).map((file, index) => {
    const name = clipLine(file.fileName ?? '', 80) || `#${index + 1}`;
    const suffix = clipLine(file.fileSuffix ?? '', 12);
    return suffix && !name.toLowerCase().endsWith(`.${suffix.toLowerCase()}`) ? `${name}.${suffix}` : name;
  });
  const links = extend.linkList.flatMap((item) =>
    typeof item.link === 'string' ? [{ label: typeof item.name === 'string' ? item.name : '', url: item.link }] : [],
  );
  return {
    name: personName(reply.creatorInfo, extend),
    at: reply.createAt,
    source: reply.content.trim() !== '' ? reply.content : (extend.text ?? ''),
    fileNames,
    links,
  };
}
