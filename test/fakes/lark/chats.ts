/**
 * Group chats and pins of the Lark fake (../shared/reference/lark-platform.md §6.7, and the
 * open-platform pages 创建群, 将用户或机器人拉入群聊, 获取群分享链接, Pin 消息).
 *
 * Unknown user ids: by default they are left out and named in `invalid_id_list` (create) or
 * `not_existed_id_list` (add members), as the §6.7 note describes. The open-platform pages say
 * more: create answers 232043 "Your request contains unavailable ids." (232022 for resigned
 * users) and add-members without `succeed_type` fails on unknown ids too; `strict` turns that on.
 */
import { z } from 'zod';
import type { Reply } from '../core/http-fake.js';
import { RateWindow } from '../core/rate-window.js';
import type { LarkMessages } from './messages.js';
import { USER_ID_TYPES, type LarkUsers } from './users.js';
import { HOUR, LarkApiError, SECOND, fail, invalidParam, ok, randomHex, requiredQuery, validate } from './wire.js';

/** Same uuid (+ owner_id) creates at most one group in 10 hours (page 创建群). */
const UUID_WINDOW_MS = 10 * HOUR;
const DAY = 24 * HOUR;
const MAX_USERS_PER_CALL = 50;
const MAX_BOTS_PER_CALL = 5;
const PIN_RATE_PER_SECOND = 5;
const MEMBER_ID_TYPES = [...USER_ID_TYPES, 'app_id'] as const;
const SUCCEED_TYPES = ['0', '1', '2'] as const;

export interface FakeChat {
  chat_id: string;
  name: string;
  description: string;
  /** open_ids of the users in the chat (the owner included). */
  members: string[];
  /** App ids of the bots in the chat; the fake's own app is always first. */
  bots: string[];
  /** open_id of the owner when a user owns the chat; absent when the creating bot does. */
  owner_id?: string;
  chat_type: 'private' | 'public';
  uuid?: string;
  createdAt: number;
}

export interface FakePin {
  message_id: string;
  chat_id: string;
  at: number;
}

interface ChatsConfig {
  appId: string;
  tenantKey: string;
  now: () => number;
}

const CreateBody = z.object({
  name: z.string().optional(),
  description: z.string().optional(),
  owner_id: z.string().optional(),
  user_id_list: z.array(z.string()).max(MAX_USERS_PER_CALL).optional(),
  bot_id_list: z.array(z.string()).max(MAX_BOTS_PER_CALL).optional(),
  chat_mode: z.literal('group').optional(),
  chat_type: z.enum(['private', 'public']).optional(),
  group_message_type: z.enum(['chat', 'thread']).optional(),
});
const MembersBody = z.object({ id_list: z.array(z.string()).optional() });
const LinkBody = z.object({ validity_period: z.enum(['week', 'year', 'permanently']).optional() });
const PinBody = z.object({ message_id: z.string().min(1) });
const UuidQuery = z.string().max(50).optional();

const unavailableIds = (): never => fail(232043, 'Your request contains unavailable ids.');

export class LarkChats {
  /** Makes POST im/v1/chats answer 99991672 (scope im:chat:create missing). */
  denyCreate = false;
  /** Follow the open-platform pages on unknown ids (errors) instead of leaving them out; see the file comment. */
  strict = false;
  private readonly store = new Map<string, FakeChat>();
  /** `uuid\nowner_id` → the chat and the first answer's data. */
  private readonly uuids = new Map<string, { data: Record<string, unknown>; at: number }>();
  private readonly pinned = new Map<string, FakePin>();
  private readonly pinRate = new RateWindow(SECOND);

  constructor(
    private readonly cfg: ChatsConfig,
    private readonly users: LarkUsers,
    private readonly messages: LarkMessages,
  ) {}

  all(): FakeChat[] {
    return [...this.store.values()];
  }

  get(chatId: string): FakeChat | undefined {
    return this.store.get(chatId);
  }

  pins(): FakePin[] {
    return [...this.pinned.values()];
  }

