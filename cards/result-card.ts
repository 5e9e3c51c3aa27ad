/**
 * A small card for command answers when a card reads better than a text message (for example a
 * failure with a reason). Title and body are plain text: nothing in them is interpreted.
 */
import { clipLine, isHeaderTemplate, plainText, singleLine, textBlock, truncateText } from './parts.js';
import type { HeaderTemplate, LarkCard } from './types.js';

const TITLE_CHARS = 150;
const BODY_CHARS = 3000;

/** A header-and-text card; `template` is a header colour (`blue` when missing or not a valid colour). */
export function buildNoticeCard(title: string, body: string, template?: string): LarkCard {
  const heading = clipLine(title ?? '', TITLE_CHARS) || '—';
  const colour: HeaderTemplate = isHeaderTemplate(template) ? template : 'blue';
  const text = truncateText(cleanBody(String(body ?? '').slice(0, BODY_CHARS * 8)).trim(), BODY_CHARS);
  return {
    schema: '2.0',
    config: { update_multi: true, summary: { content: heading } },
    header: { title: plainText(heading), template: colour },
    body: { elements: text === '' ? [] : [textBlock(text)] },
  };
}

/** Keeps line breaks but drops control and invisible characters. */
function cleanBody(text: string): string {
  return text
    .split('\n')
    .map((line) => singleLine(line))
    .join('\n');
}
