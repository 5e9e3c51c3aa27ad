/**
 * Lark (Feishu) Open Platform client of the bot: messages (send, reply, PATCH, urgent) over the one call path
 * (http.ts: timeout, shared 5/s limits, zod-checked answers, one error mapping, metrics), and the directory
 * (directory.ts: bot id, names, ids). Wire facts: ../shared/reference/lark-platform.md §6, §7, §9.
 *
 * What callers can rely on:
 *   - every method throws `LarkApiError` (`LarkRateLimited` for rate limits, with `retryAfterMs`) on a Lark
 *     or transport failure; `retryable` says whether the same call may be tried again later;
 *   - retrying a send/reply with the same `idempotencyKey` within an hour never posts twice (Lark's `uuid`);
 *   - nothing here retries on its own; a token Lark rejects (99991663/99991661) is dropped, so the next call
 *     fetches a new one;
 *   - the app secret and tenant tokens never reach the logs or error messages.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { LarkChats } from './chats.js';
import { LarkDirectory, chunks, type LarkPerson } from './directory.js';
import { LarkHttp, okEnvelope, type LarkHttpOptions } from './http.js';

export { larkErrorFrom } from './errors-map.js';

export type LarkClientOptions = LarkHttpOptions;

export type UrgentKind = 'app' | 'sms' | 'phone';

export interface SentMessage {
  messageId: string;
  chatId: string;
  threadId?: string;
  rootId?: string;
}

const UUID_MAX_CHARS = 50;
const MAX_URGENT_IDS = 200;
/** Message id → chat id learnt from send/reply answers, so later replies to them are limited per chat. */
const CHAT_OF_MESSAGE_MAX = 10_000;

const messageAnswer = okEnvelope.extend({
  data: z.looseObject({
    message_id: z.string().min(1),
    chat_id: z.string().min(1),
    thread_id: z.string().optional(),
    root_id: z.string().optional(),
  }),
});
const urgentAnswer = okEnvelope.extend({
  data: z.looseObject({ invalid_user_id_list: z.array(z.string()).optional() }).optional(),
});

/** Lark keeps at most 50 characters of `uuid`: a hash of the caller's key, the same for every retry. */
function uuidFor(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey).digest('hex').slice(0, UUID_MAX_CHARS);
}

export class LarkClient {
  private readonly http: LarkHttp;
  private readonly directory: LarkDirectory;
  /** Group chats the bot creates (war rooms). */
  readonly chats: LarkChats;
  private readonly chatOfMessage = new Map<string, string>();

  constructor(options: LarkClientOptions) {
    this.http = new LarkHttp(options);
    this.directory = new LarkDirectory(this.http, options.store.cache, options.log);
    this.chats = new LarkChats(this.http);
  }

  /** The bot's own open_id (to recognise @mentions of the bot). */
  botOpenId(): Promise<string> {
    return this.directory.botOpenId();
  }

  /** A person's display name, or null when the app may not read it. */
  userName(openId: string): Promise<string | null> {
    return this.directory.userName(openId);
  }

  /** Name and e-mail (when the app may read e-mails) of a user. */
  person(openId: string): Promise<LarkPerson> {
    return this.directory.person(openId);
  }

  /** E-mails and mobile numbers (as given) → open_ids, for the people Lark found. */
  openIdsFor(input: { emails?: string[]; mobiles?: string[] }): Promise<Map<string, string>> {
    return this.directory.openIdsFor(input);
  }

  async sendCard(chatId: string, card: object, idempotencyKey: string): Promise<SentMessage> {
    return this.send(chatId, 'interactive', JSON.stringify(card), idempotencyKey);
  }

  /** A text message in the chat's main stream (`<at user_id="ou_…">Name</at>` mentions someone). */
  async sendText(chatId: string, text: string, idempotencyKey: string): Promise<SentMessage> {
    return this.send(chatId, 'text', JSON.stringify({ text }), idempotencyKey);
  }

