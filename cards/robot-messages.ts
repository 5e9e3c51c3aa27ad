/**
 * Robot webhook messages (DingTalk, WeCom, Lark custom bot) from one robot view: one issue, or a storm digest
 * whose `lines` are listed most severe first, as given. ../shared/reference/sources-and-sinks.md §3 (DingTalk
 * markdown / actionCard), §4 (WeCom markdown, 4096 bytes), §6–6.1 (escaping, byte-boundary cuts), lark-platform.md
 * §8.1 (custom bot: card under `card`, 20 KB). User text is escaped and budgeted; a message still too big is rebuilt
 * with smaller budgets, digest lines are dropped whole ("…and N more"), and a hard cut guarantees the limit.
 */
import { t } from './i18n.js';
import {
  buttonRow,
  cleanText,
  clipLine,
  escapeLarkMd,
  levelTemplate,
  markdownBlock,
  markdownLinkTarget,
  plainText,
  safeUrl,
  textBlock,
  truncateText,
  urlButton,
} from './parts.js';
import type { CardElement, Language, LarkCard } from './types.js';

/**
 * The shape of `RobotView` (src/robots/types.ts), repeated because cards/ imports only its own files
 * (test/unit/cards/purity.test.ts); test/unit/cards/robot-messages.test.ts checks that the two stay equal.
 */
export interface RobotMessageView {
  title: string;
  level: string | null;
  status: string;
  source: string;
  time: string;
  fields: { name: string; value: string }[];
  excerpt: string;
  links: { label: string; url: string }[];
  lines: { level: string | null; title: string; url?: string }[];
}

/** DingTalk's size is undocumented (§3): keep the markdown text small. Code points. */
export const DINGTALK_MAX_CHARS = 4_000;
/** WeCom `markdown.content`: 4096 UTF-8 bytes (§4). */
export const WECOM_MAX_BYTES = 4_096;
/** Lark custom bot: 20 KB per request (§8.1); what we aim for, leaving room for `timestamp` and `sign`. */
export const LARK_WEBHOOK_MAX_BYTES = 19_000;
/** DingTalk shows at most a few buttons well; the other robots get the same links. */
const MAX_LINKS = 3;

/** Code points per piece (`fields`, `excerptLines`: how many). */
type Budget = Readonly<Record<'title' | 'field' | 'fields' | 'excerpt' | 'excerptLines' | 'line', number>>;

/** Tried in order until the message fits; the last one is small whatever the input. */
const BUDGETS: readonly Budget[] = [
  { title: 200, field: 200, fields: 10, excerpt: 1_500, excerptLines: 30, line: 120 },
  { title: 120, field: 80, fields: 6, excerpt: 400, excerptLines: 10, line: 80 },
  { title: 60, field: 40, fields: 3, excerpt: 0, excerptLines: 0, line: 50 },
];

const utf8Bytes = (text: string): number => new TextEncoder().encode(text).length;
const codePoints = (text: string): number => [...text].length;

/** Cuts `text` to at most `maxBytes` UTF-8 bytes on a code-point boundary; a cut ends with `…` (3 bytes, counted). */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  let left = maxBytes - 3;
  let end = 0;
  for (const ch of text) {
    left -= utf8Bytes(ch);
    if (left < 0) break;
    end += ch.length;
  }
  return maxBytes < 3 ? '' : `${text.slice(0, end)}…`;
}

/**
 * User text for DingTalk / WeCom markdown. Their escaping rules are not documented: markdown punctuation gets
 * a CommonMark backslash, and `<` `>` become full-width `＜` `＞` so no `<font>`, `<@userid>` or HTML can be formed.
 */
