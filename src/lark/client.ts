/**
 * Lark (Feishu) Open Platform client of the bot: a thin wrapper over `@larksuiteoapi/node-sdk` that adds
 * per-chat rate limiting shared by replicas (Redis), a request timeout, idempotent sends (uuid), zod-checked
 * answers, one error mapping (`larkErrorFrom`) and metrics. Wire facts: ../shared/reference/lark-platform.md
 * §4.3, §6, §7, §9.
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
import * as lark from '@larksuiteoapi/node-sdk';
import { z } from 'zod';
import { LarkApiError, LarkRateLimited, UnavailableError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Cache, RateWindow, Store } from '../store/index.js';
import { LARK_BOT_ID_SECONDS, LARK_UNKNOWN_USER_SECONDS, LARK_USER_NAME_SECONDS } from '../store/ttl.js';
import { NO_LARK_CODE, TOKEN_INVALID_CODES, larkErrorFrom, larkErrorFromBody } from './errors-map.js';
import { TokenCache, httpInstance, sdkLogger } from './sdk-plumbing.js';

export { larkErrorFrom } from './errors-map.js';

export interface LarkClientOptions {
  appId: string;
  appSecret: string;
  /** Base URL without trailing slash, e.g. https://open.feishu.cn (a trailing slash is stripped). */
  baseUrl: string;
  /** Look-ups kept across replicas (bot open_id, people's names), and Lark's 5/s limits shared by replicas. */
  store: Pick<Store, 'cache' | 'rateWindow'>;
  log: Logger;
  metrics?: Metrics;
  /** Per HTTP request (token fetch and API call each); default 10 000. */
  timeoutMs?: number;
}

export type UrgentKind = 'app' | 'sms' | 'phone';

export interface SentMessage {
  messageId: string;
  chatId: string;
  threadId?: string;
  rootId?: string;
}

/** Lark allows 5 messages/s per chat (shared by all bots) and 5 PATCH/s per message. */
const PER_SECOND_LIMIT = 5;
/**
 * Our window is a little longer than Lark's second: a slot is taken in Redis before the request leaves, and
 * the time until it reaches Lark varies (first call also fetches the token), so an exact 1000 ms window lets
 * a 6th request land within Lark's second and get 230020.
 */
const RATE_WINDOW_MS = 1000 + 200;
/** How long a send/reply/patch waits for a slot before giving up with LarkRateLimited. */
const RATE_MAX_WAIT_MS = 10_000;
const DEFAULT_TIMEOUT_MS = 10_000;
const UUID_MAX_CHARS = 50;
const MAX_URGENT_IDS = 200;
const MAX_BATCH_GET_ID = 50;
/** Message id → chat id learnt from send/reply answers, so later replies to them are limited per chat. */
const CHAT_OF_MESSAGE_MAX = 10_000;
/** Contact read refused: no authority over the user (also "unknown user"), or the app lacks the scope. */
const CONTACT_DENIED_CODES: ReadonlySet<number> = new Set([41050, 99991672, 99991679]);

// --- answers (zod) ----------------------------------------------------------------------------

const okEnvelope = z.looseObject({ code: z.literal(0), msg: z.string().optional() });

const messageAnswer = okEnvelope.extend({
  data: z.looseObject({
    message_id: z.string().min(1),
    chat_id: z.string().min(1),
    thread_id: z.string().optional(),
    root_id: z.string().optional(),
  }),
});

const botInfoAnswer = okEnvelope.extend({ bot: z.looseObject({ open_id: z.string().min(1) }) });

const urgentAnswer = okEnvelope.extend({
  data: z.looseObject({ invalid_user_id_list: z.array(z.string()).optional() }).optional(),
});

const userAnswer = okEnvelope.extend({
  data: z.looseObject({ user: z.looseObject({ name: z.string().optional() }) }),
});

const batchGetIdAnswer = okEnvelope.extend({
  data: z
    .looseObject({
      user_list: z
        .array(z.looseObject({ user_id: z.string().optional(), email: z.string().optional(), mobile: z.string().optional() }))
        .optional(),
    })
    .optional(),
});

const cachedUserName = z.object({ name: z.string().nullable() });

const anyAnswer = okEnvelope;
const codeOnly = z.looseObject({ code: z.number() });

function uuidFor(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey).digest('hex').slice(0, UUID_MAX_CHARS);
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

type Outcome = 'ok' | 'error' | 'retryable' | 'rate_limited';

// --- the client -----------------------------------------------------------------------------

export class LarkClient {
  private readonly sdk: lark.Client;
  private readonly tokenCache = new TokenCache();
  private readonly limiter: RateWindow;
  private readonly cache: Cache;
  private readonly log: Logger;
  private readonly metrics: Metrics | undefined;
  private botId: string | undefined;
  private botIdInFlight: Promise<string> | undefined;
  private contactScopeReported = false;
  private readonly chatOfMessage = new Map<string, string>();