  private async send(chatId: string, msgType: 'interactive' | 'text', content: string, idempotencyKey: string): Promise<SentMessage> {
    await this.http.takeSlot(this.chatKey(chatId), 'im.message.create');
    const answer = await this.http.call('im.message.create', messageAnswer, () =>
      this.http.sdk.im.v1.message.create({
        params: { receive_id_type: 'chat_id' },
        data: { receive_id: chatId, msg_type: msgType, content, uuid: uuidFor(idempotencyKey) },
      }),
    );
    return this.sent(answer.data);
  }

  /** `chatId`, when known, limits the reply with the chat's 5/s (else the chat learnt from earlier answers is used). */
  async replyCard(messageId: string, card: object, idempotencyKey: string, inThread = false, chatId?: string): Promise<SentMessage> {
    return this.reply(messageId, 'interactive', JSON.stringify(card), idempotencyKey, inThread, chatId);
  }

  async replyText(messageId: string, text: string, idempotencyKey: string, inThread = false, chatId?: string): Promise<SentMessage> {
    return this.reply(messageId, 'text', JSON.stringify({ text }), idempotencyKey, inThread, chatId);
  }

  /** PATCH a shared card (`update_multi: true`, or JSON 2.0); at most 5/s per message across replicas. */
  async patchCard(messageId: string, card: object): Promise<void> {
    await this.http.takeSlot(`lark:patch-rate:${messageId}`, 'im.message.patch');
    await this.http.call('im.message.patch', okEnvelope, () =>
      this.http.sdk.im.v1.message.patch({ path: { message_id: messageId }, data: { content: JSON.stringify(card) } }),
    );
  }

  /** Buzz users about one of the bot's own messages; ids not in the chat come back as invalid (all invalid → 230001). */
  async urgent(messageId: string, kind: UrgentKind, openIds: string[]): Promise<{ invalidOpenIds: string[] }> {
    const api = `im.message.urgent_${kind}`;
    const invalidOpenIds: string[] = [];
    for (const batch of chunks([...new Set(openIds)], MAX_URGENT_IDS)) {
      const payload = { path: { message_id: messageId }, params: { user_id_type: 'open_id' as const }, data: { user_id_list: batch } };
      const answer = await this.http.call(api, urgentAnswer, () =>
        kind === 'sms'
          ? this.http.sdk.im.v1.message.urgentSms(payload)
          : kind === 'phone'
            ? this.http.sdk.im.v1.message.urgentPhone(payload)
            : this.http.sdk.im.v1.message.urgentApp(payload),
      );
      invalidOpenIds.push(...(answer.data?.invalid_user_id_list ?? []));
    }
    return { invalidOpenIds };
  }

  private async reply(
    messageId: string,
    msgType: 'interactive' | 'text',
    content: string,
    idempotencyKey: string,
    inThread: boolean,
    chatId: string | undefined,
  ): Promise<SentMessage> {
    const chat = chatId ?? this.chatOfMessage.get(messageId);
    if (chat !== undefined) await this.http.takeSlot(this.chatKey(chat), 'im.message.reply');
    const answer = await this.http.call('im.message.reply', messageAnswer, () =>
      this.http.sdk.im.v1.message.reply({
        path: { message_id: messageId },
        data: { msg_type: msgType, content, reply_in_thread: inThread, uuid: uuidFor(idempotencyKey) },
      }),
    );
    this.remember(messageId, answer.data.chat_id);
    return this.sent(answer.data);
  }

  private sent(data: z.output<typeof messageAnswer>['data']): SentMessage {
    this.remember(data.message_id, data.chat_id);
    return {
      messageId: data.message_id,
      chatId: data.chat_id,
      ...(data.thread_id ? { threadId: data.thread_id } : {}),
      ...(data.root_id ? { rootId: data.root_id } : {}),
    };
  }

  private remember(messageId: string, chatId: string): void {
    this.chatOfMessage.delete(messageId);
    this.chatOfMessage.set(messageId, chatId);
    if (this.chatOfMessage.size > CHAT_OF_MESSAGE_MAX) {
      const oldest = this.chatOfMessage.keys().next();
      if (!oldest.done) this.chatOfMessage.delete(oldest.value);
    }
  }

  private chatKey(chatId: string): string {
    return `lark:chat-rate:${chatId}`;
  }
}
