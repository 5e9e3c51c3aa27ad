/**
 * The plain-text lines sync posts in a card's thread: a person's Guance reply, and a status change made in Guance.
 */
import { t } from './i18n.js';
import { clipLine, formatTime, plainExcerpt, safeUrl, statusName, truncateText } from './parts.js';
import type { Language, LastChange } from './types.js';

/** Reply text shown in the thread, in code points (the rest is a link away). */
export const MAX_REPLY_CHARS = 1000;
/** Guance caps reply content at 65 535 characters. */
const MAX_SOURCE_CHARS = 70_000;
const MAX_FILES = 5;
const MAX_LINKS = 5;

/** A person's Guance reply, as sync read it. */
export interface ReplyView {
  /** Who wrote it; '' when Guance gave no name. */
  name: string;
  /** Unix seconds. */
  at: number;
  /** The reply's content (HTML or markdown as Guance stores it). */
  source: string;
  /** Attachment names with their suffix. */
  fileNames: string[];
  links: Array<{ label: string; url: string }>;
}

export interface ReplyTextOptions {
  lang: Language;
  timeZone: string;
  /** The issue's page in Guance, where the full text and attachments are. */
  issueLink: string;
}

/**
 * Text messages in Lark interpret `<at user_id=…>` (and a few style tags) and `[text](url)`. Entities in the
 * source may decode into such tags, so every `<` that could open a tag becomes a look-alike, and `](` is split.
 */
export function larkTextSafe(text: string): string {
  return text.replace(/<(?=[A-Za-z/!?])/g, '＜').replace(/\]\(/g, '] (');
}

function linkLines(links: ReplyView['links']): string[] {
  const out: string[] = [];
  for (const { label, url } of links) {
    const safe = safeUrl(url);
    if (!safe) continue;
    const shown = clipLine(label, 80);
    out.push(shown && shown !== safe ? `${shown}: ${safe}` : safe);
  }
  return out;
}

/** The thread message for a person's Guance reply: who, when, the text as plain text (cut sensibly), attachments and links. */
export function replyThreadText(reply: ReplyView, options: ReplyTextOptions): string {
  const { lang } = options;
  const name = clipLine(reply.name, 80) || t(lang, 'sync.someone');
  const time = formatTime(reply.at, options.timeZone, lang);
  const full = plainExcerpt(reply.source, MAX_SOURCE_CHARS);
  const text = truncateText(full, MAX_REPLY_CHARS);
  const truncated = text !== full;
  const link = safeUrl(options.issueLink) ?? '';
  const lines = [t(lang, 'sync.reply', { name, time, text: text || t(lang, 'sync.noText') })];
  if (truncated && link) lines.push(t(lang, 'sync.truncated', { link }));
  const files = reply.fileNames;
  if (files.length > 0) {
    const shown = files.slice(0, MAX_FILES).join(', ') + (files.length > MAX_FILES ? ` +${files.length - MAX_FILES}` : '');
    lines.push(t(lang, 'sync.attachments', { files: shown, link: link || '—' }));
  }
  const links = linkLines(reply.links);
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
