/**
 * Messages of the Lark fake: send, reply (threads), PATCH of shared cards, urgent; uuid
 * idempotency and the per-chat / per-message rate limits (../shared/reference/lark-platform.md
 * §6.2–6.5, §7).
 */
import { z } from 'zod';
import type { Reply } from '../core/http-fake.js';
import { RateWindow } from '../core/rate-window.js';
import { checkMsgType, isSharedCard, parseContent } from './cards.js';
import { USER_ID_TYPES, type LarkUsers } from './users.js';
import { HOUR, SECOND, fail, invalidParam, ok, randomHex, requiredQuery, stableHex, validate } from './wire.js';

const PATCH_MAX_AGE_MS = 14 * 24 * HOUR;
const UUID_WINDOW_MS = HOUR;
const RECEIVE_ID_TYPES = ['open_id', 'union_id', 'user_id', 'email', 'chat_id'] as const;

export type UrgentKind = 'app' | 'sms' | 'phone';

export interface FakeUrgent {
  kind: UrgentKind;
  /** Ids that were buzzed (known users). */
  user_ids: string[];
  /** Ids that were returned in invalid_user_id_list. */
  invalid_user_ids: string[];
  at: number;
}

export interface FakeMessage {
  message_id: string;
  chat_id: string;
  msg_type: string;
  /** The JSON string as sent; replaced by PATCH. */
  content: string;
  /** Parsed content when msg_type === 'interactive' (latest version after updates). */
  card?: unknown;
  root_id?: string;
  parent_id?: string;
  /** Set on thread replies, and on a thread's root once the thread exists. */
  thread_id?: string;
  uuid?: string;
  create_time: number;
  update_time: number;
  /** Every PATCHed content string, in order. */
  patches: string[];
  urgents: FakeUrgent[];
}

/** A message the app did not send (e.g. the user message of an im.message.receive_v1 event). */
export interface IncomingMessageInput {
  chat_id: string;
  message_id?: string;
  msg_type?: string;
  content?: string;
  root_id?: string;
  parent_id?: string;
  thread_id?: string;
  create_time?: number;
}

interface MessagesConfig {
  /** Sender of app messages. */
  appId: string;
  tenantKey: string;
  /** Messages (send + reply) per chat per second; 0 = no limit. */
  chatRatePerSecond: number;
  /** PATCH updates per message per second; 0 = no limit. */
  patchRatePerSecond: number;
  now: () => number;
}

const SendBody = z.object({
  receive_id: z.string().min(1),
  msg_type: z.string().min(1),
  content: z.string(),
  uuid: z.string().max(50).optional(),
});
const ReplyBody = z.object({
  msg_type: z.string().min(1),
  content: z.string(),
  reply_in_thread: z.boolean().optional(),
  uuid: z.string().max(50).optional(),
});
const PatchBody = z.object({ content: z.string() });
const UrgentBody = z.object({ user_id_list: z.array(z.string()).min(1).max(200) });

type MessageFields = Pick<FakeMessage, 'chat_id' | 'msg_type' | 'content' | 'root_id' | 'parent_id' | 'thread_id'>;

export class LarkMessages {
  /** App-sent messages (send + reply), in order. Cleared in place by reset(). */
  readonly sent: FakeMessage[] = [];
  /** Every known message, app-sent or incoming, with who sent it. */
  private readonly store = new Map<string, { msg: FakeMessage; fromApp: boolean }>();
  private readonly uuids = new Map<string, { messageId: string; at: number }>();
  /** Thread root message id → thread id. */
  private readonly threads = new Map<string, string>();
  private readonly chatRate = new RateWindow(SECOND);
  private readonly patchRate = new RateWindow(SECOND);

  constructor(
    private readonly cfg: MessagesConfig,
    private readonly users: LarkUsers,
  ) {}

  get(messageId: string): FakeMessage | undefined {
    return this.store.get(messageId)?.msg;
  }

  /** Interactive messages sent (not replies) to the chat. */
  cardsIn(chatId: string): FakeMessage[] {
    return this.sent.filter((m) => m.chat_id === chatId && m.msg_type === 'interactive' && m.parent_id === undefined);
  }

  /** Replies whose root_id or parent_id is messageId. */
  repliesTo(messageId: string): FakeMessage[] {
    return this.sent.filter((m) => m.root_id === messageId || m.parent_id === messageId);
  }

