/**
 * Domain state and business rules of the Lark (Feishu) Open Platform fake.
 *
 * This module knows nothing about HTTP: every API method takes an already parsed request and either
 * returns an {@link ApiReply} (status + JSON body) or throws a {@link LarkApiError}, which
 * `lark-server.ts` turns into Lark's wire format (`{code,msg,...}` with HTTP 400).
 * Wire formats and error codes follow /work/shared/reference/lark-platform.md §4.3, §6, §7 and §9.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';

export const DEFAULT_APP_ID = 'cli_a1b2c3d4e5f60718';
export const DEFAULT_APP_SECRET = 'fake-secret';
/** Same bot open_id as the constructed event samples, so recorded events and the fake agree. */
export const DEFAULT_BOT_OPEN_ID = 'ou_b0770000000000000000000000000001';
export const DEFAULT_TENANT_KEY = '736588c9260f175e';

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const TOKEN_TTL_S = 7200;
/** Lark hands out a new tenant token once the current one has less than 30 min left. */
const TOKEN_RENEW_BELOW_S = 1800;
const CARD_LIMIT_BYTES = 30 * 1024;
const TEXT_LIMIT_BYTES = 150 * 1024;
const PATCH_MAX_AGE_MS = 14 * 24 * HOUR;
const CARD_TOKEN_TTL_MS = 30 * 60 * SECOND;
const CARD_TOKEN_MAX_USES = 2;
const UUID_WINDOW_MS = HOUR;

const RECEIVE_ID_TYPES = ['open_id', 'union_id', 'user_id', 'email', 'chat_id'] as const;
const USER_ID_TYPES = ['open_id', 'union_id', 'user_id'] as const;
type UserIdType = (typeof USER_ID_TYPES)[number];
const MSG_TYPES = new Set([
  'text', 'post', 'image', 'file', 'audio', 'media', 'sticker', 'interactive', 'share_chat', 'share_user', 'system',
]);

export interface FakeUser {
  open_id: string;
  name: string;
  email?: string;
  mobile?: string;
  /** Optional extras; union_id / user_id are derived from open_id when omitted. */
  en_name?: string;
  union_id?: string;
  user_id?: string;
  /** Resigned users are only found by batch_get_id with include_resigned: true. */
  resigned?: boolean;
}

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
  /** The JSON string as sent; replaced by PATCH and by interactive/v1/card/update. */
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

/** One call of POST /open-apis/interactive/v1/card/update that was accepted. */
export interface CardUpdate {
  token: string;
  card: Record<string, unknown>;
  /** The message registered for the token with registerCardToken, if any. */
  message_id?: string;
  at: number;
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

export interface ApiReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export class LarkApiError extends Error {
  constructor(
    readonly code: number,
    msg: string,
    readonly status = 400,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(msg);
    this.name = 'LarkApiError';
  }

  toReply(): ApiReply {
    return { status: this.status, body: { code: this.code, msg: this.message, ...this.extra } };
  }
}

export interface StateConfig {
  appId: string;
  appSecret: string;
  botOpenId: string;
  botName: string;
  tenantKey: string;
  chatRatePerSecond: number;
  patchRatePerSecond: number;
  now: () => number;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const randomHex = (bytes: number): string => randomBytes(bytes).toString('hex');
const stableHex = (seed: string, chars: number): string =>
  createHash('sha256').update(seed).digest('hex').slice(0, chars);

function fail(code: number, msg: string, status = 400): never {
  throw new LarkApiError(code, msg, status);
}

const invalidParam = (what: string): string => `Your request contains an invalid request parameter, ext=${what}`;

/** Validate with zod; failures become 99992402 "field validation failed" (or `code` when given). */
function validate<S extends z.ZodType>(schema: S, value: unknown, code = 99992402): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const violations = result.error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || 'body',
    description: issue.message,
  }));
  if (code === 99992402) {
    throw new LarkApiError(code, 'field validation failed', 400, { error: { field_violations: violations } });
  }
  throw new LarkApiError(code, invalidParam(violations.map((v) => `${v.field}: ${v.description}`).join('; ')));
}

