/**
 * HTTP fake of the Lark (Feishu) Open Platform for tests.
 *
 * Speaks the real wire format (see /work/shared/reference/lark-platform.md §6, §7, §9), so
 * `@larksuiteoapi/node-sdk` can be pointed at it with `domain: fake.url`:
 *   - envelopes `{code,msg,data}`; the tenant token response is NOT wrapped in `data`;
 *   - business errors are HTTP 400 with a non-zero `code`; unknown routes are HTTP 404 `{code:404}`;
 *   - rate limit faults are HTTP 429 + `x-ogw-ratelimit-*` headers + `{"code":99991400,...}`.
 *
 * Timing model: a request is recorded and handled (state changes happen) as soon as its body has
 * arrived; latency only delays the answer. So "timeout, then retry with the same uuid" behaves like
 * the real platform. Faults replace the handling entirely (a faulted send creates no message).
 *
 * Business rules live in `lark-fake-state.ts`; this file is transport, recording, faults and latency.
 */
import http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import {
  DEFAULT_APP_ID,
  DEFAULT_APP_SECRET,
  DEFAULT_BOT_OPEN_ID,
  DEFAULT_TENANT_KEY,
  LarkApiError,
  LarkState,
} from './lark-fake-state.js';
import type {
  ApiReply,
  CardUpdate,
  FakeMessage,
  FakeUser,
  IncomingMessageInput,
  UrgentKind,
} from './lark-fake-state.js';

export type { CardUpdate, FakeMessage, FakeUrgent, FakeUser, IncomingMessageInput } from './lark-fake-state.js';
export { DEFAULT_APP_ID, DEFAULT_APP_SECRET, DEFAULT_BOT_OPEN_ID } from './lark-fake-state.js';

import type { RecordedRequest } from './recorded-request.js';
export type { RecordedRequest } from './recorded-request.js';

/** `string` = substring of "METHOD /path" (no query string); RegExp is tested against the same. */
export type RequestMatch = string | RegExp;

export type Fault =
  /** Default body `{code: code ?? status, msg: msg ?? <reason phrase>}`; `body` sends that text verbatim instead. */
  | { kind: 'status'; status: number; code?: number; msg?: string; body?: string }
  /** HTTP 429 + x-ogw-ratelimit-limit (`limit`, default 100) + x-ogw-ratelimit-reset + code 99991400. */
  | { kind: 'rateLimit'; resetSeconds: number; limit?: number }
  /** Destroy the socket without answering. */
  | { kind: 'drop' };

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

