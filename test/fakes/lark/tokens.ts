/** Tenant access tokens of the Lark fake (../shared/reference/lark-platform.md §6.1). */
import { z } from 'zod';
import type { Reply } from '../core/http-fake.js';
import { SECOND, fail, ok, randomHex } from './wire.js';

const TOKEN_TTL_S = 7200;
/** Lark hands out a new tenant token once the current one has less than 30 min left. */
const TOKEN_RENEW_BELOW_S = 1800;

const TokenBody = z.object({ app_id: z.string(), app_secret: z.string() });

export class TenantTokens {
  /** token → expiry (ms). */
  private readonly valid = new Map<string, number>();
  /** Every token ever handed out (invalidated ones too): tests check none of them reached a log. */
  readonly issued: string[] = [];
  private current: { token: string; expiresAt: number } | undefined;

  constructor(
    private readonly app: { appId: string; appSecret: string },
    private readonly now: () => number,
  ) {}

  /** POST auth/v3/tenant_access_token/internal; the answer is NOT wrapped in `data`. */
  issue(body: unknown): Reply {
    const parsed = TokenBody.safeParse(body);
    if (!parsed.success) fail(10003, 'invalid param');
    if (parsed.data.app_id !== this.app.appId) fail(10014, 'app not found or not usable');
    if (parsed.data.app_secret !== this.app.appSecret) fail(10015, 'app secret invalid');
    const now = this.now();
    let current = this.current;
    if (!current || !this.valid.has(current.token) || current.expiresAt - now < TOKEN_RENEW_BELOW_S * SECOND) {
      current = { token: `t-${randomHex(20)}`, expiresAt: now + TOKEN_TTL_S * SECOND };
      this.valid.set(current.token, current.expiresAt);
      this.issued.push(current.token);
      this.current = current;
    }
    const expire = Math.floor((current.expiresAt - now) / SECOND);
    return ok({ tenant_access_token: current.token, expire }, 'ok');
  }

  /** Checks `Authorization: Bearer <tenant token>`. */
  authorize(header: string | undefined): void {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
    if (token === undefined) {
      fail(99991661, 'Missing access token for authorization. Please make a request with token attached.');
    }
    const expiresAt = this.valid.get(token);
    if (expiresAt === undefined || expiresAt <= this.now()) {
      fail(99991663, 'Invalid access token for authorization. Please make a request with token attached.');
    }
  }

  /** Revoke every token; the next token call issues a new one. */
  invalidate(): void {
    this.valid.clear();
    this.current = undefined;
  }
}
