import { createHash } from 'node:crypto';
import { isIssueUuid } from '../../src/guance/schemas.js';

/**
 * Card items: a Guance issue is named by its uuid (`issue_` + 32 hex); a card of another source by an id the bot
 * mints in the same shape, so buttons, links, locks and thread replies treat every card alike.
 */
const OWN_PREFIXES = { 'guance-alert': 'alert', sentry: 'sentry', 'error-api': 'error' } as const;
export type OwnSource = keyof typeof OWN_PREFIXES;

export const CARD_ITEM_PATTERN = /^(?:issue|alert|sentry|error)_[0-9a-f]{32}$/;

export const isCardItemId = (value: string): boolean => CARD_ITEM_PATTERN.test(value);

/** A card whose state the bot keeps itself (Redis), not Guance. */
export const isOwnItem = (id: string): boolean => isCardItemId(id) && !isIssueUuid(id);

/** A deterministic id from what the card is about: the same seed is the same card, on every replica. */
export function ownItemId(source: OwnSource, seed: string): string {
  return `${OWN_PREFIXES[source]}_${createHash('sha256').update(seed).digest('hex').slice(0, 32)}`;
}
