/**
 * The daily digest: open issues of a chat counted by level, the oldest unacknowledged ones with an Acknowledge
 * button each, and yesterday's time to acknowledge. Pure; fits Lark's size limit by dropping rows, never halves.
 */
import { t } from './i18n.js';
import {
  actionLabel,
  callbackButton,
  cardFits,
  clipLine,
  escapeLarkMd,
  formatTime,
  levelTemplate,
  markdownBlock,
  markdownLinkTarget,
  plainText,
  safeUrl,
  textBlock,
  textTagColour,
} from './parts.js';
import type { CardElement, Language, LarkCard } from './types.js';

export interface DailyDigestModel {
  day: string;
  timeZone: string;
  /** Unix seconds, for "waiting since". */
  now: number;
  totalOpen: number;
  /** Per level, most severe first. */
  counts: { level: string; open: number; unacknowledged: number }[];
  /** Oldest first. */
  waiting: { uuid: string; title: string; level: string | null; createdAt: number; url: string }[];
  ackTimes: { count: number; medianSeconds: number; p90Seconds: number } | null;
}

/** The most issues the digest lists with a button (fewer when the card would be too big). */
export const DIGEST_MAX_ROWS = 15;

function duration(seconds: number, lang: Language): string {
  const minutes = Math.max(0, Math.round(seconds / 60));
  if (minutes < 60) return t(lang, 'digest.minutes', { count: minutes });
  const hours = Math.round(minutes / 6) / 10;
  return hours < 48 ? t(lang, 'digest.hours', { count: hours }) : t(lang, 'digest.days', { count: Math.round(hours / 2.4) / 10 });
}

function tag(level: string | null, lang: Language): string {
  const name = clipLine(level ?? '', 24) || t(lang, 'level.unknown');
  return `<text_tag color='${textTagColour(levelTemplate(level ? { name: level } : null))}'>${escapeLarkMd(name)}</text_tag>`;
}

function waitingRow(row: DailyDigestModel['waiting'][number], model: DailyDigestModel, lang: Language): CardElement {
  const title = escapeLarkMd(clipLine(row.title, 100) || row.uuid);
  const url = safeUrl(row.url, 1000);
  const linked = url === null ? title : `[${title}](${markdownLinkTarget(url)})`;
  const since = t(lang, 'digest.waiting', { time: formatTime(row.createdAt, model.timeZone, lang), duration: duration(model.now - row.createdAt, lang) });
  return {
    tag: 'column_set',
    flex_mode: 'none',
    horizontal_spacing: 'small',
    columns: [
      { tag: 'column', width: 'weighted', weight: 4, vertical_align: 'center', elements: [markdownBlock(`${tag(row.level, lang)} ${linked}\n<font color='grey'>${since}</font>`)] },
      { tag: 'column', width: 'auto', vertical_align: 'center', elements: [callbackButton(actionLabel('ack', lang), { action: 'ack', issue: row.uuid }, { type: 'primary' })] },
    ],
  };
}

function render(model: DailyDigestModel, lang: Language, rows: number): LarkCard {
  const counts = model.counts.map((c) => `${tag(c.level, lang)} ${t(lang, 'digest.count', { open: c.open, unacknowledged: c.unacknowledged })}`);
  const ack = model.ackTimes
    ? t(lang, 'digest.ackTimes', { count: model.ackTimes.count, median: duration(model.ackTimes.medianSeconds, lang), p90: duration(model.ackTimes.p90Seconds, lang) })
    : t(lang, 'digest.noAcks');
  const elements: CardElement[] = [
    markdownBlock(model.totalOpen === 0 ? t(lang, 'digest.allClear') : counts.join('\n')),
    textBlock(ack, { size: 'notation', color: 'grey' }),
  ];
  if (model.waiting.length > 0) {
    elements.push({ tag: 'hr' }, markdownBlock(`**${t(lang, 'digest.oldestWaiting')}**`));
    elements.push(...model.waiting.slice(0, rows).map((row) => waitingRow(row, model, lang)));
    if (model.waiting.length > rows) elements.push(textBlock(t(lang, 'list.more', { count: model.waiting.length - rows }), { color: 'grey' }));
  }
  const title = t(lang, 'digest.title', { day: model.day, count: model.totalOpen });
  return {
    schema: '2.0',
    config: { update_multi: true, summary: { content: title } },
    header: { title: plainText(title), template: model.totalOpen === 0 ? 'green' : 'blue' },
    body: { elements },
  };
}

export function buildDailyDigestCard(model: DailyDigestModel, lang: Language): LarkCard {
  for (let rows = Math.min(DIGEST_MAX_ROWS, model.waiting.length); rows > 0; rows -= 1) {
    const card = render(model, lang, rows);
    if (cardFits(card)) return card;
  }
  return render(model, lang, 0);
}
