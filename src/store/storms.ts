import type { Redis } from 'ioredis';
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
  decision = 'digest:' .. ARGV[5]
  redis.call('RPUSH', KEYS[3], ARGV[2])
  redis.call('EXPIRE', KEYS[3], ARGV[3])
end
redis.call('SET', KEYS[1], decision, 'EX', ARGV[4])
return decision
`;

export type StormDecision = { kind: 'card' } | { kind: 'digest'; window: number };

/** Storm control state: per target (a chat or a robot sink) and time window. */
export class Storms {
  constructor(
    private readonly redis: Redis,
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
    return answer === 'card' ? { kind: 'card' } : { kind: 'digest', window: Number(answer.slice('digest:'.length)) };
  }

  /** The card items on a window's digest, in arrival order. */
  lines(target: string, window: number): Promise<string[]> {
    return this.redis.lrange(this.key('lines', target, window), 0, -1);
  }

  /** The digest card's message in a chat, once posted. */
  async digestMessage(chatId: string, window: number): Promise<string | null> {
    return this.redis.get(this.key('message', chatId, window));
  }

  async saveDigestMessage(chatId: string, window: number, messageId: string): Promise<void> {
    await this.redis.set(this.key('message', chatId, window), messageId, 'EX', DELIVERY_ID_SECONDS);
  }
}
