import { encryptPayload, messageEvent, signEvent } from '../lark-signing.js';

/** What a soak event is, seen from the bot: a comment it must act on, or group chatter it must ignore. */
export type SoakEventKind = 'comment' | 'chatter' | 'mentions-someone-else';

export interface SoakEvent {
  index: number;
  kind: SoakEventKind;
  messageId: string;
  chatId: string;
  /** The decrypted envelope; every (re-)send encrypts and signs it afresh, as Lark does. */
  payload: Record<string, unknown>;
}

export interface SoakIdentity {
  encryptKey: string;
  verificationToken: string;
  botOpenId: string;
  sender: { open_id: string; name: string };
  issueUuid: string;
  /** Comments are spread over these chats: Lark allows 5 messages per second per chat. */
  commentChats: readonly string[];
  chatterChat: string;
}

/**
 * The i-th event of the run. Comments are spread evenly (every 1/share-th event), not at random: the Guance
 * and Lark rates they cause are then steady and predictable, which the budgets are sized from.
 */
export function soakEvent(index: number, commentShare: number, id: SoakIdentity): SoakEvent {
  const every = commentShare > 0 ? Math.max(1, Math.round(1 / commentShare)) : Number.POSITIVE_INFINITY;
  const isComment = index % every === every - 1;
  const base = { token: id.verificationToken, senderOpenId: id.sender.open_id };
  if (isComment) {
    const commentNumber = Math.floor(index / every);
    const chatId = id.commentChats[commentNumber % id.commentChats.length] ?? id.chatterChat;
    const { payload, messageId } = messageEvent({
      ...base,
      chatId,
      text: `@_user_1 #${id.issueUuid}#soak comment ${index}`,
      mentions: [{ key: '@_user_1', id: { open_id: id.botOpenId }, name: 'IssueBot', mentioned_type: 'bot' }],
    });
    return { index, kind: 'comment', messageId, chatId, payload };
  }
  if (index % 5 === 0) {
    const { payload, messageId } = messageEvent({
      ...base,
      chatId: id.chatterChat,
      text: `@_user_1 lunch at ${index % 24}?`,
      mentions: [{ key: '@_user_1', id: { open_id: 'ou_someone00000000000000000000001' }, name: 'Someone', mentioned_type: 'user' }],
    });
    return { index, kind: 'mentions-someone-else', messageId, chatId: id.chatterChat, payload };
  }
  const { payload, messageId } = messageEvent({ ...base, chatId: id.chatterChat, text: `deploy ${index} looks fine` });
  return { index, kind: 'chatter', messageId, chatId: id.chatterChat, payload };
}

/** The body and headers of one push of the event, encrypted and signed as Lark sends it. */
export function sealed(event: SoakEvent, encryptKey: string): { body: string; headers: Record<string, string> } {
  const body = encryptPayload(event.payload, encryptKey);
  return { body, headers: signEvent(body, encryptKey) };
}