  addIncoming(input: IncomingMessageInput): FakeMessage {
    const now = this.cfg.now();
    const { message_id = `om_${randomHex(16)}`, msg_type = 'text', content = '{"text":""}', create_time = now, ...links } = input;
    const msg: FakeMessage = { ...links, message_id, msg_type, content, create_time, update_time: create_time, patches: [], urgents: [] };
    if (input.thread_id !== undefined) this.threads.set(input.root_id ?? message_id, input.thread_id);
    this.store.set(message_id, { msg, fromApp: false });
    return msg;
  }

  /** POST im/v1/messages?receive_id_type=… */
  send(query: Record<string, string>, body: unknown): Reply {
    const idType = requiredQuery(query.receive_id_type, 'receive_id_type', RECEIVE_ID_TYPES);
    const req = validate(SendBody, body);
    const chatId = resolveChat(idType, req.receive_id);
    return this.create({ chat_id: chatId, msg_type: req.msg_type, content: req.content }, req.uuid);
  }

  /** POST im/v1/messages/:id/reply */
  reply(messageId: string, body: unknown): Reply {
    const req = validate(ReplyBody, body);
    const parent = this.live(messageId).msg;
    const rootId = parent.root_id ?? parent.message_id;
    const inThread = req.reply_in_thread === true || parent.thread_id !== undefined;
    return this.create(
      {
        chat_id: parent.chat_id,
        msg_type: req.msg_type,
        content: req.content,
        root_id: rootId,
        // Inside a thread, root_id and parent_id are both the thread root.
        parent_id: inThread ? rootId : parent.message_id,
      },
      req.uuid,
      inThread ? rootId : undefined,
    );
  }

  /** PATCH im/v1/messages/:id (shared cards only). */
  patchCard(messageId: string, body: unknown): Reply {
    const req = validate(PatchBody, body);
    const stored = this.live(messageId);
    const msg = stored.msg;
    if (!stored.fromApp) fail(230012, 'The bot can only update messages that it sent.');
    if (msg.msg_type !== 'interactive') fail(230001, invalidParam('only interactive (card) messages can be updated'));
    const now = this.cfg.now();
    if (now - msg.create_time > PATCH_MAX_AGE_MS) fail(230031, 'The message was sent more than 14 days ago.');
    const card = parseContent('interactive', req.content, 'update');
    if (!isSharedCard(msg.card) || !isSharedCard(card)) {
      fail(
        230099,
        'Failed to update card content, ext=ErrCode: 200830; ErrMsg: only shared cards can be updated, a JSON 1.0 card ' +
          'must declare "config":{"update_multi":true} both when sent and in the update; ',
      );
    }
    const limit = this.cfg.patchRatePerSecond;
    if (!this.patchRate.tryHit(messageId, limit, now)) {
      fail(230020, `This operation triggers the frequency limit: rate limit of ${limit} updates per second per message.`);
    }
    msg.content = req.content;
    msg.card = card;
    msg.update_time = now;
    msg.patches.push(req.content);
    return ok({ data: {} }, 'ok');
  }

  /** PATCH im/v1/messages/:id/urgent_app|sms|phone */
  urgent(kind: UrgentKind, messageId: string, query: Record<string, string>, body: unknown): Reply {
    const rawType = query.user_id_type;
    if (rawType === undefined || rawType === '') fail(230001, invalidParam('user_id_type is required'));
    const idType = USER_ID_TYPES.find((t) => t === rawType);
    if (idType === undefined) fail(230001, invalidParam(`invalid user_id_type ${JSON.stringify(rawType)}`));
    const req = validate(UrgentBody, body, 230001);
    const stored = this.live(messageId);
    if (!stored.fromApp) fail(230012, 'The bot can only send urgent notifications for messages that it sent.');
    const valid: string[] = [];
    const invalid: string[] = [];
    for (const id of req.user_id_list) (this.users.find(idType, id) ? valid : invalid).push(id);
    if (valid.length === 0) fail(230001, invalidParam(`all user ids are invalid: ${invalid.join(',')}`));
    stored.msg.urgents.push({ kind, user_ids: valid, invalid_user_ids: invalid, at: this.cfg.now() });
    return ok({ data: { invalid_user_id_list: invalid } });
  }