export interface LarkFake {
  /** 'http://127.0.0.1:PORT', no trailing slash. */
  url: string;
  port: number;
  appId: string;
  appSecret: string;
  botOpenId: string;
  botName: string;
  /** Every request in arrival order, token calls included. Cleared in place by reset(). */
  requests: RecordedRequest[];
  /** Every message created by send or reply, in order. Cleared in place by reset(). */
  messages: FakeMessage[];
  /** Accepted POST interactive/v1/card/update calls, in order. */
  cardUpdates: CardUpdate[];
  /** The next `times` requests whose "METHOD path" matches get the fault instead of the real answer (still recorded). */
  failNext(match: RequestMatch, fault: Fault, times?: number): void;
  /** Delay answers of matching requests (all when match omitted) by ms; setLatency(0) clears all latency. */
  setLatency(ms: number, match?: RequestMatch): void;
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
  /** Make reply/patch/urgent on the message fail with 230011 from now on. */
  recallMessage(messageId: string): boolean;
  /** Map a card callback token ("c-…") to a message so interactive/v1/card/update updates its card. */
  registerCardToken(token: string, messageId: string): void;
  /** Revoke every tenant token (later calls get 99991663); the next token call issues a new one. */
  invalidateTokens(): void;
  /** Recorded requests whose "METHOD path" matches. */
  requestsMatching(match: RequestMatch): RecordedRequest[];
  /** Resolve with check()'s first truthy result, re-checked after every request; reject after timeoutMs (default 5000). */
  waitFor<T>(check: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  /** Resolve with the first recorded request matching (already recorded or arriving later). */
  waitForRequest(match: RequestMatch, timeoutMs?: number): Promise<RecordedRequest>;
  /** Clear requests, messages, card updates, faults, latency and denyContactRead; users and tokens stay valid. */
  reset(): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------

const MAX_BODY_BYTES = 8 * 1024 * 1024;
const NOT_FOUND: ApiReply = { status: 404, body: { code: 404, msg: 'not found' } };

interface RouteContext {
  params: string[];
  query: Record<string, string>;
  body: unknown;
}

interface Route {
  method: string;
  pattern: RegExp;
  /** Needs `Authorization: Bearer <tenant token>`. */
  auth: boolean;
  /** Reads a JSON body (non-JSON → 9499). */
  json: boolean;
  handle(ctx: RouteContext): ApiReply;
}

function buildRoutes(state: LarkState): Route[] {
  const param = (ctx: RouteContext, i: number): string => ctx.params[i] ?? '';
  const urgentKind = (raw: string): UrgentKind => (raw === 'sms' ? 'sms' : raw === 'phone' ? 'phone' : 'app');
  return [
    { method: 'POST', pattern: /^\/open-apis\/auth\/v3\/tenant_access_token\/internal$/, auth: false, json: true,
      handle: (ctx) => state.issueTenantToken(ctx.body) },
    { method: 'GET', pattern: /^\/open-apis\/bot\/v3\/info$/, auth: true, json: false,
      handle: () => state.botInfo() },
    { method: 'POST', pattern: /^\/open-apis\/im\/v1\/messages$/, auth: true, json: true,
      handle: (ctx) => state.sendMessage(ctx.query, ctx.body) },
    { method: 'POST', pattern: /^\/open-apis\/im\/v1\/messages\/([^/]+)\/reply$/, auth: true, json: true,
      handle: (ctx) => state.reply(param(ctx, 0), ctx.body) },
    { method: 'PATCH', pattern: /^\/open-apis\/im\/v1\/messages\/([^/]+)\/urgent_(app|sms|phone)$/, auth: true, json: true,
      handle: (ctx) => state.urgent(urgentKind(param(ctx, 1)), param(ctx, 0), ctx.query, ctx.body) },
    { method: 'PATCH', pattern: /^\/open-apis\/im\/v1\/messages\/([^/]+)$/, auth: true, json: true,
      handle: (ctx) => state.patchCard(param(ctx, 0), ctx.body) },
    { method: 'POST', pattern: /^\/open-apis\/contact\/v3\/users\/batch_get_id$/, auth: true, json: true,
      handle: (ctx) => state.batchGetId(ctx.query, ctx.body) },
    { method: 'GET', pattern: /^\/open-apis\/contact\/v3\/users\/(?!batch_get_id$)([^/]+)$/, auth: true, json: false,
      handle: (ctx) => state.getUser(param(ctx, 0), ctx.query) },
    { method: 'POST', pattern: /^\/open-apis\/interactive\/v1\/card\/update$/, auth: true, json: true,
      handle: (ctx) => state.updateCardByToken(ctx.body) },
  ];
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Split without `new URL`, so that '//open-apis/...' stays a path (and 404s) instead of becoming a host. */
function splitUrl(rawUrl: string): { path: string; query: Record<string, string> } {
  const q = rawUrl.indexOf('?');
  const query: Record<string, string> = {};
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(rawUrl.slice(q + 1))) if (!Object.hasOwn(query, k)) query[k] = v;
  }
  return { path: q >= 0 ? rawUrl.slice(0, q) : rawUrl, query };
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<{ text: string; tooLarge: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    const done = (): void => resolve({ text: Buffer.concat(chunks).toString('utf8'), tooLarge });
    req.on('end', done);
    req.on('error', done);
    req.on('close', done);
  });
}

