/**
 * Who is who in Lark: the bot's own open_id, people's display names, and open_ids for e-mails and mobile
 * numbers (../shared/reference/lark-platform.md §6.5, §6.6). Cached in Redis across replicas; a cache failure
 * only costs a request.
 */
import { z } from 'zod';
import { LarkApiError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Cache } from '../store/index.js';
import { LARK_BOT_ID_SECONDS, LARK_UNKNOWN_USER_SECONDS, LARK_USER_NAME_SECONDS } from '../store/ttl.js';
import { okEnvelope, type LarkHttp } from './http.js';

const MAX_BATCH_GET_ID = 50;
/** Contact read refused: no authority over the user (also "unknown user"), or the app lacks the scope. */
const CONTACT_DENIED_CODES: ReadonlySet<number> = new Set([41050, 99991672, 99991679]);

const botInfoAnswer = okEnvelope.extend({ bot: z.looseObject({ open_id: z.string().min(1) }) });
const userAnswer = okEnvelope.extend({
  data: z.looseObject({ user: z.looseObject({ name: z.string().optional(), email: z.string().optional(), enterprise_email: z.string().optional() }) }),
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
const cachedUserName = z.object({ name: z.string().nullable(), email: z.string().nullable().optional() });
const cachedOpenId = z.object({ openId: z.string().nullable() });
/** e-mail / mobile → open_id answers are kept an hour (issue 14: lookups cached and batched). */
const ID_LOOKUP_SECONDS = 60 * 60;

export interface LarkPerson {
  name: string | null;
  /** Null without the contact:user.email:readonly scope (Lark then leaves the field out), or when the user has none. */
  email: string | null;
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class LarkDirectory {
  private botId: string | undefined;
  private botIdInFlight: Promise<string> | undefined;
  private contactScopeReported = false;
  private emailScopeReported = false;

  constructor(
    private readonly http: LarkHttp,
    private readonly cache: Cache,
    private readonly log: Logger,
  ) {}

  /** The bot's own open_id (to recognise @mentions of the bot); memory, then Redis (1 day), then GET bot/v3/info. */
  async botOpenId(): Promise<string> {
    if (this.botId !== undefined) return this.botId;
    this.botIdInFlight ??= this.loadBotOpenId().finally(() => {
      this.botIdInFlight = undefined;
    });
    return this.botIdInFlight;
  }

  /**
   * Display name of a user, or null when the app may not read them (contact scope / data range missing,
   * or unknown user; Lark answers 41050 for both). Cached in Redis: 1 day, "unknown" 10 min.
   * Other failures (rate limit, 5xx, timeout) throw and are not cached.
   */
  async userName(openId: string): Promise<string | null> {
    return (await this.person(openId)).name;
  }

  /** Name and e-mail of a user (one contact read, cached like the name). */
  async person(openId: string): Promise<LarkPerson> {
    const key = `lark:user:${openId}`;
    const cached = await this.cacheGet(key, cachedUserName);
    if (cached !== null) return { name: cached.name, email: cached.email ?? null };
    let name: string | null;
    let email: string | null = null;
    try {
      const answer = await this.http.call(
        'contact.user.get',
        userAnswer,
        () => this.http.sdk.contact.v3.user.get({ path: { user_id: openId }, params: { user_id_type: 'open_id' } }),
        CONTACT_DENIED_CODES,
      );
      name = answer.data.user.name ?? null;
      email = answer.data.user.email || answer.data.user.enterprise_email || null;
      if (email === null && !this.emailScopeReported) {
        this.emailScopeReported = true;
        this.log.warn('lark: the contact directory gives no e-mail addresses; comments in Guance carry names only. Grant contact:user.email:readonly to attribute them by e-mail');
      }
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
    await this.cacheSet(key, { name, email }, name === null ? LARK_UNKNOWN_USER_SECONDS : LARK_USER_NAME_SECONDS);
    return { name, email };
  }

  /**
   * batch_get_id: email / mobile (as given) → open_id, for the users Lark found and the app may see. Each answer
   * (found or not) is cached an hour, so a card re-rendered or an escalation retried asks Lark only for the rest.
   */
  async openIdsFor(input: { emails?: string[]; mobiles?: string[] }): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    const wanted = [...new Set([...(input.emails ?? []), ...(input.mobiles ?? [])])];
    const missing: string[] = [];
    for (const value of wanted) {
      const cached = await this.cacheGet(`lark:open-id-for:${value.toLowerCase()}`, cachedOpenId);
      if (cached === null) missing.push(value);
      else if (cached.openId) result.set(value, cached.openId);
    }
    if (missing.length === 0) return result;
    const found = await this.lookUpOpenIds({
      emails: (input.emails ?? []).filter((e) => missing.includes(e)),
      mobiles: (input.mobiles ?? []).filter((m) => missing.includes(m)),
    });
    for (const value of missing) {
      const openId = found.get(value) ?? null;
      if (openId) result.set(value, openId);
      await this.cacheSet(`lark:open-id-for:${value.toLowerCase()}`, { openId }, ID_LOOKUP_SECONDS);
    }
    return result;
  }

  private async lookUpOpenIds(input: { emails: string[]; mobiles: string[] }): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    const emails = [...new Set(input.emails)];
    const mobiles = [...new Set(input.mobiles)];
    const byEmail = new Map(emails.map((e) => [e.toLowerCase(), e]));
    const normMobile = (m: string) => m.replace(/[\s-]/g, '');
    const byMobile = new Map(mobiles.map((m) => [normMobile(m), m]));
    const batches = [
      ...chunks(emails, MAX_BATCH_GET_ID).map((batch) => ({ emails: batch })),
      ...chunks(mobiles, MAX_BATCH_GET_ID).map((batch) => ({ mobiles: batch })),
    ];
    for (const data of batches) {
      const answer = await this.http.call('contact.user.batch_get_id', batchGetIdAnswer, () =>
        this.http.sdk.contact.v3.user.batchGetId({ params: { user_id_type: 'open_id' }, data: { ...data, include_resigned: false } }),
      );
      for (const user of answer.data?.user_list ?? []) {
        if (!user.user_id) continue;
        if (user.email !== undefined) result.set(byEmail.get(user.email.toLowerCase()) ?? user.email, user.user_id);
        else if (user.mobile !== undefined) result.set(byMobile.get(normMobile(user.mobile)) ?? user.mobile, user.user_id);
      }
    }
    return result;
  }

  private async loadBotOpenId(): Promise<string> {
    const key = 'lark:bot-open-id';
    const cached = await this.cacheGet(key, z.string().min(1));
    if (cached) {
      this.botId = cached;
      return cached;
    }
    const answer = await this.http.call('bot.info', botInfoAnswer, () => this.http.sdk.request({ method: 'GET', url: '/open-apis/bot/v3/info' }));
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
