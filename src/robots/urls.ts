/**
 * Robot webhook URLs: checking one at start-up, hiding its credential in logs, and each robot's pace.
 * The URL's token (DingTalk `access_token`, WeCom `key`, the Lark hook path) is the credential
 * (../shared/reference/sources-and-sinks.md §6 "never log webhook URLs"), so no text here repeats the URL.
 */
import type { RobotKind, RobotLimit } from './types.js';

/**
 * Each robot's documented limit with slack for clock jitter between our window and theirs:
 *   - DingTalk: 20 messages/min per robot, and going over blocks the robot for 10 min (§3 Limits), so 20 per 61 s;
 *   - WeCom: 20 messages/min per robot (§4 Limits), so 20 per 61 s;
 *   - Lark custom bot: 100/min and 5/s per bot (lark-platform.md §7, §8.1). A whole second of slack on the
 *     1 s window would halve the rate, so that window gets 200 ms (5 per 1.2 s); the minute gets its 1 s.
 */
export const ROBOT_LIMITS: Readonly<Record<RobotKind, readonly RobotLimit[]>> = Object.freeze({
  dingtalk: [{ windowMs: 61_000, limit: 20 }],
  wecom: [{ windowMs: 61_000, limit: 20 }],
  'lark-webhook': [
    { windowMs: 1_200, limit: 5 },
    { windowMs: 61_000, limit: 100 },
  ],
});

/** `http:` only towards this machine (the test fakes and a local relay); anything else must be `https:`. */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Lark custom bot: `/open-apis/bot/v2/hook/<token>` (the legacy v1 path takes only `{title,text}`, §8.1). */
const LARK_HOOK_PATH = /^\/open-apis\/bot\/v2\/hook\/[A-Za-z0-9_-]+\/?$/;

const nonEmpty = (value: string | null): boolean => value !== null && value.trim() !== '';

/**
 * `null` when `url` can be a `kind` robot's webhook, else a one-line problem that does not repeat the URL:
 *   - DingTalk needs the `access_token` query parameter (`https://oapi.dingtalk.com/robot/send?access_token=…`);
 *   - WeCom needs `key` (`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`);
 *   - Lark needs the path `/open-apis/bot/v2/hook/<token>` (open.feishu.cn or open.larksuite.com).
 * Hosts are not checked, so a sink can point at a fake or a relay.
 */
export function validateSinkUrl(kind: RobotKind, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return 'is not a valid URL';
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname))) {
    return 'must use https (http only for 127.0.0.1, localhost or [::1])';
  }
  if (parsed.username !== '' || parsed.password !== '') return 'must not contain a user name or password';
  switch (kind) {
    case 'dingtalk':
      return nonEmpty(parsed.searchParams.get('access_token')) ? null : 'must have an access_token query parameter';
    case 'wecom':
      return nonEmpty(parsed.searchParams.get('key')) ? null : 'must have a key query parameter';
    default:
      return LARK_HOOK_PATH.test(parsed.pathname) ? null : 'path must be /open-apis/bot/v2/hook/<token>';
  }
}

/**
 * The URL for logs: scheme, host and path with every query value and a hook token replaced, e.g.
 * `https://oapi.dingtalk.com/robot/send?access_token=[redacted]`. Unparseable input gives `[invalid url]`.
 */
export function redactSinkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return '[invalid url]';
  }
  const path = parsed.pathname.replace(/(\/bot\/(?:v2\/)?hook\/)[^/]+/, '$1[redacted]');
  const names = [...new Set(parsed.searchParams.keys())];
  const query = names.length === 0 ? '' : `?${names.map((name) => `${encodeURIComponent(name)}=[redacted]`).join('&')}`;
  return `${parsed.protocol}//${parsed.host}${path}${query}`;
}
