/**
 * Shared building blocks for the cards: level colours, status names, time formatting, buttons,
 * small element helpers, and the size/element-count checks every card goes through.
 */
import { t, type PlainMessageKey } from './i18n.js';
import { singleLine, truncateText } from './text.js';
import type {
  ButtonElement,
  ButtonType,
  ColumnSetElement,
  DivElement,
  IssueAction,
  IssueButtonValue,
  Language,
  LarkCard,
  MarkdownElement,
  PlainText,
  TextColor,
  TextSize,
} from './types.js';

export {
  cleanText,
  clipLine,
  escapeLarkMd,
  markdownLinkTarget,
  plainExcerpt,
  safeUrl,
  singleLine,
  truncateText,
} from './text.js';
export { isHeaderTemplate, levelTemplate, templateForColour, textTagColour } from './level-colour.js';

/** Lark's limit for a card (create, reply, PATCH, delayed update): 30 KB. */
export const MAX_CARD_BYTES = 30 * 1024;
/** What the builders aim for, leaving room for Lark's own expansion of the JSON. */
export const CARD_BYTE_TARGET = 24 * 1024;
/** Lark's limit of elements/components per JSON 2.0 card. */
export const MAX_CARD_ELEMENTS = 200;

// ---------------------------------------------------------------------------
// Status and time
// ---------------------------------------------------------------------------

const STATUS_KEYS: Readonly<Record<number, PlainMessageKey>> = Object.freeze({
  10: 'status.open',
  15: 'status.working',
  20: 'status.resolved',
  25: 'status.closed',
  30: 'status.pending',
});

/** Display name of a Guance `statusType` (10 Open, 15 Working, 20 Resolved, 25 Closed, 30 Pending). */
export function statusName(statusType: number, lang: Language): string {
  const key = STATUS_KEYS[statusType];
  if (key === undefined) return t(lang, 'status.other', { code: String(statusType) });
  return t(lang, key);
}

function partsIn(date: Date, timeZone: string): Record<string, string> {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'shortOffset',
  });
  const out: Record<string, string> = {};
  for (const part of fmt.formatToParts(date)) out[part.type] = part.value;
  return out;
}

/**
 * A workspace-local time such as `2026-11-23 14:05 (UTC+8)`. The numeric form reads the same in
 * Chinese and English, so `lang` only matters for the "no time" dash. An unknown zone falls back
 * to UTC; a non-finite time gives `—`.
 */
