/**
 * HTTP fake of the Lark (Feishu) Open Platform for tests, on the shared core (`core/http-fake.ts`:
 * recording, faults, latency, the timing model).
 *
 * Speaks the real wire format (../shared/reference/lark-platform.md §6, §7, §9), so
 * `@larksuiteoapi/node-sdk` can be pointed at it with `domain: fake.url`:
 *   - envelopes `{code,msg,data}`; the tenant token response is NOT wrapped in `data`;
 *   - business errors are HTTP 400 with a non-zero `code`; unknown routes are HTTP 404 `{code:404}`;
 *   - rate limit faults are HTTP 429 + `x-ogw-ratelimit-*` headers + `{"code":99991400,...}`.
 *
 * This file is the routes and the public API; the rules live in `lark/` (messages, cards, chats, users, tokens).
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { startHttpFake, type HttpFake, type Reply } from './core/http-fake.js';
import type { FakeRequest, RecordedRequest } from './core/request.js';
import { findRoute, type Route } from './core/routes.js';
import type { CoreFault } from './core/rules.js';
import { LarkChats, type FakeChat, type FakePin } from './lark/chats.js';
import { LarkMessages, type FakeMessage, type IncomingMessageInput, type UrgentKind } from './lark/messages.js';
import { TenantTokens } from './lark/tokens.js';
import { LarkUsers, type FakeUser } from './lark/users.js';
import { LarkApiError, ok } from './lark/wire.js';

export type { RecordedRequest, RequestMatch } from './core/request.js';
export type { FakeChat, FakePin } from './lark/chats.js';
export type { FakeMessage, FakeUrgent, IncomingMessageInput } from './lark/messages.js';
export type { FakeUser } from './lark/users.js';

const DEFAULT_APP_ID = 'cli_a1b2c3d4e5f60718';
const DEFAULT_APP_SECRET = 'fake-secret';
/** Same bot open_id as the constructed event samples, so recorded events and the fake agree. */
const DEFAULT_BOT_OPEN_ID = 'ou_b0770000000000000000000000000001';
const DEFAULT_TENANT_KEY = '736588c9260f175e';

export type Fault =
  /** Default body `{code: code ?? status, msg: msg ?? <reason phrase>}`; `body` sends that text verbatim instead. */
  | { kind: 'status'; status: number; code?: number; msg?: string; body?: string }
  /** HTTP 429 + x-ogw-ratelimit-limit (`limit`, default 100) + x-ogw-ratelimit-reset + code 99991400. */
  | { kind: 'rateLimit'; resetSeconds: number; limit?: number }
  /** Destroy the socket without answering (`drop`), or after handling the request (`dropAfterWork`). */
  | CoreFault;

export interface LarkFakeOptions {
  port?: number;
  appId?: string;
  appSecret?: string;
  botOpenId?: string;
  botName?: string;
  /** Messages (send + reply) per chat within any 1-second window; default 5; 0 disables. */
  chatRatePerSecond?: number;
  /** PATCH updates per message within any 1-second window; default 5; 0 disables. */
  patchRatePerSecond?: number;
  tenantKey?: string;
  /** Users known from the start (same as calling addUser). */
  users?: FakeUser[];
  /** Clock used for rate windows, uuid/token/card-token expiry and timestamps; default Date.now. */
  now?: () => number;
}

