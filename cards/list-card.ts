/**
 * The `list` answer: open issues, one line each (level tag, linked title, status, created time),
 * at most `maxRows` of them and then "…and N more". Rows are dropped, never cut in half, when the
 * card would exceed Lark's size limit.
 */
import { t } from './i18n.js';
import {
  CARD_BYTE_TARGET,
  cardByteLength,
  cardFits,
  clipLine,
  escapeLarkMd,
  formatTime,
  levelTemplate,
  markdownBlock,
  markdownLinkTarget,
  plainText,
  safeUrl,
  statusName,
  textBlock,
  textTagColour,
} from './parts.js';
import type { CardElement, IssueListItem, Language, LarkCard, MarkdownElement } from './types.js';

export interface ListCardOptions {
  /** How many open issues there are in all, when `items` is only the first page. */
  total?: number;
  /** IANA zone for the created times; UTC by default. */
  timeZone?: string;
  /** Rows shown at most (default 30). */
  maxRows?: number;
  /** Another title than "Open issues (N)" (the storm digest), and its header colour. */
  title?: string;
  template?: 'blue' | 'orange' | 'red' | 'grey';
  /** A line under the header (e.g. "Storm over: 14:30–14:31"). */
  note?: string;
  /** Longest link kept on a row (default 1,000); longer ones leave the title unlinked. Digests keep rows small. */
  maxUrlChars?: number;
}

const DEFAULT_MAX_ROWS = 30;
const TITLE_CHARS = 100;
const LEVEL_CHARS = 24;
const ROW_URL_CHARS = 1000;

function row(item: IssueListItem, lang: Language, timeZone: string, maxUrlChars = ROW_URL_CHARS): MarkdownElement {
  const levelName = clipLine(item.levelName ?? '', LEVEL_CHARS);
  const level = levelName === '' ? t(lang, 'level.unknown') : levelName;
  const colour = textTagColour(levelTemplate(levelName === '' ? null : { name: levelName }));
  const title = escapeLarkMd(clipLine(item.title ?? '', TITLE_CHARS) || clipLine(item.uuid ?? '', TITLE_CHARS));
  const url = safeUrl(item.consoleUrl ?? '', maxUrlChars);
  const linked = url === null ? title : `[${title}](${markdownLinkTarget(url)})`;
  const meta = `${statusName(item.statusType, lang)} · ${formatTime(item.createdAt, timeZone, lang)}`;
  return markdownBlock(
    `<text_tag color='${colour}'>${escapeLarkMd(level)}</text_tag> ${linked}\n<font color='grey'>${meta}</font>`,
  );
}

function card(title: string, elements: CardElement[], template: NonNullable<ListCardOptions['template']> | 'green'): LarkCard {
  return {
    schema: '2.0',
    config: { update_multi: true, summary: { content: title } },
    header: { title: plainText(title), template },
    body: { elements },
  };
}

/** The open-issues card in `lang` (also the storm digest, with its own title). */
export function buildListCard(
  items: readonly IssueListItem[],
  lang: Language,
  options: ListCardOptions = {},
): LarkCard {
  const list = Array.isArray(items) ? items : [];
  const total = Math.max(Number.isFinite(options.total) ? Math.floor(options.total ?? 0) : 0, list.length);
  const title = options.title ?? t(lang, 'list.title', { count: total });
  if (total === 0) return card(title, [textBlock(t(lang, 'answer.noOpenIssues'))], 'green');
  const template = options.template ?? 'blue';
  const note: CardElement[] = options.note ? [textBlock(options.note, { color: 'grey' })] : [];

  const timeZone = options.timeZone ?? 'UTC';
  const maxRows = Math.max(0, Math.floor(options.maxRows ?? DEFAULT_MAX_ROWS));
  const candidates = list.slice(0, maxRows).map((item) => row(item, lang, timeZone, options.maxUrlChars));
  const more = (shown: number): CardElement[] =>
    total > shown ? [textBlock(t(lang, 'list.more', { count: total - shown }), { color: 'grey' })] : [];

  // Greedy fill: the frame (header and the widest "more" line) first, then whole rows while they fit.
  let budget = CARD_BYTE_TARGET - cardByteLength(card(title, [...note, ...more(0)], template));
  const rows: MarkdownElement[] = [];
  for (const candidate of candidates) {
    const cost = new TextEncoder().encode(JSON.stringify(candidate)).length + 1;
    if (cost > budget) break;
    rows.push(candidate);
    budget -= cost;
  }
  let result = card(title, [...note, ...rows, ...more(rows.length)], template);
  while (!cardFits(result) && rows.length > 0) {
    rows.pop();
    result = card(title, [...note, ...rows, ...more(rows.length)], template);
  }
  return result;
}
