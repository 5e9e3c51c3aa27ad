import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FakeMessage } from '../fakes/lark-server.js';
import type { AppStack, HttpAnswer } from './app-stack.js';
import { CHAT } from './cards.js';
import { waitFor } from './wait.js';

/** A fixture's text, byte for byte (copies of ../shared/reference/samples; see test/fixtures/<source>/SOURCE.md). */
export const fixtureText = (path: string): string => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
export const fixtureJson = <T = Record<string, unknown>>(path: string): T => JSON.parse(fixtureText(path)) as T;

/** Cards (not replies) in the chat whose JSON contains `needle` (a title, an item id). */
export const cardsWith = (stack: AppStack, needle: string): FakeMessage[] => stack.lark.cardsIn(CHAT).filter((m) => m.content.includes(needle));

export const waitForCardWith = (stack: AppStack, needle: string, timeoutMs = 10_000): Promise<FakeMessage> =>
  waitFor(() => cardsWith(stack, needle)[0], `a card containing ${needle}`, timeoutMs, 20);

/** The card as people see it now: the last PATCH, else the card as sent. */
export function currentCard(stack: AppStack, messageId: string): string {
  const message = stack.lark.getMessage(messageId);
  if (!message) throw new Error(`no message ${messageId}`);
  return message.patches.at(-1) ?? message.content;
}

export const waitForCardShowing = (stack: AppStack, messageId: string, needle: string, timeoutMs = 10_000): Promise<string> =>
  waitFor(() => (currentCard(stack, messageId).includes(needle) ? currentCard(stack, messageId) : undefined), `card ${messageId} to show ${needle}`, timeoutMs, 20);

export const postJson = (stack: AppStack, path: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> =>
  stack.post(path, typeof body === 'string' ? body : JSON.stringify(body), { 'content-type': 'application/json', ...headers });

export const sentrySignature = (secret: string, rawBody: string): string => createHmac('sha256', secret).update(rawBody).digest('hex');

/** The card item id (alert_…, sentry_…, error_…) a card's buttons carry. */
export function itemIdOf(card: FakeMessage): string {
  const match = /"issue":"((?:alert|sentry|error)_[0-9a-f]{32})"/.exec(card.content);
  if (!match?.[1]) throw new Error('card has no item id');
  return match[1];
}