  /** POST im/v1/chats?user_id_type=…&set_bot_manager=…&uuid=… */
  create(query: Record<string, string>, body: unknown): Reply {
    if (this.denyCreate) throw this.scopeMissing(['im:chat:create', 'im:chat']);
    const idType = requiredQuery(query.user_id_type ?? 'open_id', 'user_id_type', USER_ID_TYPES);
    const uuid = validate(z.object({ uuid: UuidQuery }), { uuid: query.uuid }).uuid;
    const req = validate(CreateBody, body ?? {});
    const now = this.cfg.now();
    const key = uuid !== undefined && uuid !== '' ? `${uuid}\n${req.owner_id ?? ''}` : undefined;
    const seen = key !== undefined ? this.uuids.get(key) : undefined;
    if (seen && now - seen.at < UUID_WINDOW_MS) return ok({ data: seen.data });

    const chatType = req.chat_type ?? 'private';
    const name = req.name ?? '';
    if (chatType === 'public' && name === '') fail(232042, "Public group chat's name should not be empty.");
    if (chatType === 'public' && [...name].length < 2) fail(232020, 'Name can NOT be less than two characters for public chats.');
    let owner: string | undefined;
    if (req.owner_id !== undefined && req.owner_id !== '') {
      const found = this.users.find(idType, req.owner_id);
      if (!found || found.resigned === true) fail(232030, 'Your request specifies a user_id which is invalid.');
      owner = found.open_id;
    }
    const members: string[] = owner !== undefined ? [owner] : [];
    const invalid: string[] = [];
    for (const id of req.user_id_list ?? []) {
      const u = this.users.find(idType, id);
      if (this.strict && !u) unavailableIds();
      if (this.strict && u?.resigned === true) fail(232022, 'User has already resigned.');
      if (!u || u.resigned === true) invalid.push(id);
      else if (!members.includes(u.open_id)) members.push(u.open_id);
    }
    const bots = [this.cfg.appId];
    for (const id of req.bot_id_list ?? []) {
      if (!isAppId(id) && this.strict) unavailableIds();
      if (!isAppId(id)) invalid.push(id);
      else if (!bots.includes(id)) bots.push(id);
    }

    const chat: FakeChat = {
      chat_id: `oc_${randomHex(16)}`,
      name: name === '' ? '(无主题)' : name,
      description: req.description ?? '',
      members,
      bots,
      ...(owner !== undefined ? { owner_id: owner } : {}),
      chat_type: chatType,
      ...(key !== undefined ? { uuid } : {}),
      createdAt: now,
    };
    this.store.set(chat.chat_id, chat);
    const data = {
      ...this.describe(chat, req.group_message_type ?? 'chat'),
      ...(owner !== undefined ? { owner_id: req.owner_id, owner_id_type: idType } : {}),
      invalid_id_list: invalid,
    };
    if (key !== undefined) this.uuids.set(key, { data, at: now });
    return ok({ data });
  }

  /** POST im/v1/chats/:chat_id/members?member_id_type=…&succeed_type=0|1|2 */
  addMembers(chatId: string, query: Record<string, string>, body: unknown): Reply {
    const idType = requiredQuery(query.member_id_type ?? 'open_id', 'member_id_type', MEMBER_ID_TYPES);
    const succeedType = query.succeed_type === undefined ? undefined
      : requiredQuery(query.succeed_type, 'succeed_type', SUCCEED_TYPES);
    const ids = validate(MembersBody, body ?? {}).id_list ?? [];
    const chat = this.known(chatId);
    if (ids.length === 0) fail(232027, 'There are no valid members in the ID list specified in your request.');
    const max = idType === 'app_id' ? MAX_BOTS_PER_CALL : MAX_USERS_PER_CALL;
    if (ids.length > max) fail(232001, invalidParam(`id_list may hold at most ${max} ${idType === 'app_id' ? 'bots' : 'users'}`));

    const users: string[] = [];
    const bots: string[] = [];
    const invalid: string[] = [];
    const notExisted: string[] = [];
    for (const id of ids) {
      if (idType === 'app_id') {
        (isAppId(id) ? bots : notExisted).push(id);
        continue;
      }
      const u = this.users.find(idType, id);
      if (!u) notExisted.push(id);
      else if (u.resigned === true) invalid.push(id);
      else users.push(u.open_id);
    }
    // succeed_type 0 (Lark's default): unknown ids fail the call, resigned ones are skipped;
    // 1: add what can be added and list the rest; 2: any unusable id fails the call.
    const mode = succeedType ?? (this.strict ? '0' : '1');
    if (mode !== '1' && notExisted.length > 0) unavailableIds();
    if (mode === '2' && invalid.length > 0) unavailableIds();
    for (const id of users) if (!chat.members.includes(id)) chat.members.push(id);
    for (const id of bots) if (!chat.bots.includes(id)) chat.bots.push(id);
    return ok({ data: { invalid_id_list: invalid, not_existed_id_list: notExisted, pending_approval_id_list: [] } });
  }

