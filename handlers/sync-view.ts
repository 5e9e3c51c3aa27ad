/**
 * Pure parts of sync: which reply-list entries are new, what to do with each, and the thread texts.
 * No I/O here, so every rule is unit-tested on its own (test/unit/sync-*.test.ts).
 */
import { t } from '../cards/i18n.js';
import { clipLine, formatTime, plainExcerpt, safeUrl, statusName, truncateText } from '../cards/parts.js';
import type { Language } from '../cards/types.js';
import { z } from 'zod';
import type { GuanceIssue, GuanceReply } from '../src/guance/schemas.js';
import type { IssueSnapshot } from '../src/store/issue-links.js';
import { isBotComment } from './bot-comments.js';
import { FINISHED_STATUSES, type FollowState } from './follow.js';

/** An entry may show up in the list a little after a newer one (clock skew, slow writes): look back this far. */
export const WATERMARK_GRACE_SECONDS = 120;
/** Reply text shown in the thread, in code points (the rest is a link away). */
export const MAX_REPLY_CHARS = 1000;
/** Guance caps reply content at 65 535 characters. */
const MAX_SOURCE_CHARS = 70_000;
const MAX_FILES = 5;
const MAX_LINKS = 5;

export type LastChange = NonNullable<IssueSnapshot['lastChange']>;

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
  if (next === 20) return 'resolve';
  if (next === 15) return 'ack';
  if (next === 10 && previous !== undefined && FINISHED_STATUSES.has(previous)) return 'reopen';
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
  const name = entry ? personName(entry.creatorInfo, entry.extend) : personName(issue.updatorInfo, {});
  return {
    action: changeAction(previous?.statusType, issue.statusType),
    statusType: issue.statusType,
    by: { name, at: entry ? entry.createAt : issue.updateAt, via: 'guance' },
  };
}

type UserInfo = GuanceReply['creatorInfo'];

/** Display name of whoever wrote an entry; '' when Guance gave none. */
export function personName(info: UserInfo, extend: Record<string, unknown>): string {
  const extra = (extend.extra as { creator?: { name?: unknown } } | undefined)?.creator?.name;
  const candidates = [info?.name, info?.acntWsNickname, typeof extra === 'string' ? extra : undefined, info?.username, info?.email];
  return clipLine(candidates.find((c) => typeof c === 'string' && c.trim() !== '') ?? '', 80);
}

/**
 * Text messages in Lark interpret `<at user_id=…>` (and a few style tags) and `[text](url)`. Entities in the
 * source may decode into such tags, so every `<` that could open a tag becomes a look-alike, and `](` is split.
 */
export function larkTextSafe(text: string): string {
  return text.replace(/<(?=[A-Za-z/!?])/g, '＜').replace(/\]\(/g, '] (');
}

const attachmentsSchema = z
  .array(z.looseObject({ fileName: z.string().optional(), fileSuffix: z.string().optional() }))
  .catch([]);
const linkListSchema = z.array(z.looseObject({ name: z.unknown().optional(), link: z.unknown().optional() })).catch([]);

function fileNames(reply: GuanceReply): string[] {
  const list = attachmentsSchema.parse((reply as Record<string, unknown>).attachmentsList ?? []);
  return list.map((file, index) => {
    const name = clipLine(file.fileName ?? '', 80) || `#${index + 1}`;
    const suffix = clipLine(file.fileSuffix ?? '', 12);
    return suffix && !name.toLowerCase().endsWith(`.${suffix.toLowerCase()}`) ? `${name}.${suffix}` : name;
  });
}

function replyLinks(reply: GuanceReply): string[] {
  const out: string[] = [];
  for (const item of linkListSchema.parse(reply.extend.linkList ?? [])) {
    const url = typeof item.link === 'string' ? safeUrl(item.link) : null;
    if (!url) continue;
    const label = typeof item.name === 'string' ? clipLine(item.name, 80) : '';
    out.push(label && label !== url ? `${label}: ${url}` : url);
  }
  return out;
}

export interface ReplyTextOptions {
  lang: Language;
  timeZone: string;
  /** The issue in the Guance console (for the full text and attachments). */
  issueLink: string;
}

/** The thread message for a person's Guance reply: who, when, the text as plain text (cut sensibly), attachments and links. */
export function replyThreadText(reply: GuanceReply, options: ReplyTextOptions): string {
  const { lang } = options;
  const name = personName(reply.creatorInfo, reply.extend) || t(lang, 'sync.someone');
  const time = formatTime(reply.createAt, options.timeZone, lang);
  const extendText = typeof reply.extend.text === 'string' ? reply.extend.text : '';
  const source = reply.content.trim() !== '' ? reply.content : extendText;
  const full = plainExcerpt(source, MAX_SOURCE_CHARS);
  const text = truncateText(full, MAX_REPLY_CHARS);
  const truncated = text !== full;
  const link = safeUrl(options.issueLink) ?? '';
  const lines = [t(lang, 'sync.reply', { name, time, text: text || t(lang, 'sync.noText') })];
  if (truncated && link) lines.push(t(lang, 'sync.truncated', { link }));
  const files = fileNames(reply);
  if (files.length > 0) {
    const shown = files.slice(0, MAX_FILES).join(', ') + (files.length > MAX_FILES ? ` +${files.length - MAX_FILES}` : '');
    lines.push(t(lang, 'sync.attachments', { files: shown, link: link || '—' }));
  }
  const links = replyLinks(reply);
  if (links.length > 0) lines.push(t(lang, 'sync.links'), ...links.slice(0, MAX_LINKS));
  return larkTextSafe(lines.join('\n'));
}

/** The one short thread line for a status change made in Guance ("Resolved by Alice in Guance at …"). */
export function statusLineText(change: LastChange, lang: Language, timeZone: string): string {
  const name = clipLine(change.by.name, 80) || t(lang, 'sync.someone');
  const time = formatTime(change.by.at, timeZone, lang);
  let line: string;
  if (change.action === 'resolve') line = t(lang, 'change.resolve.guance', { name, time });
  else if (change.action === 'reopen') line = t(lang, 'change.reopen.guance', { name, time });
  else if (change.action === 'ack') line = t(lang, 'change.ack.guance', { name, time });
  else line = t(lang, 'change.status.guance', { name, time, status: statusName(change.statusType, lang) });
  return larkTextSafe(line);
}
