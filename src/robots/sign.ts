/**
 * Request signatures of the robots that have one (WeCom has none: its `key` is the only secret).
 * Pure: the caller passes the clock, so a retry naturally re-signs with a fresh timestamp.
 *
 * The two look alike but are not the same HMAC:
 *   - DingTalk: key = secret, message = `timestamp + "\n" + secret`, timestamp in **ms**
 *     (../shared/reference/sources-and-sinks.md §3 "Security settings");
 *   - Lark custom bot: key = `timestamp + "\n" + secret`, message = **empty**, timestamp in **seconds**
 *     (../shared/reference/lark-platform.md §8.1 "Security settings").
 * Both answer a stale timestamp (> 1 h off) with a "re-sign" error (DingTalk 310000 `invalid timestamp`, Lark 19021).
 */
import { createHmac } from 'node:crypto';

/**
 * DingTalk `sign` for `timestampMs`: base64(HMAC-SHA256(key = secret, msg = timestamp + "\n" + secret)).
 * Returned as base64; the caller URL-encodes it (URLSearchParams does), as the `sign` query parameter.
 */
export function dingTalkSign(secret: string, timestampMs: number): string {
  const stringToSign = `${Math.trunc(timestampMs)}\n${secret}`;
  return createHmac('sha256', secret).update(stringToSign, 'utf8').digest('base64');
}

/**
 * Lark custom-bot `sign` for `timestampSeconds`: base64(HMAC-SHA256(key = timestamp + "\n" + secret, msg = "")).
 * Goes into the JSON body next to `"timestamp": "<seconds>"` (a string).
 */
export function larkWebhookSign(secret: string, timestampSeconds: number): string {
  const key = `${Math.trunc(timestampSeconds)}\n${secret}`;
  return createHmac('sha256', key).update('', 'utf8').digest('base64');
}
