/**
 * What a person does in the page, turned into what Lark would send the bot: `im.message.receive_v1` events and
 * `card.action.trigger` callbacks, encrypted and signed with the test suite's own Lark signing code (so the demo
 * exercises the bot's real verification, not a shortcut), POSTed to the bot's real routes.
 */
import type { LarkFake } from '../test/fakes/lark-server.js';
import { cardActionEvent, encryptPayload, messageEvent, signEvent } from '../test/helpers/lark-signing.js';

export interface BotWire {
  botUrl: string;
  encryptKey: string;
  verificationToken: string;
  lark: LarkFake;
}

export interface Said {
  messageId: string;
  chatId: string;
  senderOpenId: string;
  text: string;
  mentionsBot: boolean;
  rootId?: string;
  at: number;
}

export interface SayInput {
  chatId: string;
  senderOpenId: string;
  text: string;
  mentionBot: boolean;
  /** The thread root (a card, or an earlier message) when the person writes in its thread. */
  rootId?: string;
}

export interface ClickInput {
  messageId: string;
  operatorOpenId: string;
  value: unknown;
  tag?: string;
  option?: string;
  inputValue?: string;
  formValue?: Record<string, unknown>;
}

export interface BotAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** POSTs `payload` to the bot's /lark/events the way Lark does: `{"encrypt": …}` with the signature headers over those bytes. */
export async function postSealed(wire: BotWire, payload: unknown): Promise<BotAnswer> {
  const body = encryptPayload(payload, wire.encryptKey);
  const response = await fetch(`${wire.botUrl}/lark/events`, { method: 'POST', headers: signEvent(body, wire.encryptKey), body });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object') parsed = value as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: response.status, body: parsed };
}

/**
 * A person's message. With @bot the text starts with Lark's placeholder `@_user_1` and `mentions` names the bot's
 * open_id, as Lark writes it. In a thread, root_id and parent_id are both the root (Lark's thread rule). The
 * message is registered with the Lark fake first, so the bot can reply to it.
 */
export async function say(wire: BotWire, input: SayInput): Promise<{ said: Said; answer: BotAnswer }> {
  const text = input.mentionBot ? `@_user_1 ${input.text}` : input.text;
  const mentions = input.mentionBot
    ? [{ key: '@_user_1', id: { open_id: wire.lark.botOpenId }, name: wire.lark.botName, mentioned_type: 'bot' }]
    : [];
  const threadId = input.rootId ? wire.lark.getMessage(input.rootId)?.thread_id : undefined;
  const { payload, messageId } = messageEvent({
    chatId: input.chatId,
    senderOpenId: input.senderOpenId,
    text,
    mentions,
    token: wire.verificationToken,
    ...(input.rootId ? { rootId: input.rootId } : {}),
    ...(threadId ? { threadId } : {}),
  });
  const content = JSON.stringify({ text });
  wire.lark.addIncomingMessage({
    chat_id: input.chatId,
    message_id: messageId,
    content,
    ...(input.rootId ? { root_id: input.rootId, parent_id: input.rootId } : {}),
    ...(threadId ? { thread_id: threadId } : {}),
  });
  const said: Said = {
    messageId,
    chatId: input.chatId,
    senderOpenId: input.senderOpenId,
    text: input.text,
    mentionsBot: input.mentionBot,
    ...(input.rootId ? { rootId: input.rootId } : {}),
    at: Date.now(),
  };
  return { said, answer: await postSealed(wire, payload) };
}

/** A click (or pick, or form submit) on a card the bot sent, as a schema 2.0 callback to the callback URL the set-up uses. */
export function click(wire: BotWire, input: ClickInput): Promise<BotAnswer> {
  const message = wire.lark.getMessage(input.messageId);
  const { payload } = cardActionEvent({
    messageId: input.messageId,
    chatId: message?.chat_id ?? '',
    operatorOpenId: input.operatorOpenId,
    value: input.value,
    token: wire.verificationToken,
    ...(input.tag !== undefined ? { tag: input.tag } : {}),
    ...(input.option !== undefined ? { option: input.option } : {}),
    ...(input.inputValue !== undefined ? { inputValue: input.inputValue } : {}),
    ...(input.formValue !== undefined ? { formValue: input.formValue } : {}),
  });
  return postSealed(wire, payload);
}
