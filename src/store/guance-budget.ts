import { randomBytes } from 'node:crypto';
import type { Result } from 'ioredis';
import type { RedisConnection } from './redis.js';
import type { GuanceBudgetShares } from '../config.js';
import type { Metrics } from '../metrics.js';

/**
 * The Guance API key's request budget, shared by every replica through Redis.
 *
 * Guance (and the test fake) limit a key to N requests in any ROLLING 60 s window, so this is a
 * sliding-window log, not a token bucket: one sorted set per kind of spending, scored by the Redis
 * TIME (ms) at which the slot was taken. The window is a little longer than 60 s (61 s) so that a
 * request taken at t and arriving at Guance a moment later is still counted on our side.
 *
 * One Lua script decides every take atomically:
 *   human (chat commands, card clicks)  total < perMinute
 *   poll  (new-issue poller)            total < perMinute − humanReserve  and  poll < pollPerMinute
 *   sync  (replies / status follow-up)  total < perMinute − humanReserve − max(0, pollPerMinute − poll)
 * so sync never eats the poller's unused share nor the human reserve, and only people may use the reserve.
 * A pause key (set when Guance answers "rate limited") blocks every kind until it expires.
 */

export type SpendKind = 'human' | 'poll' | 'sync';

/** How long each kind waits for a slot by default: people a while, background work not at all. */
export const KIND_WAIT_MS: Readonly<Record<SpendKind, number>> = { human: 20_000, poll: 0, sync: 0 };

const DEFAULT_BUDGET_WINDOW_MS = 61_000;
const DEFAULT_MIN_PAUSE_MS = 5_000;

export interface GuanceBudgetUsage {
  human: number;
  poll: number;
  sync: number;
  total: number;
  /** ms left of a pause; 0 when not paused. */
  pausedMs: number;
}

export interface GuanceBudgetOptions {
  /** Rolling window, ms. Default 61 000 (Guance counts 60 s; one more for requests in flight). Tests shrink it. */
  windowMs?: number;
  /** Shortest default pause, ms. Default 5 000. */
  minPauseMs?: number;
}

// KEYS: human log, poll log, sync log, pause.  ARGV: window, perMinute, humanReserve, pollPerMinute, kind, id.
// Returns 0 when taken, else ms until this kind could take a slot.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local perMinute = tonumber(ARGV[2])
local reserve = tonumber(ARGV[3])
local pollPer = tonumber(ARGV[4])
local kind = ARGV[5]
local paused = redis.call('PTTL', KEYS[4])
if paused > 0 then return paused end
local counts = {}
for i = 1, 3 do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  counts[i] = redis.call('ZCARD', KEYS[i])
end
local function allowed(h, p, s)
  local total = h + p + s
  if kind == 'human' then return total < perMinute end
  if kind == 'poll' then return total < perMinute - reserve and p < pollPer end
  local pollLeft = math.max(0, pollPer - p)
  return total < perMinute - reserve - pollLeft
end
local slot = ({ human = 1, poll = 2, sync = 3 })[kind]
if allowed(counts[1], counts[2], counts[3]) then
  redis.call('ZADD', KEYS[slot], now, now .. '-' .. ARGV[6])
  redis.call('PEXPIRE', KEYS[slot], window + 1000)
  return 0
end
-- Not now: replay the window's entries expiring oldest first until the rule would let this kind in.
local entries = {}
for i = 1, 3 do
  local list = redis.call('ZRANGE', KEYS[i], 0, -1, 'WITHSCORES')
  for j = 2, #list, 2 do entries[#entries + 1] = { tonumber(list[j]), i } end
end
table.sort(entries, function(a, b) return a[1] < b[1] end)
for _, e in ipairs(entries) do
  counts[e[2]] = counts[e[2]] - 1
  if allowed(counts[1], counts[2], counts[3]) then return math.max(1, e[1] + window - now) end
end
return window
`;

// KEYS: human log, poll log, sync log, pause.  ARGV: window, ms (-1 = until the oldest entry leaves the window), minimum.
// Never shortens a longer pause already set. Returns the pause in effect, ms.
const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local ms = tonumber(ARGV[2])
if ms < 0 then
  local oldest = nil
  for i = 1, 3 do
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
    local first = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    if first[2] then
      local score = tonumber(first[2])
      if oldest == nil or score < oldest then oldest = score end
    end
  end
  ms = 0
  if oldest then ms = oldest + window - now end
  ms = math.max(ms, tonumber(ARGV[3]))
end
ms = math.floor(ms)
if ms <= 0 then return 0 end
local current = redis.call('PTTL', KEYS[4])
if current >= ms then return current end
redis.call('SET', KEYS[4], now + ms, 'PX', ms)
return ms
`;

// KEYS: human log, poll log, sync log, pause.  ARGV: window.  Returns {human, poll, sync, pausedMs}.
const USAGE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local out = {}
for i = 1, 3 do
  out[i] = redis.call('ZCOUNT', KEYS[i], now - window + 1, '+inf')
