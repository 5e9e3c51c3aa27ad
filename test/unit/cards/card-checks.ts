/**
 * Structural checks shared by the card tests: walking a card, finding its buttons and texts, and
 * asserting that it only uses JSON 2.0 properties we know Lark accepts (2.0 rejects unknown ones).
 */
import { expect } from 'vitest';
import { MAX_CARD_BYTES, MAX_CARD_ELEMENTS, countCardElements } from '../../../cards/parts.js';
import type { ButtonElement, IssueCardModel, LarkCard } from '../../../cards/types.js';

type Node = Record<string, unknown>;

/** Documented JSON 2.0 properties per tag (subset of the Lark component pages). */
const ALLOWED_KEYS: Readonly<Record<string, readonly string[]>> = {
  div: ['tag', 'element_id', 'margin', 'text'],
  plain_text: ['tag', 'content', 'text_size', 'text_color'],
  markdown: ['tag', 'element_id', 'margin', 'text_size', 'content'],
  hr: ['tag', 'element_id', 'margin'],
  button: ['tag', 'element_id', 'type', 'size', 'text', 'behaviors'],
  column_set: ['tag', 'element_id', 'margin', 'flex_mode', 'horizontal_spacing', 'columns'],
  column: ['tag', 'element_id', 'width', 'weight', 'vertical_align', 'elements'],
};

export function walk(node: unknown, visit: (node: Node) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  visit(node as Node);
  for (const value of Object.values(node)) walk(value, visit);
}

export function tagged(card: LarkCard, tag: string): Node[] {
  const found: Node[] = [];
  walk(card.body.elements, (node) => {
    if (node.tag === tag) found.push(node);
  });
  return found;
}

export function buttons(card: LarkCard): ButtonElement[] {
  return tagged(card, 'button') as unknown as ButtonElement[];
}

export function callbackValues(card: LarkCard): unknown[] {
  return buttons(card).flatMap((b) => b.behaviors.filter((x) => x.type === 'callback').map((x) => x.value));
}

export function openUrls(card: LarkCard): string[] {
  return buttons(card).flatMap((b) => b.behaviors.flatMap((x) => (x.type === 'open_url' ? [x.default_url] : [])));
}

export function markdownContents(card: LarkCard): string[] {
  return tagged(card, 'markdown').map((node) => String(node.content));
}

export function plainContents(card: LarkCard): string[] {
  const texts: string[] = [];
  walk(card, (node) => {
    if (node.tag === 'plain_text') texts.push(String(node.content));
  });
  return texts;
}

export function byteLength(card: LarkCard): number {
  return Buffer.byteLength(JSON.stringify(card));
}

/** Schema 2.0 basics, documented properties only, valid unique element ids, within the limits. */
export function expectValidCard(card: LarkCard): void {
  expect(card.schema).toBe('2.0');
  expect(card.config.update_multi).toBe(true);
  expect(card).not.toHaveProperty('elements');
  expect(card).not.toHaveProperty('i18n_elements');
  expect(Object.keys(card).every((key) => ['schema', 'config', 'header', 'body'].includes(key))).toBe(true);
  const ids: string[] = [];
  walk(card.body.elements, (node) => {
    if (typeof node.tag !== 'string') return;
    expect(node.tag).not.toBe('action');
    expect(node.tag).not.toBe('note');
    const allowed = ALLOWED_KEYS[node.tag];
    expect(allowed, `unexpected tag ${node.tag}`).toBeDefined();
    for (const key of Object.keys(node)) expect(allowed, `${node.tag}.${key}`).toContain(key);
    if (typeof node.element_id === 'string') ids.push(node.element_id);
  });
  for (const id of ids) expect(id).toMatch(/^[A-Za-z][A-Za-z0-9_]{0,19}$/);
  expect(new Set(ids).size).toBe(ids.length);
  expect(byteLength(card)).toBeLessThan(MAX_CARD_BYTES);
  expect(countCardElements(card)).toBeLessThanOrEqual(MAX_CARD_ELEMENTS);
}

export const BASE_MODEL: IssueCardModel = {
  uuid: 'issue_7572b4f7aea4473697e0f0949f4c9035',
  title: 'Payment API error rate above 5%',
  level: { name: 'P0', color: '#E94444' },
  statusType: 10,
  source: 'checker: payment-api-errors',
  createdAt: 1795414500,
  timeZone: 'Asia/Shanghai',
  assignees: ['Alice Zhang', 'bob@example.com'],
  description:
    '<p><span>Error rate is <b>7.2%</b> on&nbsp;<code>POST /pay</code></span></p><p>See the runbook &amp; dashboards.</p>',
  consoleUrl:
    'https://console.guance.com/exceptions/exceptionsTracking?w=wksp_1776556484b7412db06d6c428d3aaa6e&__docid=issue_7572b4f7aea4473697e0f0949f4c9035',
};