  /** POST im/v1/chats/:chat_id/link */
  link(chatId: string, body: unknown): Reply {
    const period = validate(LinkBody, body ?? {}, 232001).validity_period ?? 'week';
    this.known(chatId);
    const now = this.cfg.now();
    const permanent = period === 'permanently';
    // Unconfirmed: what expire_time says for a permanent link; the fake answers "0".
    const expireTime = permanent ? '0' : String(Math.floor((now + (period === 'week' ? 7 : 365) * DAY) / SECOND));
    const shareLink = `https://applink.feishu.cn/client/chat/chatter/add_by_link?link_token=${linkToken()}`;
    return ok({ data: { share_link: shareLink, expire_time: expireTime, is_permanent: permanent } });
  }

  /** POST im/v1/pins: pinning a pinned message answers the existing pin (page Pin 消息). */
  pin(body: unknown): Reply {
    const { message_id: messageId } = validate(PinBody, body);
    const msg = this.messages.get(messageId);
    if (!msg) fail(230011, `The message ${messageId} was recalled or does not exist.`);
    const now = this.cfg.now();
    if (!this.pinRate.tryHit(messageId, PIN_RATE_PER_SECOND, now)) fail(230047, 'Pin/Unpin message trigger message_id limit.');
    let pin = this.pinned.get(messageId);
    if (!pin) {
      pin = { message_id: messageId, chat_id: msg.chat_id, at: now };
      this.pinned.set(messageId, pin);
    }
    const { at, ...ids } = pin;
    return ok({ data: { pin: { ...ids, operator_id: this.cfg.appId, operator_id_type: 'app_id', create_time: String(at) } } });
  }

  /** Forget chats, uuids and pins; switch denyCreate and strict off. */
  reset(): void {
    this.store.clear();
    this.uuids.clear();
    this.pinned.clear();
    this.pinRate.clear();
    this.denyCreate = false;
    this.strict = false;
  }

  private known(chatId: string): FakeChat {
    const chat = this.store.get(chatId);
    if (!chat) fail(232006, 'Your request specifies a chat_id which is invalid.');
    return chat;
  }

  /** The chat as create answers it (page 创建群, 响应体示例). */
  private describe(chat: FakeChat, groupMessageType: string): Record<string, unknown> {
    return {
      chat_id: chat.chat_id,
      avatar: 'https://p3-lark-file.byteimg.com/img/lark-avatar-staging/default-avatar-fake~100x100.jpg',
      name: chat.name,
      description: chat.description,
      i18n_names: {},
      urgent_setting: 'all_members',
      video_conference_setting: 'all_members',
      add_member_permission: 'all_members',
      share_card_permission: 'allowed',
      at_all_permission: 'all_members',
      edit_permission: 'all_members',
      group_message_type: groupMessageType,
      chat_mode: 'group',
      chat_type: chat.chat_type,
      chat_tag: 'inner',
      external: false,
      tenant_key: this.cfg.tenantKey,
      join_message_visibility: 'all_members',
      leave_message_visibility: 'all_members',
      membership_approval: 'no_approval_required',
      moderation_permission: 'all_members',
      hide_member_count_setting: 'all_members',
    };
  }

  /** 99991672 as the gateway answers a missing scope (shape from the 通用错误码 / error-structure pages). */
  private scopeMissing(scopes: string[]): LarkApiError {
    const list = `[${scopes.join(', ')}]`;
    const url = `https://open.feishu.cn/app/${this.cfg.appId}/auth?q=${scopes.join(',')}&op_from=openapi&token_type=tenant`;
    return new LarkApiError(
      99991672,
      `Access denied. One of the following scopes is required: ${list}.应用尚未开通所需的应用身份权限：${list}，点击链接申请并开通任一权限即可：${url}`,
      400,
      { error: { permission_violations: scopes.map((scope) => ({ scope, url })), helps: [{ url, description: `Learn more about scopes and how to add them: ${list}` }] } },
    );
  }
}

/** The fake has no directory of other apps: any `cli_…` id counts as a bot. */
const isAppId = (id: string): boolean => /^cli_[0-9a-z]+$/.test(id);

const linkToken = (): string => {
  const hex = randomHex(18);
  return `${hex.slice(0, 7)}-${hex.slice(7, 11)}-${hex.slice(11, 15)}-${hex.slice(15, 36)}`;
};
