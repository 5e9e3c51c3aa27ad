/**
 * Card and content rules of the Lark fake (../shared/reference/lark-platform.md §5, §6.2–6.4).
 */
import { fail, invalidParam, isRecord } from './wire.js';

const CARD_LIMIT_BYTES = 30 * 1024;
const TEXT_LIMIT_BYTES = 150 * 1024;
const MSG_TYPES = new Set([
  'text', 'post', 'image', 'file', 'audio', 'media', 'sticker', 'interactive', 'share_chat', 'share_user', 'system',
]);


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
