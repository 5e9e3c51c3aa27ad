/**
 * Card and content rules of the Lark fake, and the delayed card update by callback token
 * (../shared/reference/lark-platform.md §4.3, §5, §6.2–6.4).
 */
import { z } from 'zod';
import type { Reply } from '../core/http-fake.js';
import { SECOND, fail, invalidParam, isRecord, ok, validate } from './wire.js';

const CARD_LIMIT_BYTES = 30 * 1024;
const TEXT_LIMIT_BYTES = 150 * 1024;
const CARD_TOKEN_TTL_MS = 30 * 60 * SECOND;
const CARD_TOKEN_MAX_USES = 2;
const MSG_TYPES = new Set([
  'text', 'post', 'image', 'file', 'audio', 'media', 'sticker', 'interactive', 'share_chat', 'share_user', 'system',
]);

/** One call of POST /open-apis/interactive/v1/card/update that was accepted. */
export interface CardUpdate {
  token: string;
  card: Record<string, unknown>;
  /** The message registered for the token with registerCardToken, if any. */
  message_id?: string;
  at: number;
}

/** Returns the "ext=" detail of a 230099 error, or undefined when the card looks valid. */
function cardIssue(card: Record<string, unknown>): string | undefined {
  const bad = (errCode: number, why: string): string => `ErrCode: ${errCode}; ErrMsg: ${why}; `;
  if (card.type === 'template' || card.type === 'card') {
    const idField = card.type === 'template' ? 'template_id' : 'card_id';
    return isRecord(card.data) && typeof card.data[idField] === 'string'
      ? undefined
      : bad(200621, `${card.type === 'template' ? 'template card' : 'card entity'} needs data.${idField}`);
  }
  let elements: unknown = card.elements;
  if ('schema' in card) {
    if (card.schema !== '2.0') return bad(200621, `unsupported card schema ${JSON.stringify(card.schema)}`);
    if (card.body !== undefined && !isRecord(card.body)) return bad(200621, 'body must be an object');
    elements = isRecord(card.body) ? card.body.elements : undefined;
  }
  if (elements === undefined) return undefined;
  if (!Array.isArray(elements)) return bad(200621, 'elements must be an array');
  if (elements.length > 200) return bad(11310, 'a card may hold at most 200 elements');
  if (!elements.every((e) => isRecord(e) && typeof e.tag === 'string')) return bad(200621, 'every element needs a tag');
  return undefined;
}

/** JSON 2.0 cards are always shared; JSON 1.0 cards need config.update_multi; templates can't be told. */
export function isSharedCard(card: unknown): boolean {
  if (!isRecord(card)) return false;
  if (card.schema === '2.0' || card.type === 'template' || card.type === 'card') return true;
  return isRecord(card.config) && card.config.update_multi === true;
}

export function checkMsgType(msgType: string): void {
  if (!MSG_TYPES.has(msgType)) fail(230001, invalidParam(`invalid msg_type ${JSON.stringify(msgType)}`));
}

/** Checks size and JSON shape of a message content string and returns the parsed object. */
export function parseContent(msgType: string, content: string, op: 'create' | 'update'): Record<string, unknown> {
  const limit = msgType === 'text' ? TEXT_LIMIT_BYTES : CARD_LIMIT_BYTES;
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes > limit) fail(230025, `The message is too long: content is ${bytes} bytes, the limit is ${limit} bytes.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    parsed = undefined;
  }
  const cardError = (detail: string): never => fail(230099, `Failed to ${op} card content, ext=${detail}`);
  if (!isRecord(parsed)) {
    if (msgType === 'interactive') {
      cardError('ErrCode: 200621; ErrMsg: parse card json err, please check whether the card json is correct; ');
    }
    fail(230001, invalidParam('invalid content, content must be a JSON-encoded object string'));
  }
  if (msgType === 'text' && typeof parsed.text !== 'string') {
    fail(230001, invalidParam('invalid content, text content must look like {"text":"..."}'));
  }
  if (msgType === 'interactive') {
    const issue = cardIssue(parsed);
    if (issue !== undefined) cardError(issue);
  }
  return parsed;
}

const CardUpdateBody = z.object({ token: z.string(), card: z.record(z.string(), z.unknown()) });

/** The card a token's update replaces (the message store's entry). */
interface CardTarget {
  card?: unknown;
  content: string;
  update_time: number;
}

/** Callback tokens ("c-…"): valid 30 min from first sight, two updates each. */
export class CardTokens {
  /** Accepted updates, in order. Cleared in place by clear(). */
  readonly updates: CardUpdate[] = [];
  private readonly tokens = new Map<string, { issuedAt: number; uses: number; messageId?: string }>();

  constructor(
    private readonly now: () => number,
    private readonly target: (messageId: string) => CardTarget | undefined,
  ) {}

  register(token: string, messageId: string): void {
    const existing = this.tokens.get(token);
    this.tokens.set(token, { issuedAt: existing?.issuedAt ?? this.now(), uses: existing?.uses ?? 0, messageId });
  }

  /** POST interactive/v1/card/update. */
  update(body: unknown): Reply {
    const req = validate(CardUpdateBody, body);
    if (!req.token.startsWith('c-')) fail(300020, 'card token format is invalid, it must start with "c-"');
    const now = this.now();
    const entry = this.tokens.get(req.token) ?? { issuedAt: now, uses: 0 };
    this.tokens.set(req.token, entry);
    if (now - entry.issuedAt > CARD_TOKEN_TTL_MS) fail(300030, 'card token expired, it is valid for 30 minutes');
    if (entry.uses >= CARD_TOKEN_MAX_USES) fail(300040, 'card token has been used up, it can update a card at most twice');
    const card = req.card;
    const issue = cardIssue(card);
    if (issue !== undefined) fail(230099, `Failed to update card content, ext=${issue}`);
    if (!isSharedCard(card) && !Array.isArray(card.open_ids)) {
      fail(300090, 'open_ids is required to update an exclusive card (JSON 1.0 without config.update_multi=true)');
    }
    entry.uses += 1;
    this.updates.push({ token: req.token, card, ...(entry.messageId !== undefined ? { message_id: entry.messageId } : {}), at: now });
    const target = entry.messageId !== undefined ? this.target(entry.messageId) : undefined;
    if (target) {
      const { open_ids: _openIds, ...shown } = card;
      target.card = shown;
      target.content = JSON.stringify(shown);
      target.update_time = now;
    }
    return ok({}, 'ok');
  }

  clear(): void {
    this.updates.length = 0;
    this.tokens.clear();
  }
}
