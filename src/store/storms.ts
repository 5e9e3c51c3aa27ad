import type { RedisConnection } from './redis.js';
import { DELIVERY_ID_SECONDS } from './ttl.js';

/**
 * Decides once per target and card item whether it gets a card of its own or a line on that window's digest:
 * the first `threshold` new cards of a target in a window are cards, the rest are lines. The decision is kept,
 * so a retried or re-found delivery (another replica, a restart) gets the same answer.
 * KEYS: decision, window count, window lines.  ARGV: threshold, item id, window ttl s, decision ttl s, window.
 */
const DECIDE = `
local known = redis.call('GET', KEYS[1])
if known then return known end
local n = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[3])
local decision = 'card'
if n > tonumber(ARGV[1]) then
  local line = redis.call('RPUSH', KEYS[3], ARGV[2])
  redis.call('EXPIRE', KEYS[3], ARGV[3])
  decision = 'digest:' .. ARGV[5] .. ':' .. (line - 1)
end
redis.call('SET', KEYS[1], decision, 'EX', ARGV[4])
return decision
`;

/** `line`: the item's place on the window's digest (0, 1, …), which says the digest page it is on. */
export type StormDecision = { kind: 'card' } | { kind: 'digest'; window: number; line: number };

/** Storm control state: per target (a chat or a robot sink) and time window. */
export class Storms {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  private key(what: string, target: string, rest: string | number) {
    return `${this.prefix}:storm:${what}:${target}:${rest}`;
  }

  async decide(target: string, itemId: string, window: number, threshold: number, windowSeconds: number): Promise<StormDecision> {
    const answer = String(
      await this.redis.eval(
        DECIDE,
        3,
        this.key('decision', target, itemId),
        this.key('count', target, window),
        this.key('lines', target, window),
        String(threshold),
        itemId,
        String(Math.max(windowSeconds * 3, 600)),
        String(DELIVERY_ID_SECONDS),
        String(window),
      ),
    );
    if (answer === 'card') return { kind: 'card' };
    const [, decidedWindow, line] = answer.split(':');
    return { kind: 'digest', window: Number(decidedWindow), line: Number(line) };
  }

  /** The card items on a window's digest, in arrival order (lines `from` to `to`, inclusive; -1 = the last). */
  lines(target: string, window: number, from = 0, to = -1): Promise<string[]> {
    return this.redis.lrange(this.key('lines', target, window), from, to);
  }

  /** The message of a digest card (one per chat, window and page), once posted. */
  async digestMessage(chatId: string, window: number, page: number): Promise<string | null> {
    return this.redis.get(this.key('message', chatId, `${window}:${page}`));
  }

  async saveDigestMessage(chatId: string, window: number, page: number, messageId: string): Promise<void> {
    await this.redis.set(this.key('message', chatId, `${window}:${page}`), messageId, 'EX', DELIVERY_ID_SECONDS);
  }
}