export function formatTime(unixSeconds: number, timeZone: string, lang: Language): string {
  const ms = Math.floor(Number(unixSeconds) * 1000);
  const date = new Date(ms);
  if (!Number.isFinite(ms) || Number.isNaN(date.getTime())) return t(lang, 'card.none');
  let p: Record<string, string>;
  try {
    p = partsIn(date, timeZone || 'UTC');
  } catch {
    p = partsIn(date, 'UTC');
  }
  const offset = (p.timeZoneName ?? 'GMT').replace(/^GMT/, 'UTC').replace(/^UTC[+-]0(?::00)?$/, 'UTC');
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} (${offset})`;
}

// ---------------------------------------------------------------------------
// Buttons
// ---------------------------------------------------------------------------

/** Which actions make sense in a status: Open/Pending ack + resolve, Working resolve, Resolved/Closed reopen. */
export function buttonsFor(statusType: number): readonly IssueAction[] {
  switch (statusType) {
    case 10:
    case 30:
      return ['ack', 'resolve'];
    case 15:
      return ['resolve'];
    case 20:
    case 25:
      return ['reopen'];
    default:
      return [];
  }
}

const ACTION_LABELS: Readonly<Record<IssueAction, PlainMessageKey>> = Object.freeze({
  ack: 'button.ack',
  resolve: 'button.resolve',
  reopen: 'button.reopen',
});

/** The localised label of an action button. */
export function actionLabel(action: IssueAction, lang: Language): string {
  return t(lang, ACTION_LABELS[action]);
}

export interface ButtonOptions {
  type?: ButtonType;
  elementId?: string;
}

/** A button whose click calls back with exactly `{action, issue}`. */
export function callbackButton(label: string, value: IssueButtonValue, options: ButtonOptions = {}): ButtonElement {
  return {
    tag: 'button',
    ...(options.elementId === undefined ? {} : { element_id: options.elementId }),
    type: options.type ?? 'default',
    text: plainText(truncateLabel(label)),
    behaviors: [{ type: 'callback', value: { action: value.action, issue: value.issue } }],
  };
}

/** `60` → `1 h`, `1440` → `1 d`, `30` → `30 min` (and 小时 / 天 / 分钟). */
export function durationLabel(minutes: number, lang: Language): string {
  const unit = (n: number, en: string, zh: string) => (lang === 'en' ? `${n} ${en}` : `${n} ${zh}`);
  if (minutes % 1440 === 0) return unit(minutes / 1440, 'd', '天');
  if (minutes % 60 === 0) return unit(minutes / 60, 'h', '小时');
  return unit(Math.round(minutes * 10) / 10, 'min', '分钟');
}

/** A button that opens `url` (expected to be checked with `safeUrl` first). */
export function urlButton(label: string, url: string, options: ButtonOptions = {}): ButtonElement {
  return {
    tag: 'button',
    ...(options.elementId === undefined ? {} : { element_id: options.elementId }),
    type: options.type ?? 'default',
    text: plainText(truncateLabel(label)),
    behaviors: [{ type: 'open_url', default_url: url }],
  };
}

/** Button texts are limited to 100 characters by Lark. */
function truncateLabel(label: string): string {
  return truncateText(singleLine(label), 100);
}

/** Buttons side by side, wrapping on narrow screens (JSON 2.0 has no `action` container). */
export function buttonRow(buttons: readonly ButtonElement[], elementId?: string): ColumnSetElement {
  return {
    tag: 'column_set',
    ...(elementId === undefined ? {} : { element_id: elementId }),
    flex_mode: 'flow',
    horizontal_spacing: 'small',
    columns: buttons.map((button) => ({ tag: 'column', width: 'auto', elements: [button] })),
  };
}

// ---------------------------------------------------------------------------
// Elements and limits
// ---------------------------------------------------------------------------

/** A `plain_text` object. */
export function plainText(content: string, style: { size?: TextSize; color?: TextColor } = {}): PlainText {
  return {
    tag: 'plain_text',
    content,
    ...(style.size === undefined ? {} : { text_size: style.size }),
    ...(style.color === undefined ? {} : { text_color: style.color }),
  };
}

/** A `div` of plain text: nothing in `content` is interpreted. */
export function textBlock(content: string, style: { size?: TextSize; color?: TextColor } = {}): DivElement {
  return { tag: 'div', text: plainText(content, style) };
}

/** A markdown element. Only ever pass user text through `escapeLarkMd` first. */
export function markdownBlock(content: string, size?: TextSize): MarkdownElement {
  return { tag: 'markdown', content, ...(size === undefined ? {} : { text_size: size }) };
}

/** Bytes of the card as Lark receives it (UTF-8 JSON). */
export function cardByteLength(card: LarkCard): number {
  return new TextEncoder().encode(JSON.stringify(card)).length;
}

/** Elements and components in a card as Lark counts them: every object with a `tag`, text objects included. */
export function countCardElements(card: LarkCard): number {
  const count = (node: unknown): number => {
    if (Array.isArray(node)) return node.reduce((sum: number, item: unknown) => sum + count(item), 0);
    if (node === null || typeof node !== 'object') return 0;
    const own = 'tag' in node ? 1 : 0;
    return Object.values(node).reduce((sum: number, value: unknown) => sum + count(value), own);
  };
  return count(card.header) + count(card.body.elements);
}

/** True when the card is within Lark's size target and element limit. */
export function cardFits(card: LarkCard, maxBytes = CARD_BYTE_TARGET): boolean {
  return cardByteLength(card) <= maxBytes && countCardElements(card) <= MAX_CARD_ELEMENTS;
}