  constructor(options: LarkClientOptions) {
    this.cache = options.store.cache;
    this.log = options.log;
    this.metrics = options.metrics;
    this.limiter = options.store.rateWindow(RATE_WINDOW_MS, PER_SECOND_LIMIT);
    this.sdk = new lark.Client({
      appId: options.appId,
      appSecret: options.appSecret,
      domain: options.baseUrl.replace(/\/+$/, ''),
      cache: this.tokenCache,
      httpInstance: httpInstance(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      logger: sdkLogger(options.log, [options.appSecret]),
    });
  }

  /** The bot's own open_id (to recognise @mentions of the bot); memory, then Redis (1 day), then GET bot/v3/info. */
  async botOpenId(): Promise<string> {
    if (this.botId !== undefined) return this.botId;
    this.botIdInFlight ??= this.loadBotOpenId().finally(() => {
      this.botIdInFlight = undefined;
    });
    return this.botIdInFlight;
  }

  async sendCard(chatId: string, card: object, idempotencyKey: string): Promise<SentMessage> {
    await this.takeSlot(this.chatKey(chatId), 'im.message.create');
    const answer = await this.call('im.message.create', messageAnswer, () =>
      this.sdk.im.v1.message.create({
        params: { receive_id_type: 'chat_id' },
        data: { receive_id: chatId, msg_type: 'interactive', content: JSON.stringify(card), uuid: uuidFor(idempotencyKey) },
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
    await this.takeSlot(`lark:patch-rate:${messageId}`, 'im.message.patch');
    await this.call('im.message.patch', anyAnswer, () =>
      this.sdk.im.v1.message.patch({ path: { message_id: messageId }, data: { content: JSON.stringify(card) } }),
    );
  }

  /** Delayed update with a card callback token (valid 30 min, twice); only after the callback was answered. */
  async updateCardByToken(token: string, card: object): Promise<void> {
    await this.call('interactive.card.update', anyAnswer, () =>
      this.sdk.request({ method: 'POST', url: '/open-apis/interactive/v1/card/update', data: { token, card } }),
    );
  }

  /** Buzz users about one of the bot's own messages; ids not in the chat come back as invalid (all invalid → 230001). */
  async urgent(messageId: string, kind: UrgentKind, openIds: string[]): Promise<{ invalidOpenIds: string[] }> {
    const api = `im.message.urgent_${kind}`;
    const invalidOpenIds: string[] = [];
    for (const batch of chunks([...new Set(openIds)], MAX_URGENT_IDS)) {
      const payload = { path: { message_id: messageId }, params: { user_id_type: 'open_id' as const }, data: { user_id_list: batch } };
      const answer = await this.call(api, urgentAnswer, () =>
        kind === 'sms'
          ? this.sdk.im.v1.message.urgentSms(payload)
          : kind === 'phone'
            ? this.sdk.im.v1.message.urgentPhone(payload)
            : this.sdk.im.v1.message.urgentApp(payload),
      );
      invalidOpenIds.push(...(answer.data?.invalid_user_id_list ?? []));
    }
    return { invalidOpenIds };
  }

  /**
   * Display name of a user, or null when the app may not read them (contact scope / data range missing,
   * or unknown user; Lark answers 41050 for both). Cached in Redis: 1 day, "unknown" 10 min.
   * Other failures (rate limit, 5xx, timeout) throw and are not cached.
   */
  async userName(openId: string): Promise<string | null> {
    const key = `lark:user-name:${openId}`;
    const cached = await this.cacheGet(key, cachedUserName);
    if (cached !== null) return cached.name;
    let name: string | null;
    try {
      const answer = await this.call(
        'contact.user.get',
        userAnswer,
        () => this.sdk.contact.v3.user.get({ path: { user_id: openId }, params: { user_id_type: 'open_id' } }),
        CONTACT_DENIED_CODES,
      );
      name = answer.data.user.name ?? null;
    } catch (error) {
      if (!(error instanceof LarkApiError) || !CONTACT_DENIED_CODES.has(error.larkCode)) throw error;
      if (!this.contactScopeReported) {
        this.contactScopeReported = true;
        this.log.info('lark: cannot read a user from the contact directory; names fall back to ids. Grant the contact scope (contact:user.base:readonly) and widen the data range to show names', {
          larkCode: error.larkCode,
        });
      }
      name = null;
    }
    await this.cacheSet(key, { name }, name === null ? LARK_UNKNOWN_USER_SECONDS : LARK_USER_NAME_SECONDS);
    return name;
  }

  /** batch_get_id: email / mobile (as given) → open_id, for the users Lark found and the app may see. */
  async openIdsFor(input: { emails?: string[]; mobiles?: string[] }): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    const emails = [...new Set(input.emails ?? [])];
    const mobiles = [...new Set(input.mobiles ?? [])];
    const byEmail = new Map(emails.map((e) => [e.toLowerCase(), e]));
    const normMobile = (m: string) => m.replace(/[\s-]/g, '');
    const byMobile = new Map(mobiles.map((m) => [normMobile(m), m]));
    const batches = [
      ...chunks(emails, MAX_BATCH_GET_ID).map((batch) => ({ emails: batch })),
      ...chunks(mobiles, MAX_BATCH_GET_ID).map((batch) => ({ mobiles: batch })),
    ];
    for (const data of batches) {
      const answer = await this.call('contact.user.batch_get_id', batchGetIdAnswer, () =>
        this.sdk.contact.v3.user.batchGetId({ params: { user_id_type: 'open_id' }, data: { ...data, include_resigned: false } }),
      );
      for (const user of answer.data?.user_list ?? []) {
        if (!user.user_id) continue;
        if (user.email !== undefined) result.set(byEmail.get(user.email.toLowerCase()) ?? user.email, user.user_id);
        else if (user.mobile !== undefined) result.set(byMobile.get(normMobile(user.mobile)) ?? user.mobile, user.user_id);
      }
    }
    return result;
  }

  // --- internals ----------------------------------------------------------------------------

  private async reply(
    messageId: string,
    msgType: 'interactive' | 'text',
    content: string,
    idempotencyKey: string,
    inThread: boolean,
    chatId: string | undefined,
  ): Promise<SentMessage> {
    const chat = chatId ?? this.chatOfMessage.get(messageId);
    if (chat !== undefined) await this.takeSlot(this.chatKey(chat), 'im.message.reply');
    const answer = await this.call('im.message.reply', messageAnswer, () =>
      this.sdk.im.v1.message.reply({
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

  private async takeSlot(key: string, api: string): Promise<void> {
    let taken: boolean;
    try {
      taken = await this.limiter.take(key, RATE_MAX_WAIT_MS);
    } catch (error) {
      throw new UnavailableError(`${api}: rate limiter unavailable: ${errorMessage(error)}`, { cause: error });
    }
    if (!taken) {
      this.count(api, 'rate_limited');
      throw new LarkRateLimited(`${api}: no send slot within ${RATE_MAX_WAIT_MS} ms (5/s limit)`, 230020, undefined, 1000);
    }
  }

  /** One SDK call: maps errors, checks `code === 0` and the answer's shape, counts the outcome. */
  /** `expectedCodes`: failures the caller handles itself; they are logged at debug only. */
  private async call<S extends z.ZodType>(
    api: string,
    schema: S,
    run: () => Promise<unknown>,
    expectedCodes?: ReadonlySet<number>,
  ): Promise<z.output<S>> {
    let body: unknown;
    try {
      body = await run();
    } catch (error) {
      throw this.failed(api, larkErrorFrom(error, api), expectedCodes);
    }
    const code = codeOnly.safeParse(body);
    if (code.success && code.data.code !== 0) throw this.failed(api, larkErrorFromBody(body, api), expectedCodes);
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw this.failed(api, new LarkApiError(`${api}: unexpected answer: ${z.prettifyError(parsed.error).slice(0, 300)}`, NO_LARK_CODE, 200, false));
    }
    this.count(api, 'ok');
    return parsed.data;
  }

  private failed(api: string, error: LarkApiError, expectedCodes?: ReadonlySet<number>): LarkApiError {
    if (TOKEN_INVALID_CODES.has(error.larkCode)) this.tokenCache.clear();
    const outcome: Outcome = error instanceof LarkRateLimited ? 'rate_limited' : error.retryable ? 'retryable' : 'error';
    this.count(api, outcome);
    const fields = { api, larkCode: error.larkCode, httpStatus: error.httpStatus, retryable: error.retryable };
    if (expectedCodes?.has(error.larkCode)) this.log.debug(error.message, fields);
    else if (outcome === 'error') this.log.warn(error.message, fields);
    else this.log.info(error.message, fields);
    return error;
  }

  private count(api: string, outcome: Outcome): void {
    this.metrics?.inc('lark_requests_total', { api, outcome });
  }

  private async loadBotOpenId(): Promise<string> {
    const key = 'lark:bot-open-id';
    const cached = await this.cacheGet(key, z.string().min(1));
    if (cached) {
      this.botId = cached;
      return cached;
    }
    const answer = await this.call('bot.info', botInfoAnswer, () => this.sdk.request({ method: 'GET', url: '/open-apis/bot/v3/info' }));
    this.botId = answer.bot.open_id;
    await this.cacheSet(key, this.botId, LARK_BOT_ID_SECONDS);
    return this.botId;
  }

  /** Redis caches are an optimisation: a Redis failure is logged and the value fetched from Lark. */
  private async cacheGet<T>(key: string, schema: z.ZodType<T>): Promise<T | null> {
    try {
      return await this.cache.get(key, schema);
    } catch (error) {
      this.log.warn('lark: cache read failed', { key, error: errorMessage(error) });
      return null;
    }
  }

  private async cacheSet(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    try {
      await this.cache.set(key, value, ttlSeconds);
    } catch (error) {
      this.log.warn('lark: cache write failed', { key, error: errorMessage(error) });
    }
  }
}
