import type { LarkFake } from '../fakes/lark-server.js';
import { waitFor } from './wait.js';

/** The group every test bot posts its cards to. */
export const CHAT = 'oc_test_chat';

/** Anything that holds a Lark fake: the process stack and the in-process stack. */
export interface HasLark {
  lark: LarkFake;
}

/** The issue cards posted to the chat for an issue (interactive sends, not replies). */
export const cardsFor = (stack: HasLark, issueUuid: string) => stack.lark.cardsIn(CHAT).filter((m) => m.content.includes(issueUuid));
export const cardOf = (stack: HasLark, issueUuid: string) => cardsFor(stack, issueUuid)[0];
/** Waits for the poller to post the issue's card, and returns it. */
export const waitForCard = (stack: HasLark, issueUuid: string, timeoutMs = 30_000) =>
  waitFor(() => cardOf(stack, issueUuid), `a card for ${issueUuid}`, timeoutMs, 50);

/** Texts of a card (header title and every element content), for assertions on what people see. */
export function cardText(card: unknown): string {
  return JSON.stringify(card);
}

export function buttonLabels(card: unknown): string[] {
  const labels: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.tag === 'button') {
        const text = record.text as { content?: string } | undefined;
        if (text?.content) labels.push(text.content);
      }
      Object.values(record).forEach(walk);
    }
  };
  walk(card);
  return labels;
}

export type ButtonValue = { action: string; issue: string };

/** The callback values of a card's buttons (`behaviors` of type callback), by action. */
export function buttonValues(card: unknown): Map<string, ButtonValue> {
  const values = new Map<string, ButtonValue>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record.type === 'callback' && record.value && typeof record.value === 'object') {
      const value = record.value as ButtonValue;
      values.set(value.action, value);
    }
    Object.values(record).forEach(walk);
  };
  walk(card);
  return values;
}

/** The callback value of the card's button for `action` (what Lark sends back when it is clicked). */
export function buttonValue(card: unknown, action: string): ButtonValue {
  const value = buttonValues(card).get(action);
  if (!value) throw new Error(`no ${action} button on the card`);
  return value;
}