function requiredQuery<T extends string>(value: string | undefined, name: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a === value);
  if (found !== undefined) return found;
  const description = value === undefined ? `${name} is required` : `${name} must be one of ${allowed.join('|')}`;
  throw new LarkApiError(99992402, 'field validation failed', 400, {
    error: { field_violations: [{ field: name, value: value ?? '', description }] },
  });
}

/** Sliding 1-second window per key. */
class RateWindow {
  private readonly hits = new Map<string, number[]>();

  /** Records a hit and returns true, or returns false (recording nothing) when `limit` is reached. */
  tryHit(key: string, limit: number, now: number): boolean {
    if (limit <= 0) return true;
    const recent = (this.hits.get(key) ?? []).filter((t) => t > now - SECOND && t <= now);
    const allowed = recent.length < limit;
    if (allowed) recent.push(now);
    this.hits.set(key, recent);
    return allowed;
  }

  clear(): void {
    this.hits.clear();
  }
}

// ---------------------------------------------------------------------------------------------
// Card and content rules

/** Returns the "ext=" detail of a 230099 error, or undefined when the card looks valid. */
function cardIssue(card: Record<string, unknown>): string | undefined {
  const bad = (errCode: number, why: string): string => `ErrCode: ${errCode}; ErrMsg: ${why}; `;
  if (card.type === 'template') {
    return isRecord(card.data) && typeof card.data.template_id === 'string'
      ? undefined
      : bad(200621, 'template card needs data.template_id');
  }
  if (card.type === 'card') {
    return isRecord(card.data) && typeof card.data.card_id === 'string'
      ? undefined
      : bad(200621, 'card entity needs data.card_id');
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
function isSharedCard(card: unknown): boolean {
  if (!isRecord(card)) return false;
  if (card.schema === '2.0' || card.type === 'template' || card.type === 'card') return true;
  return isRecord(card.config) && card.config.update_multi === true;
}

/** Checks size and JSON shape of a message content string and returns the parsed object. */
function parseContent(msgType: string, content: string, op: 'create' | 'update'): Record<string, unknown> {
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

function checkMsgType(msgType: string): void {
  if (!MSG_TYPES.has(msgType)) fail(230001, invalidParam(`invalid msg_type ${JSON.stringify(msgType)}`));
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
const BatchGetIdBody = z.object({
  emails: z.array(z.string()).max(50).optional(),
  mobiles: z.array(z.string()).max(50).optional(),
  include_resigned: z.boolean().optional(),
});
const CardUpdateBody = z.object({ token: z.string(), card: z.record(z.string(), z.unknown()) });
const TokenBody = z.object({ app_id: z.string(), app_secret: z.string() });

const normalizeMobile = (mobile: string): string => mobile.replace(/[\s-]/g, '').replace(/^\+86/, '');

// ---------------------------------------------------------------------------------------------

interface StoredMessage {
  msg: FakeMessage;
  fromApp: boolean;
  recalled: boolean;
}

interface CardTokenEntry {
  issuedAt: number;
  uses: number;
  messageId?: string;
}

export class LarkState {
  /** App-sent messages (send + reply), in order. Cleared in place by reset(). */
  readonly messages: FakeMessage[] = [];
  /** Accepted interactive/v1/card/update calls, in order. Cleared in place by reset(). */
  readonly cardUpdates: CardUpdate[] = [];
  denyContactRead = false;

  private readonly users = new Map<string, FakeUser>();
  private readonly store = new Map<string, StoredMessage>();
  private readonly uuids = new Map<string, { messageId: string; at: number }>();
  private readonly threads = new Map<string, string>();
  private readonly chatRate = new RateWindow();
  private readonly patchRate = new RateWindow();
  private readonly cardTokens = new Map<string, CardTokenEntry>();
  private readonly tokens = new Map<string, number>();
  private currentToken: { token: string; expiresAt: number } | undefined;

  constructor(readonly cfg: StateConfig) {}

  now(): number {
    return this.cfg.now();
  }

  /** Forget messages, threads, uuids, rate windows and card tokens; keep users and tenant tokens. */
  reset(): void {
    this.messages.length = 0;
    this.cardUpdates.length = 0;
    this.denyContactRead = false;
    this.store.clear();
    this.uuids.clear();
    this.threads.clear();
    this.chatRate.clear();
    this.patchRate.clear();
    this.cardTokens.clear();
  }

  // --- test-side setup --------------------------------------------------------------------

  addUser(user: FakeUser): void {
    if (typeof user.open_id !== 'string' || user.open_id === '') throw new TypeError('addUser: open_id is required');
    this.users.set(user.open_id, { ...user });
  }

  addIncomingMessage(input: IncomingMessageInput): FakeMessage {
    const now = this.now();
    const msg: FakeMessage = {
      message_id: input.message_id ?? `om_${randomHex(16)}`,
      chat_id: input.chat_id,
      msg_type: input.msg_type ?? 'text',
      content: input.content ?? '{"text":""}',
      create_time: input.create_time ?? now,
      update_time: input.create_time ?? now,
      patches: [],
      urgents: [],
    };
    if (input.root_id !== undefined) msg.root_id = input.root_id;
    if (input.parent_id !== undefined) msg.parent_id = input.parent_id;
    if (input.thread_id !== undefined) {
      msg.thread_id = input.thread_id;
      this.threads.set(input.root_id ?? msg.message_id, input.thread_id);
    }
    this.store.set(msg.message_id, { msg, fromApp: false, recalled: false });
    return msg;
  }

  getMessage(messageId: string): FakeMessage | undefined {
    return this.store.get(messageId)?.msg;
  }

  recallMessage(messageId: string): boolean {
    const stored = this.store.get(messageId);
    if (stored) stored.recalled = true;
    return stored !== undefined;
  }

  registerCardToken(token: string, messageId: string): void {
    const existing = this.cardTokens.get(token);
    this.cardTokens.set(token, { issuedAt: existing?.issuedAt ?? this.now(), uses: existing?.uses ?? 0, messageId });
  }

  invalidateTokens(): void {
    this.tokens.clear();
    this.currentToken = undefined;
  }

  // --- auth ---------------------------------------------------------------------------------

  issueTenantToken(body: unknown): ApiReply {
    const parsed = TokenBody.safeParse(body);
    if (!parsed.success) fail(10003, 'invalid param');
    if (parsed.data.app_id !== this.cfg.appId) fail(10014, 'app not found or not usable');
    if (parsed.data.app_secret !== this.cfg.appSecret) fail(10015, 'app secret invalid');
    const now = this.now();
    let current = this.currentToken;
    if (!current || !this.tokens.has(current.token) || current.expiresAt - now < TOKEN_RENEW_BELOW_S * SECOND) {
      current = { token: `t-${randomHex(20)}`, expiresAt: now + TOKEN_TTL_S * SECOND };
      this.tokens.set(current.token, current.expiresAt);
      this.currentToken = current;
    }
    const expire = Math.floor((current.expiresAt - now) / SECOND);
    return { status: 200, body: { code: 0, msg: 'ok', tenant_access_token: current.token, expire } };
  }

  authorize(header: string | undefined): void {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
    if (token === undefined) {
      fail(99991661, 'Missing access token for authorization. Please make a request with token attached.');
    }
    const expiresAt = this.tokens.get(token);
    if (expiresAt === undefined || expiresAt <= this.now()) {
      fail(99991663, 'Invalid access token for authorization. Please make a request with token attached.');
    }
  }

  botInfo(): ApiReply {
    const bot = {
      activate_status: 2,
      app_name: this.cfg.botName,
      avatar_url: 'https://s1-imfile.feishucdn.com/static-resource/v1/fake-bot-avatar',
      ip_white_list: [],
      open_id: this.cfg.botOpenId,
    };
    return { status: 200, body: { code: 0, msg: 'ok', bot } };
  }

  // --- messages -----------------------------------------------------------------------------

  sendMessage(query: Record<string, string>, body: unknown): ApiReply {
    const idType = requiredQuery(query.receive_id_type, 'receive_id_type', RECEIVE_ID_TYPES);
    const req = validate(SendBody, body);
    const chatId = this.resolveChat(idType, req.receive_id);
    checkMsgType(req.msg_type);
    const parsed = parseContent(req.msg_type, req.content, 'create');
    const duplicate = this.findByUuid(req.uuid);
    if (duplicate) return this.messageReply(duplicate);
    this.takeChatSlot(chatId);
    const msg = this.createMessage({ chat_id: chatId, msg_type: req.msg_type, content: req.content }, parsed, req.uuid);
    return this.messageReply(msg);
  }

  reply(messageId: string, body: unknown): ApiReply {
    const req = validate(ReplyBody, body);
    const parent = this.liveMessage(messageId).msg;
    checkMsgType(req.msg_type);
    const parsed = parseContent(req.msg_type, req.content, 'create');
    const duplicate = this.findByUuid(req.uuid);
    if (duplicate) return this.messageReply(duplicate);
    this.takeChatSlot(parent.chat_id);
    const rootId = parent.root_id ?? parent.message_id;
    const inThread = req.reply_in_thread === true || parent.thread_id !== undefined;
    const msg = this.createMessage(
      {
        chat_id: parent.chat_id,
        msg_type: req.msg_type,
        content: req.content,
        root_id: rootId,
        // Inside a thread, root_id and parent_id are both the thread root.
        parent_id: inThread ? rootId : parent.message_id,
        ...(inThread ? { thread_id: this.threadFor(rootId) } : {}),
      },
      parsed,
      req.uuid,
    );
    return this.messageReply(msg);
  }

  patchCard(messageId: string, body: unknown): ApiReply {
    const req = validate(PatchBody, body);
    const stored = this.liveMessage(messageId);
    const msg = stored.msg;
    if (!stored.fromApp) fail(230012, 'The bot can only update messages that it sent.');
    if (msg.msg_type !== 'interactive') fail(230001, invalidParam('only interactive (card) messages can be updated'));
    const now = this.now();
    if (now - msg.create_time > PATCH_MAX_AGE_MS) fail(230031, 'The message was sent more than 14 days ago.');
    const card = parseContent('interactive', req.content, 'update');
    if (!isSharedCard(msg.card) || !isSharedCard(card)) {
      fail(
        230099,
        'Failed to update card content, ext=ErrCode: 200830; ErrMsg: only shared cards can be updated, a JSON 1.0 card ' +
          'must declare "config":{"update_multi":true} both when sent and in the update; ',
      );
    }
    if (!this.patchRate.tryHit(messageId, this.cfg.patchRatePerSecond, now)) {
      fail(230020, `This operation triggers the frequency limit: rate limit of ${this.cfg.patchRatePerSecond} updates per second per message.`);
    }
    msg.content = req.content;
    msg.card = card;
    msg.update_time = now;
    msg.patches.push(req.content);
    return { status: 200, body: { code: 0, data: {}, msg: 'ok' } };
  }

  urgent(kind: UrgentKind, messageId: string, query: Record<string, string>, body: unknown): ApiReply {
    const rawType = query.user_id_type;
    if (rawType === undefined || rawType === '') fail(230001, invalidParam('user_id_type is required'));
    const idType = USER_ID_TYPES.find((t) => t === rawType);
    if (idType === undefined) fail(230001, invalidParam(`invalid user_id_type ${JSON.stringify(rawType)}`));
    const req = validate(UrgentBody, body, 230001);
    const stored = this.liveMessage(messageId);
    if (!stored.fromApp) fail(230012, 'The bot can only send urgent notifications for messages that it sent.');
    const valid: string[] = [];
    const invalid: string[] = [];
    for (const id of req.user_id_list) (this.findUser(idType, id) ? valid : invalid).push(id);
    if (valid.length === 0) fail(230001, invalidParam(`all user ids are invalid: ${invalid.join(',')}`));
    stored.msg.urgents.push({ kind, user_ids: valid, invalid_user_ids: invalid, at: this.now() });
    return { status: 200, body: { code: 0, msg: 'success', data: { invalid_user_id_list: invalid } } };
  }

  // --- contact ------------------------------------------------------------------------------

  batchGetId(query: Record<string, string>, body: unknown): ApiReply {
    const idType = requiredQuery(query.user_id_type ?? 'open_id', 'user_id_type', USER_ID_TYPES);
    const req = validate(BatchGetIdBody, body);
    const visible = (u: FakeUser | undefined): u is FakeUser => u !== undefined && (req.include_resigned === true || !u.resigned);
    const all = [...this.users.values()];
    const entry = (u: FakeUser | undefined, key: 'email' | 'mobile', value: string): Record<string, unknown> =>
      visible(u) ? { user_id: this.userIdOf(u, idType), [key]: value, status: userStatus(u) } : { [key]: value };
    const userList = [
      ...(req.emails ?? []).map((email) =>
        entry(all.find((u) => u.email?.toLowerCase() === email.toLowerCase()), 'email', email)),
      ...(req.mobiles ?? []).map((mobile) =>
        entry(all.find((u) => u.mobile !== undefined && normalizeMobile(u.mobile) === normalizeMobile(mobile)), 'mobile', mobile)),
    ];
    return { status: 200, body: { code: 0, msg: 'success', data: { user_list: userList } } };
  }

  getUser(userId: string, query: Record<string, string>): ApiReply {
    const idType = requiredQuery(query.user_id_type ?? 'open_id', 'user_id_type', USER_ID_TYPES);
    if (this.denyContactRead) fail(41050, 'no user authority error');
    const u = this.findUser(idType, userId);
    // Lark does not tell "unknown" from "outside the app's contact range": both are 41050.
    if (!u) fail(41050, 'no user authority error');
    const user: Record<string, unknown> = {
      union_id: this.userIdOf(u, 'union_id'),
      user_id: this.userIdOf(u, 'user_id'),
      open_id: u.open_id,
      name: u.name,
      en_name: u.en_name ?? u.name,
      ...(u.email !== undefined ? { email: u.email } : {}),
      ...(u.mobile !== undefined ? { mobile: u.mobile } : {}),
      avatar: { avatar_72: `https://example.invalid/avatar/${u.open_id}?size=72` },
      status: userStatus(u),
    };
    return { status: 200, body: { code: 0, msg: 'success', data: { user } } };
  }

  // --- delayed card update ------------------------------------------------------------------

  updateCardByToken(body: unknown): ApiReply {
    const req = validate(CardUpdateBody, body);
    if (!req.token.startsWith('c-')) fail(300020, 'card token format is invalid, it must start with "c-"');
    const now = this.now();
    const entry = this.cardTokens.get(req.token) ?? { issuedAt: now, uses: 0 };
    this.cardTokens.set(req.token, entry);
    if (now - entry.issuedAt > CARD_TOKEN_TTL_MS) fail(300030, 'card token expired, it is valid for 30 minutes');
    if (entry.uses >= CARD_TOKEN_MAX_USES) fail(300040, 'card token has been used up, it can update a card at most twice');
    const card = req.card;
    const issue = cardIssue(card);
    if (issue !== undefined) fail(230099, `Failed to update card content, ext=${issue}`);
    if (!isSharedCard(card) && !Array.isArray(card.open_ids)) {
      fail(300090, 'open_ids is required to update an exclusive card (JSON 1.0 without config.update_multi=true)');
    }
    entry.uses += 1;
    this.cardUpdates.push({ token: req.token, card, ...(entry.messageId !== undefined ? { message_id: entry.messageId } : {}), at: now });
    const target = entry.messageId !== undefined ? this.store.get(entry.messageId)?.msg : undefined;
    if (target) {
      const { open_ids: _openIds, ...shown } = card;
      target.card = shown;
      target.content = JSON.stringify(shown);
      target.update_time = now;
    }
    return { status: 200, body: { code: 0, msg: 'ok' } };
  }

  // --- internals ----------------------------------------------------------------------------

  private resolveChat(idType: (typeof RECEIVE_ID_TYPES)[number], receiveId: string): string {
    const prefix: Partial<Record<typeof idType, string>> = { chat_id: 'oc_', open_id: 'ou_', union_id: 'on_' };
    const wanted = prefix[idType];
    const ok = wanted !== undefined ? receiveId.startsWith(wanted) && receiveId.length > wanted.length
      : idType === 'email' ? /^[^@\s]+@[^@\s]+$/.test(receiveId) : !/\s/.test(receiveId);
    if (!ok) fail(230034, `The receive_id is invalid for receive_id_type=${idType}: ${JSON.stringify(receiveId)}`);
    // A message to a person lands in the p2p chat between the bot and that person.
    return idType === 'chat_id' ? receiveId : `oc_${stableHex(`p2p:${idType}:${receiveId}`, 32)}`;
  }

  private liveMessage(messageId: string): StoredMessage {
    const stored = this.store.get(messageId);
    if (!stored || stored.recalled) fail(230011, `The message ${messageId} was recalled or does not exist.`);
    return stored;
  }

  private findByUuid(uuid: string | undefined): FakeMessage | undefined {
    if (uuid === undefined || uuid === '') return undefined;
    const seen = this.uuids.get(uuid);
    if (!seen || this.now() - seen.at >= UUID_WINDOW_MS) return undefined;
    return this.store.get(seen.messageId)?.msg;
  }

  private takeChatSlot(chatId: string): void {
    const limit = this.cfg.chatRatePerSecond;
    if (!this.chatRate.tryHit(chatId, limit, this.now())) {
      fail(230020, `This operation triggers the frequency limit: chat rate limit of ${limit} messages per second.`);
    }
  }

  private threadFor(rootId: string): string {
    const root = this.store.get(rootId)?.msg;
    const threadId = root?.thread_id ?? this.threads.get(rootId) ?? `omt_${randomHex(6)}`;
    this.threads.set(rootId, threadId);
    if (root) root.thread_id = threadId;
    return threadId;
  }

  private createMessage(
    fields: Pick<FakeMessage, 'chat_id' | 'msg_type' | 'content' | 'root_id' | 'parent_id' | 'thread_id'>,
    parsed: Record<string, unknown>,
    uuid: string | undefined,
  ): FakeMessage {
    const now = this.now();
    const msg: FakeMessage = {
      message_id: `om_${randomHex(16)}`,
      ...fields,
      ...(fields.msg_type === 'interactive' ? { card: parsed } : {}),
      ...(uuid !== undefined && uuid !== '' ? { uuid } : {}),
      create_time: now,
      update_time: now,
      patches: [],
      urgents: [],
    };
    this.store.set(msg.message_id, { msg, fromApp: true, recalled: false });
    this.messages.push(msg);
    if (msg.uuid !== undefined) this.uuids.set(msg.uuid, { messageId: msg.message_id, at: now });
    return msg;
  }

  private messageReply(msg: FakeMessage): ApiReply {
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
    return { status: 200, body: { code: 0, msg: 'success', data } };
  }

  private userIdOf(u: FakeUser, type: UserIdType): string {
    if (type === 'open_id') return u.open_id;
    if (type === 'union_id') return u.union_id ?? `on_${stableHex(`union:${u.open_id}`, 32)}`;
    return u.user_id ?? stableHex(`user:${u.open_id}`, 8);
  }

  private findUser(type: UserIdType, id: string): FakeUser | undefined {
    for (const u of this.users.values()) if (this.userIdOf(u, type) === id) return u;
    return undefined;
  }
}

function userStatus(u: FakeUser): Record<string, boolean> {
  const resigned = u.resigned === true;
  return { is_frozen: false, is_resigned: resigned, is_activated: !resigned, is_exited: false, is_unjoin: false };
}