/** Every request is recorded, token calls included; faults and latency as in {@link HttpFake}. */
export interface LarkFake extends HttpFake<RecordedRequest, Fault> {
  appId: string;
  appSecret: string;
  botOpenId: string;
  botName: string;
  /** Every message created by send or reply, in order. Cleared in place by reset(). */
  messages: FakeMessage[];
  addUser(user: FakeUser): void;
  /** Make GET contact/v3/users/:id answer 400 {code:41050,msg:"no user authority error"}. */
  denyContactRead(deny: boolean): void;
  /** Interactive messages sent (not replies) to the chat. */
  cardsIn(chatId: string): FakeMessage[];
  /** Replies whose root_id or parent_id is messageId. */
  repliesTo(messageId: string): FakeMessage[];
  /** Any known message (app-sent or incoming) by id. */
  getMessage(messageId: string): FakeMessage | undefined;
  /** Register a message the app did NOT send (e.g. a user's message from an event) so it can be replied to. */
  addIncomingMessage(input: IncomingMessageInput): FakeMessage;
  /** Revoke every tenant token (later calls get 99991663); the next token call issues a new one. */
  invalidateTokens(): void;
  /** Every tenant token this fake issued. */
  issuedTokens(): string[];
  /** Group chats created with POST im/v1/chats, in order (members as open_ids, bots as app ids). */
  chats(): FakeChat[];
  chat(chatId: string): FakeChat | undefined;
  /** Pinned messages (POST im/v1/pins), one per message. */
  pins(): FakePin[];
  /** Make POST im/v1/chats answer 400 {code:99991672,msg:"Access denied. One of the following scopes is required: …"}. */
  denyChatCreate(deny: boolean): void;
  /**
   * Unknown ids in chat create / add members: off (default) = left out and listed in the answer;
   * on = as the open-platform pages say: create answers 232043 (232022 for resigned users), add
   * members without succeed_type answers 232043.
   */
  strictChatIds(strict: boolean): void;
  /** Clear requests, messages, card updates, chats, pins, faults, latency and the deny/strict switches; users and tokens stay valid. */
  reset(): void;
}

interface LarkRoute extends Route {
  /** Needs `Authorization: Bearer <tenant token>`. */
  auth: boolean;
  /** Reads a JSON body (non-JSON → 9499). */
  json: boolean;
}