export function escapeRobotMd(text: string): string {
  return cleanText(text)
    .replace(/[\\`*_[\]~]/g, '\\$&')
    .replace(/</g, '＜')
    .replace(/>/g, '＞')
    .replace(/^(\s*)([#+-])/gm, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/gm, '$1\\$2');
}

interface Parts {
  level: string;
  title: string;
  meta: string;
  fields: { name: string; value: string }[];
  excerpt: string[];
  links: { label: string; url: string }[];
  /** Digest lines, clipped, URLs checked; each robot renders them its own way. */
  lines: { level: string; title: string; url: string | null }[];
}

/** A markdown link when there is a (checked) URL; `title` is already escaped. */
const linked = (title: string, url: string | null): string => (url === null ? title : `[${title}](${markdownLinkTarget(url)})`);
const clipLevel = (level: string | null | undefined): string => clipLine(level ?? '', 24);

/** Common, clipped pieces; a title already starting with `[level]` loses that prefix (each robot re-adds it). */
function parts(view: RobotMessageView, b: Budget): Parts {
  const level = clipLevel(view.level);
  let title = clipLine(view.title ?? '', b.title + level.length + 3);
  if (level !== '' && title.startsWith(`[${level}]`)) title = title.slice(level.length + 2).trim();
  const excerptText = truncateText(cleanText(String(view.excerpt ?? '').slice(0, b.excerpt * 4)).trim(), b.excerpt);
  const excerptLines = excerptText === '' ? [] : excerptText.split('\n').map((line) => line.trimEnd());
  const excerpt = excerptLines.slice(0, b.excerptLines);
  if (excerptLines.length > excerpt.length && excerpt.length > 0) excerpt.push('…');
  const link = (label: string, url: string | null) => (url === null ? [] : [{ label: clipLine(label, 30) || '↗', url }]);
  return {
    level,
    title: truncateText(title, b.title) || '—',
    meta: [view.source, view.status, view.time].map((part) => clipLine(part ?? '', 60)).filter((p) => p !== '').join(' · '),
    fields: (view.fields ?? [])
      .slice(0, b.fields)
      .map((f) => ({ name: clipLine(f.name, 40), value: clipLine(f.value, b.field) || '—' })),
    excerpt,
    links: (view.links ?? []).flatMap((l) => link(l.label ?? '', safeUrl(l.url ?? ''))).slice(0, MAX_LINKS),
    lines: (view.lines ?? []).map((l) => ({
      level: clipLevel(l.level),
      title: clipLine(l.title ?? '', b.line) || '—',
      url: safeUrl(l.url ?? ''),
    })),
  };
}

/** Whole lines while they fit in `room` (by `cost`), then "…and N more" (its cost reserved up front). */
function fitLines(lines: readonly string[], room: number, cost: (s: string) => number, more: (n: number) => string): string[] {
  let left = room - cost(more(lines.length));
  let kept = 0;
  for (const line of lines) {
    if (cost(line) > left) break;
    left -= cost(line);
    kept += 1;
  }
  return kept < lines.length ? [...lines.slice(0, kept), more(lines.length - kept)] : [...lines];
}

/** WeCom's three colours (§4) for a level: the warm header colours warn, green is info, the rest grey. */
function weComColour(level: string): 'warning' | 'info' | 'comment' {
  const template = levelTemplate(level === '' ? null : { name: level });
  if (template === 'red' || template === 'orange' || template === 'yellow' || template === 'carmine') return 'warning';
  return template === 'green' || template === 'turquoise' ? 'info' : 'comment';
}

/** DingTalk or WeCom markdown (the subset both have: bold, quotes, links), fitted to `max` by `size`. */
function robotMarkdown(
  view: RobotMessageView,
  lang: Language,
  style: 'dingtalk' | 'wecom',
  size: (s: string) => number,
  max: number,
) {
  const wecom = style === 'wecom';
  const br = wecom ? '\n' : '  \n'; // DingTalk breaks a line on two spaces before `\n` (§3 Body).
  const label = (level: string): string => {
    if (level === '') return '';
    return wecom ? `[<font color="${weComColour(level)}">${escapeRobotMd(level)}</font>] ` : `[${escapeRobotMd(level)}] `;
  };
  const more = (n: number): string => `${wecom ? '' : '- '}${escapeRobotMd(t(lang, 'list.more', { count: n }))}`;
  let text = '';
  let p: Parts | undefined;
  for (const b of BUDGETS) {
    p = parts(view, b);
    const meta = escapeRobotMd(p.meta);
    const head = [
      `**${label(p.level)}${escapeRobotMd(p.title)}**`,
      meta === '' || !wecom ? meta : `> <font color="comment">${meta}</font>`,
      p.fields.map((f) => `**${escapeRobotMd(f.name)}** ${escapeRobotMd(f.value)}`).join(br),
      p.excerpt.map((line) => `> ${escapeRobotMd(line)}`).join(br),
      // DingTalk shows the links as buttons.
      wecom ? p.links.map((l) => linked(escapeRobotMd(l.label), l.url)).join('  ') : '',
    ].filter((part) => part !== '');
    const lines = p.lines.map((l) => `${wecom ? '' : '- '}${label(l.level)}${linked(escapeRobotMd(l.title), l.url)}`);
    const room = max - size(head.join('\n\n')) - 2;
    const digest = lines.length === 0 ? [] : fitLines(lines, room, (line) => size(line) + 1, more);
    text = [...head, digest.join('\n')].filter((part) => part !== '').join('\n\n');
    if (size(text) <= max) break;
  }
  return { text, level: p?.level ?? '', title: p?.title ?? '', links: p?.links ?? [] };
}

/**
 * DingTalk robot body: `actionCard` with URL buttons (`btns`, at most 3) when the view has links, else `markdown`.
 * `msgUuid` makes a retry after a lost answer safe (§3 Body). Text ≤ 4 000 characters.
 */
export function dingTalkMessage(view: RobotMessageView, options: { msgUuid: string; lang?: Language }): Record<string, unknown> {
  const md = robotMarkdown(view, options.lang ?? 'zh', 'dingtalk', codePoints, DINGTALK_MAX_CHARS);
  const text = truncateText(md.text, DINGTALK_MAX_CHARS);
  // `title` is only the chat-list preview (§3 Body): plain text.
  const title = truncateText(`${md.level === '' ? '' : `[${md.level}] `}${md.title}`, 100);
  if (md.links.length === 0) return { msgtype: 'markdown', markdown: { title, text }, msgUuid: options.msgUuid };
  const btns = md.links.map((link) => ({ title: link.label, actionURL: link.url }));
  const actionCard = { title, text, btnOrientation: btns.length <= 2 ? '1' : '0', btns };
  return { msgtype: 'actionCard', actionCard, msgUuid: options.msgUuid };
}

/** WeCom robot body: `markdown` (colours and links; `markdown_v2` has no colours, §4), ≤ 4 096 UTF-8 bytes. */
export function weComMessage(view: RobotMessageView, lang: Language = 'zh'): Record<string, unknown> {
  const md = robotMarkdown(view, lang, 'wecom', utf8Bytes, WECOM_MAX_BYTES);
  return { msgtype: 'markdown', markdown: { content: truncateUtf8(md.text, WECOM_MAX_BYTES) } };
}

/** Fields two to a row, as on the issue card. */
function fieldRows(fields: Parts['fields']): CardElement[] {
  const cell = (f: { name: string; value: string }) => markdownBlock(`**${escapeLarkMd(f.name)}**\n${escapeLarkMd(f.value)}`);
  const rows: CardElement[] = [];
  for (let index = 0; index < fields.length; index += 2) {
    const [left, right] = fields.slice(index, index + 2).map(cell);
    if (left === undefined) continue;
    if (right === undefined) {
      rows.push(left);
      continue;
    }
    const column = (el: CardElement) => ({ tag: 'column' as const, width: 'weighted', weight: 1, elements: [el] });
    rows.push({ tag: 'column_set', flex_mode: 'bisect', horizontal_spacing: 'medium', columns: [column(left), column(right)] });
  }
  return rows;
}

function larkCard(view: RobotMessageView, p: Parts, digest: string[]): LarkCard {
  const title = `${p.level === '' ? '' : `[${p.level}] `}${p.title}`;
  const elements: CardElement[] = fieldRows(p.fields);
  if (elements.length > 0 && (p.excerpt.length > 0 || digest.length > 0)) elements.push({ tag: 'hr' });
  if (p.excerpt.length > 0) elements.push(textBlock(p.excerpt.join('\n')));
  if (digest.length > 0) elements.push(markdownBlock(digest.join('\n')));
  // URL buttons only: a callback would go to an app's callback URL, and a custom bot has none (§8.1).
  const buttons = p.links.map((link, index) =>
    urlButton(link.label, link.url, { type: index === 0 ? 'primary_filled' : 'default', elementId: `btn_link_${index}` }),
  );
  if (buttons.length > 0) elements.push(buttonRow(buttons, 'links'));
  return {
    schema: '2.0',
    config: { update_multi: true, summary: { content: truncateText(title, 120) } },
    header: {
      title: plainText(title),
      ...(p.meta === '' ? {} : { subtitle: plainText(p.meta) }),
      template: levelTemplate(view.level ? { name: view.level } : null),
    },
    body: { elements },
  };
}

/**
 * Lark custom-bot body: `{msg_type: 'interactive', card}` with a JSON 2.0 card (header coloured by level, fields,
 * excerpt, digest list, `open_url` buttons only), at most 19 000 bytes of JSON.
 */
export function larkWebhookCard(view: RobotMessageView, lang: Language): Record<string, unknown> {
  const wrap = (card: LarkCard) => ({ msg_type: 'interactive', card });
  const size = (value: unknown): number => utf8Bytes(JSON.stringify(value));
  const more = (n: number): string => `- ${escapeLarkMd(t(lang, 'list.more', { count: n }))}`;
  for (const b of BUDGETS) {
    const p = parts(view, b);
    const lines = p.lines.map((l) => {
      return `- ${l.level === '' ? '' : `${escapeLarkMd(`[${l.level}]`)} `}${linked(escapeLarkMd(l.title), l.url)}`;
    });
    // A line costs its JSON string: the two quotes pay for the `\n` that joins it.
    const room = LARK_WEBHOOK_MAX_BYTES - size(wrap(larkCard(view, p, lines.length === 0 ? [] : [more(lines.length)])));
    const candidate = wrap(larkCard(view, p, lines.length === 0 ? [] : fitLines(lines, room, size, more)));
    if (size(candidate) <= LARK_WEBHOOK_MAX_BYTES) return candidate;
  }
  // Not reached with the budgets above (the smallest card without its digest is a few KB); a hard guarantee.
  return wrap(larkCard(view, parts(view, BUDGETS[BUDGETS.length - 1] as Budget), []));
}