function parseJson(text: string): { body: unknown; invalid: boolean } {
  if (text.trim() === '') return { body: undefined, invalid: false };
  try {
    return { body: JSON.parse(text) as unknown, invalid: false };
  } catch {
    return { body: text, invalid: true };
  }
}

function matches(match: RequestMatch, key: string): boolean {
  if (typeof match === 'string') return key.includes(match);
  match.lastIndex = 0;
  return match.test(key);
}

function sameMatch(a: RequestMatch, b: RequestMatch): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a.source === b.source && a.flags === b.flags;
}

function faultReply(fault: Fault): ApiReply | 'drop' {
  if (fault.kind === 'drop') return 'drop';
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
  return { status: fault.status, body: { code, msg: fault.msg ?? http.STATUS_CODES[fault.status] ?? 'error' } };
}

function writeReply(res: ServerResponse, reply: ApiReply, rawBody?: string): void {
  const payload = rawBody ?? JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': rawBody !== undefined ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'x-tt-logid': `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}${randomBytes(8).toString('hex').toUpperCase()}`,
    ...reply.headers,
  });
  res.end(payload);
}

// ---------------------------------------------------------------------------------------------

export async function startLarkFake(options: LarkFakeOptions = {}): Promise<LarkFake> {
  const state = new LarkState({
    appId: options.appId ?? DEFAULT_APP_ID,
    appSecret: options.appSecret ?? DEFAULT_APP_SECRET,
    botOpenId: options.botOpenId ?? DEFAULT_BOT_OPEN_ID,
    botName: options.botName ?? 'Guance Issue Bot',
    tenantKey: options.tenantKey ?? DEFAULT_TENANT_KEY,
    chatRatePerSecond: options.chatRatePerSecond ?? 5,
    patchRatePerSecond: options.patchRatePerSecond ?? 5,
    now: options.now ?? (() => Date.now()),
  });
  for (const user of options.users ?? []) state.addUser(user);
  const routes = buildRoutes(state);

  const requests: RecordedRequest[] = [];
  const faults: { match: RequestMatch; fault: Fault; remaining: number }[] = [];
  const latencyRules: { match: RequestMatch; ms: number }[] = [];
  let defaultLatency = 0;
  let nextId = 1;
  let closed = false;
  let closing: Promise<void> | undefined;
  const wakers = new Set<() => void>();
  const waiters = new Set<() => void>();

  const takeFault = (key: string): Fault | undefined => {
    const i = faults.findIndex((f) => matches(f.match, key));
    const entry = faults[i];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) faults.splice(i, 1);
    return entry.fault;
  };

  const latencyFor = (key: string): number => {
    for (let i = latencyRules.length - 1; i >= 0; i -= 1) {
      const rule = latencyRules[i];
      if (rule && matches(rule.match, key)) return rule.ms;
    }
    return defaultLatency;
  };

  /** Sleep that ends early when the fake is closed. */
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakers.add(wake);
    });

  const route = (method: string, path: string, ctx: Omit<RouteContext, 'params'>, auth: string | undefined,
    invalidJson: boolean, tooLarge: boolean): ApiReply => {
    try {
      for (const r of routes) {
        const m = r.method === method ? r.pattern.exec(path) : null;
        if (!m) continue;
        if (tooLarge) return { status: 413, body: { code: 9499, msg: 'Request Entity Too Large' } };
        if (r.auth) state.authorize(auth);
        if (r.json && invalidJson) return { status: 400, body: { code: 9499, msg: 'Bad Request: the body is not valid JSON' } };
        return r.handle({ ...ctx, params: m.slice(1).map((p) => safeDecode(p ?? '')) });
      }
      return NOT_FOUND;
    } catch (err) {
      if (err instanceof LarkApiError) return err.toReply();
      console.error('[lark-fake] handler error', err);
      return { status: 500, body: { code: 500, msg: `lark fake internal error: ${String(err)}` } };
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    res.on('error', () => undefined);
    const raw = await readBody(req);
    const method = (req.method ?? 'GET').toUpperCase();
    const { path, query } = splitUrl(req.url ?? '/');
    const headers = flattenHeaders(req.headers);
    const { body, invalid } = parseJson(raw.text);
    const record: RecordedRequest = { id: nextId++, at: state.now(), method, path, query, headers, body, status: 0 };
    requests.push(record);

    const key = `${method} ${path}`;
    const fault = takeFault(key);
    const delay = latencyFor(key);
    const outcome = fault ? faultReply(fault) : route(method, path, { query, body }, headers.authorization, invalid, raw.tooLarge);
    record.status = outcome === 'drop' ? 0 : outcome.status;
    for (const waiter of [...waiters]) waiter();

    if (delay > 0) await sleep(delay);
    if (outcome === 'drop' || closed || res.destroyed) {
      req.socket.destroy();
      return;
    }
    writeReply(res, outcome, fault?.kind === 'status' ? fault.body : undefined);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error('[lark-fake] request failed', err);
      if (!res.headersSent && !res.destroyed) writeReply(res, { status: 500, body: { code: 500, msg: String(err) } });
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => console.error('[lark-fake] server error', err));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('lark fake: unexpected server address');

  const waitFor = <T>(check: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const attempt = (): boolean => {
        const value = check();
        if (value === undefined || value === null || value === false) return false;
        resolve(value);
        return true;
      };
      try {
        if (attempt()) return;
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      const finish = (): void => {
        clearTimeout(timer);
        waiters.delete(waiter);
      };
      const waiter = (): void => {
        try {
          if (attempt()) finish();
        } catch (err) {
          finish();
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`lark fake: waitFor timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(waiter);
    });

  const requestsMatching = (match: RequestMatch): RecordedRequest[] =>
    requests.filter((r) => matches(match, `${r.method} ${r.path}`));

  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    appId: state.cfg.appId,
    appSecret: state.cfg.appSecret,
    botOpenId: state.cfg.botOpenId,
    botName: state.cfg.botName,
    requests,
    messages: state.messages,
    cardUpdates: state.cardUpdates,
    failNext(match, fault, times = 1) {
      if (!Number.isInteger(times) || times < 1) throw new RangeError('failNext: times must be a positive integer');
      faults.push({ match, fault, remaining: times });
    },
    setLatency(ms, match) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError('setLatency: ms must be a finite number >= 0');
      if (match === undefined) {
        defaultLatency = ms;
        if (ms === 0) latencyRules.length = 0;
        return;
      }
      const i = latencyRules.findIndex((r) => sameMatch(r.match, match));
      if (i >= 0) latencyRules.splice(i, 1);
      if (ms > 0) latencyRules.push({ match, ms });
    },
    addUser: (user) => state.addUser(user),
    denyContactRead(deny) {
      state.denyContactRead = deny;
    },
    cardsIn: (chatId) =>
      state.messages.filter((m) => m.chat_id === chatId && m.msg_type === 'interactive' && m.parent_id === undefined),
    repliesTo: (messageId) =>
      state.messages.filter((m) => m.root_id === messageId || m.parent_id === messageId),
    getMessage: (messageId) => state.getMessage(messageId),
    addIncomingMessage: (input) => state.addIncomingMessage(input),
    recallMessage: (messageId) => state.recallMessage(messageId),
    registerCardToken: (token, messageId) => state.registerCardToken(token, messageId),
    invalidateTokens: () => state.invalidateTokens(),
    requestsMatching,
    waitFor,
    waitForRequest: (match, timeoutMs) => waitFor(() => requestsMatching(match)[0], timeoutMs),
    reset() {
      requests.length = 0;
      faults.length = 0;
      latencyRules.length = 0;
      defaultLatency = 0;
      state.reset();
    },
    close() {
      if (closing) return closing;
      closed = true;
      for (const wake of [...wakers]) wake();
      closing = new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