export async function startLarkFake(options: LarkFakeOptions = {}): Promise<LarkFake> {
  const now = options.now ?? (() => Date.now());
  const appId = options.appId ?? DEFAULT_APP_ID;
  const appSecret = options.appSecret ?? DEFAULT_APP_SECRET;
  const botOpenId = options.botOpenId ?? DEFAULT_BOT_OPEN_ID;
  const botName = options.botName ?? 'Guance Issue Bot';
  const tenantKey = options.tenantKey ?? DEFAULT_TENANT_KEY;
  const tokens = new TenantTokens({ appId, appSecret }, now);
  const users = new LarkUsers();
  for (const user of options.users ?? []) users.add(user);
  const messages = new LarkMessages(
    {
      appId,
      tenantKey,
      chatRatePerSecond: options.chatRatePerSecond ?? 5,
      patchRatePerSecond: options.patchRatePerSecond ?? 5,
      now,
    },
    users,
  );
  const chats = new LarkChats({ appId, tenantKey, now }, users, messages);

  const route = (method: string, pattern: RegExp, handle: LarkRoute['handle'], auth = true): LarkRoute =>
    ({ method, pattern, handle, auth, json: method !== 'GET' });
  const bot = { activate_status: 2, app_name: botName, ip_white_list: [], open_id: botOpenId,
    avatar_url: 'https://s1-imfile.feishucdn.com/static-resource/v1/fake-bot-avatar' };
  const routes: LarkRoute[] = [
    route('POST', /^\/open-apis\/auth\/v3\/tenant_access_token\/internal$/, (_p, req) => tokens.issue(req.body), false),
    route('GET', /^\/open-apis\/bot\/v3\/info$/, () => ok({ bot }, 'ok')),
    route('POST', /^\/open-apis\/im\/v1\/messages$/, (_p, req) => messages.send(req.query, req.body)),
    route('POST', /^\/open-apis\/im\/v1\/messages\/([^/]+)\/reply$/, ([id = ''], req) => messages.reply(id, req.body)),
    route('PATCH', /^\/open-apis\/im\/v1\/messages\/([^/]+)\/urgent_(app|sms|phone)$/,
      ([id = '', kind], req) => messages.urgent(kind as UrgentKind, id, req.query, req.body)),
    route('PATCH', /^\/open-apis\/im\/v1\/messages\/([^/]+)$/, ([id = ''], req) => messages.patchCard(id, req.body)),
    route('POST', /^\/open-apis\/im\/v1\/chats$/, (_p, req) => chats.create(req.query, req.body)),
    route('POST', /^\/open-apis\/im\/v1\/chats\/([^/]+)\/members$/, ([id = ''], req) => chats.addMembers(id, req.query, req.body)),
    route('POST', /^\/open-apis\/im\/v1\/chats\/([^/]+)\/link$/, ([id = ''], req) => chats.link(id, req.body)),
    route('POST', /^\/open-apis\/im\/v1\/pins$/, (_p, req) => chats.pin(req.body)),
    route('POST', /^\/open-apis\/contact\/v3\/users\/batch_get_id$/, (_p, req) => users.batchGetId(req.query, req.body)),
    route('GET', /^\/open-apis\/contact\/v3\/users\/(?!batch_get_id$)([^/]+)$/, ([id = ''], req) => users.get(id, req.query)),
  ];

  const handle = ({ record, invalidJson, tooLarge }: FakeRequest): Reply => {
    const found = findRoute(routes, record.method, record.path);
    if (typeof found !== 'object') return { status: 404, body: { code: 404, msg: 'not found' } };
    if (tooLarge) return { status: 413, body: { code: 9499, msg: 'Request Entity Too Large' } };
    if (found.route.auth) tokens.authorize(record.headers.authorization);
    if (found.route.json && invalidJson) return { status: 400, body: { code: 9499, msg: 'Bad Request: the body is not valid JSON' } };
    return found.route.handle(found.params, record);
  };

  const core = await startHttpFake<RecordedRequest, Fault, unknown>({
    name: 'lark-fake',
    port: options.port,
    now,
    newRecord: (base) => base,
    handle,
    faultReply,
    errorReply,
    replyHeaders: () => ({ 'x-tt-logid': logId() }),
  });

  return {
    ...core,
    appId,
    appSecret,
    botOpenId,
    botName,
    messages: messages.sent,
    addUser: (user) => users.add(user),
    denyContactRead(deny) {
      users.denyContactRead = deny;
    },
    cardsIn: (chatId) => messages.cardsIn(chatId),
    repliesTo: (messageId) => messages.repliesTo(messageId),
    getMessage: (messageId) => messages.get(messageId),
    addIncomingMessage: (input) => messages.addIncoming(input),
    invalidateTokens: () => tokens.invalidate(),
    issuedTokens: () => [...tokens.issued],
    chats: () => chats.all(),
    chat: (chatId) => chats.get(chatId),
    pins: () => chats.pins(),
    denyChatCreate(deny) {
      chats.denyCreate = deny;
    },
    strictChatIds(strict) {
      chats.strict = strict;
    },
    reset() {
      core.reset();
      messages.reset();
      chats.reset();
      users.denyContactRead = false;
    },
  };
}

function faultReply(fault: Exclude<Fault, CoreFault>): Reply {
  if (fault.kind === 'rateLimit') {
    return {
      status: 429,
      headers: {
        'x-ogw-ratelimit-limit': String(fault.limit ?? 100),
        'x-ogw-ratelimit-reset': String(fault.resetSeconds),
      },
      body: { code: 99991400, msg: 'request trigger frequency limit' },
    };
  }
  const code = fault.code ?? (fault.status < 300 ? 0 : fault.status);
  const body = { code, msg: fault.msg ?? http.STATUS_CODES[fault.status] ?? 'error' };
  return { status: fault.status, body, ...(fault.body !== undefined ? { text: fault.body } : {}) };
}

function errorReply(err: unknown): Reply {
  if (err instanceof LarkApiError) return err.toReply();
  console.error('[lark-fake] handler error', err);
  return { status: 500, body: { code: 500, msg: `lark fake internal error: ${String(err)}` } };
}

/** Lark's `x-tt-logid`: a timestamp and random hex, on every answer. */
const logId = (): string =>
  `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}${randomBytes(8).toString('hex').toUpperCase()}`;