  /** Forget messages, threads, uuids and rate windows. */
  reset(): void {
    this.sent.length = 0;
    this.store.clear();
    this.uuids.clear();
    this.threads.clear();
    this.chatRate.clear();
    this.patchRate.clear();
  }

  /** Send and reply: check content, answer a known uuid with its message, take a chat slot, store. */
  private create(fields: MessageFields, uuid: string | undefined, threadRoot?: string): Reply {
    checkMsgType(fields.msg_type);
    const parsed = parseContent(fields.msg_type, fields.content, 'create');
    const duplicate = this.findByUuid(uuid);
    if (duplicate) return this.answer(duplicate);
    const now = this.cfg.now();
    const limit = this.cfg.chatRatePerSecond;
    if (!this.chatRate.tryHit(fields.chat_id, limit, now)) {
      fail(230020, `This operation triggers the frequency limit: chat rate limit of ${limit} messages per second.`);
    }
    const msg: FakeMessage = {
      message_id: `om_${randomHex(16)}`,
      ...fields,
      ...(threadRoot !== undefined ? { thread_id: this.threadFor(threadRoot) } : {}),
      ...(fields.msg_type === 'interactive' ? { card: parsed } : {}),
      ...(uuid !== undefined && uuid !== '' ? { uuid } : {}),
      create_time: now,
      update_time: now,
      patches: [],
      urgents: [],
    };
    this.store.set(msg.message_id, { msg, fromApp: true });
    this.sent.push(msg);
    if (msg.uuid !== undefined) this.uuids.set(msg.uuid, { messageId: msg.message_id, at: now });
    return this.answer(msg);
  }

  private live(messageId: string): { msg: FakeMessage; fromApp: boolean } {
    const stored = this.store.get(messageId);
    if (!stored) fail(230011, `The message ${messageId} was recalled or does not exist.`);
    return stored;
  }

  private findByUuid(uuid: string | undefined): FakeMessage | undefined {
    if (uuid === undefined || uuid === '') return undefined;
    const seen = this.uuids.get(uuid);
    if (!seen || this.cfg.now() - seen.at >= UUID_WINDOW_MS) return undefined;
    return this.store.get(seen.messageId)?.msg;
  }

  private threadFor(rootId: string): string {
    const root = this.store.get(rootId)?.msg;
    const threadId = root?.thread_id ?? this.threads.get(rootId) ?? `omt_${randomHex(6)}`;
    this.threads.set(rootId, threadId);
    if (root) root.thread_id = threadId;
    return threadId;
  }

  /** The message as send and reply return it. */
  private answer(msg: FakeMessage): Reply {
    const data = {
      message_id: msg.message_id,
      ...(msg.root_id !== undefined ? { root_id: msg.root_id } : {}),
      ...(msg.parent_id !== undefined ? { parent_id: msg.parent_id } : {}),
      ...(msg.thread_id !== undefined ? { thread_id: msg.thread_id } : {}),
      msg_type: msg.msg_type,
      create_time: String(msg.create_time),
      update_time: String(msg.update_time),
      deleted: false,
      updated: msg.update_time !== msg.create_time,
      chat_id: msg.chat_id,
      sender: { id: this.cfg.appId, id_type: 'app_id', sender_type: 'app', tenant_key: this.cfg.tenantKey },
      body: { content: msg.content },
      ...(msg.parent_id !== undefined ? { upper_message_id: msg.parent_id } : {}),
    };
    return ok({ data });
  }
}

/** A message to a person lands in the p2p chat between the bot and that person. */
function resolveChat(idType: (typeof RECEIVE_ID_TYPES)[number], receiveId: string): string {
  const prefix: Partial<Record<typeof idType, string>> = { chat_id: 'oc_', open_id: 'ou_', union_id: 'on_' };
  const wanted = prefix[idType];
  const valid = wanted !== undefined ? receiveId.startsWith(wanted) && receiveId.length > wanted.length
    : idType === 'email' ? /^[^@\s]+@[^@\s]+$/.test(receiveId) : !/\s/.test(receiveId);
  if (!valid) fail(230034, `The receive_id is invalid for receive_id_type=${idType}: ${JSON.stringify(receiveId)}`);
  return idType === 'chat_id' ? receiveId : `oc_${stableHex(`p2p:${idType}:${receiveId}`, 32)}`;
}
