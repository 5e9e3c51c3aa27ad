/**
 * Checks for webhook senders that cannot use Lark's scheme: a shared token in the URL or a bearer header, and
 * Sentry's HMAC. Pure, and every comparison is timing-safe.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Equal without leaking where they differ or how long the secret is (both sides are hashed to one length first). */
export function secretEquals(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

/** `Authorization: Bearer <token>` → the token; anything else → undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Sentry's `Sentry-Hook-Signature`: hex HMAC-SHA256 of the request body with the client secret. Over the raw
 * bytes as sent: Sentry serialises with `\uXXXX` escapes, so re-serialising a parsed body would not match
 * (../shared/reference/sources-and-sinks.md §1.3).
 */
export function sentrySignatureValid(secret: string, rawBody: Buffer, signature: string | undefined): boolean {
  if (!signature || !/^[0-9a-f]{64}$/i.test(signature.trim())) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(signature.trim(), 'hex'));
}

export type AuthOutcome = 'ok' | 'missing' | 'wrong';

/** A `?token=` (or bearer) check: missing → 401, wrong → 403, in the caller. */
export function checkToken(expected: string, given: string | undefined): AuthOutcome {
  if (given === undefined || given === '') return 'missing';
  return secretEquals(expected, given) ? 'ok' : 'wrong';
}