end
out[4] = math.max(0, redis.call('PTTL', KEYS[4]))
return out
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    guanceBudgetTake(
      human: string,
      poll: string,
      sync: string,
      pause: string,
      windowMs: number,
      perMinute: number,
      humanReserve: number,
      pollPerMinute: number,
      kind: SpendKind,
      id: string,
    ): Result<number, Context>;
    guanceBudgetPause(
      human: string,
      poll: string,
      sync: string,
      pause: string,
      windowMs: number,
      ms: number,
      minPauseMs: number,
    ): Result<number, Context>;
    guanceBudgetUsage(human: string, poll: string, sync: string, pause: string, windowMs: number): Result<number[], Context>;
  }
}

export class GuanceBudget {
  readonly windowMs: number;
  private readonly minPauseMs: number;
  private readonly keys: [human: string, poll: string, sync: string, pause: string];

  constructor(
    private readonly redis: RedisConnection,
    keyPrefix: string,
    readonly shares: GuanceBudgetShares,
    options: GuanceBudgetOptions = {},
  ) {
    this.windowMs = options.windowMs ?? DEFAULT_BUDGET_WINDOW_MS;
    this.minPauseMs = options.minPauseMs ?? DEFAULT_MIN_PAUSE_MS;
    this.keys = [`${keyPrefix}:human`, `${keyPrefix}:poll`, `${keyPrefix}:sync`, `${keyPrefix}:pause`];
    const commands = redis as Partial<RedisConnection>;
    if (typeof commands.guanceBudgetTake !== 'function') redis.defineCommand('guanceBudgetTake', { numberOfKeys: 4, lua: TAKE });
    if (typeof commands.guanceBudgetPause !== 'function') redis.defineCommand('guanceBudgetPause', { numberOfKeys: 4, lua: PAUSE });
    if (typeof commands.guanceBudgetUsage !== 'function') redis.defineCommand('guanceBudgetUsage', { numberOfKeys: 4, lua: USAGE });
  }

  /** 0 when a slot was taken, else ms until one might free up for this kind. */
  async tryTake(kind: SpendKind): Promise<number> {
    const { perMinute, humanReserve, pollPerMinute } = this.shares;
    return Number(
      await this.redis.guanceBudgetTake(
        ...this.keys,
        this.windowMs,
        perMinute,
        humanReserve,
        pollPerMinute,
        kind,
        randomBytes(6).toString('hex'),
      ),
    );
  }

  /**
   * Waits for a slot up to `maxWaitMs`. Returns 0 when taken, else how long the caller would still
   * have to wait (the wait that did not fit), for a `retryAfterMs`.
   */
  async acquire(kind: SpendKind, maxWaitMs: number): Promise<number> {
    const deadline = Date.now() + Math.max(0, maxWaitMs);
    for (;;) {
      const waitMs = await this.tryTake(kind);
      if (waitMs === 0) return 0;
      if (Date.now() + waitMs > deadline) return waitMs;
      await new Promise((resolve) => setTimeout(resolve, waitMs + Math.floor(Math.random() * 20)));
    }
  }

  /** Waits for a slot up to `maxWaitMs`; false when none came in time. */
  async take(kind: SpendKind, maxWaitMs: number): Promise<boolean> {
    return (await this.acquire(kind, maxWaitMs)) === 0;
  }

  /**
   * Blocks every kind for `ms`, or by default for the rest of the minute: until the oldest entry
   * leaves the window, at least `minPauseMs`. Never shortens a longer pause. Returns the pause in effect.
   */
  async pause(ms?: number): Promise<number> {
    const asked = ms === undefined ? -1 : Math.max(0, Math.ceil(ms));
    return Number(await this.redis.guanceBudgetPause(...this.keys, this.windowMs, asked, this.minPauseMs));
  }

  async usage(): Promise<GuanceBudgetUsage> {
    const [human = 0, poll = 0, sync = 0, pausedMs = 0] = (await this.redis.guanceBudgetUsage(...this.keys, this.windowMs)).map(Number);
    return { human, poll, sync, total: human + poll + sync, pausedMs };
  }

  /** Gauges read at scrape time: requests spent per kind in the window, and the pause left. */
  registerMetrics(metrics: Metrics): void {
    metrics.gaugeFrom('guance_budget_used', async () => {
      const u = await this.usage();
      return [
        [{ kind: 'human' }, u.human],
        [{ kind: 'poll' }, u.poll],
        [{ kind: 'sync' }, u.sync],
      ];
    });
    metrics.gaugeFrom('guance_budget_limit', async () => [
      [{}, this.shares.perMinute],
    ]);
    metrics.gaugeFrom('guance_budget_paused_ms', async () => [
      [{}, (await this.usage()).pausedMs],
    ]);
  }
}
