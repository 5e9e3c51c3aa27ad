import { randomBytes } from 'node:crypto';
import type { Result } from 'ioredis';
import type { RedisConnection } from './redis.js';

/**
 * A rolling-window log in Redis: at most `limit` takes in any `windowMs`, shared by every replica.
 * Time comes from Redis (TIME), so replicas with skewed clocks still agree.
 * Returns 0 when the take succeeded, else how many ms until a slot frees up.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window + 1000)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
`;

/** Moves a take to now (Redis TIME), if it is still in the window. */
const RESTAMP = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 1000)
return 0
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slidingWindowTake(key: string, windowMs: number, limit: number, id: string): Result<number, Context>;
    slidingWindowRestamp(key: string, id: string, windowMs: number): Result<number, Context>;
  }
}

/** `name` is namespaced under the bot's prefix: callers say what is limited (`lark:chat-rate:<chat>`), not where it lives. */
export class RateWindow {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
    private readonly windowMs: number,
    private readonly limit: number,
  ) {
    if (typeof (redis as Partial<RedisConnection>).slidingWindowTake !== 'function') {
      redis.defineCommand('slidingWindowTake', { numberOfKeys: 1, lua: TAKE });
      redis.defineCommand('slidingWindowRestamp', { numberOfKeys: 1, lua: RESTAMP });
    }
  }

  /** 0 when taken, else ms to wait. */
  async tryTake(name: string): Promise<number> {
    return (await this.tryTakeEntry(name)).waitMs;
  }

  /** Like tryTake, and names the take, so that `restamp` can move it to when the work it paced had finished. */
  async tryTakeEntry(name: string): Promise<{ waitMs: number; entry: string }> {
    const entry = randomBytes(6).toString('hex');
    const waitMs = Number(await this.redis.slidingWindowTake(`${this.prefix}:${name}`, this.windowMs, this.limit, entry));
    return { waitMs, entry };
  }

  /**
   * Counts a take from now instead of from its start. For sequential sends to a peer that counts arrivals in its own
   * window: the peer saw the request at or before its answer, so a window measured from the answer can never be
   * shorter than the peer's, however late requests arrive (load, network).
   */
  async restamp(name: string, entry: string): Promise<void> {
    await this.redis.slidingWindowRestamp(`${this.prefix}:${name}`, entry, this.windowMs);
  }

  /** Waits for a slot up to `maxWaitMs`; returns false when none came in time. */
  async take(name: string, maxWaitMs: number): Promise<boolean> {
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      const waitMs = await this.tryTake(name);
      if (waitMs === 0) return true;
      if (Date.now() + waitMs > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, waitMs + Math.floor(Math.random() * 20)));
    }
  }
}
