import type { RedisConnection } from './redis.js';

const KEEP_SECONDS = 8 * 24 * 60 * 60;

/**
 * Seconds from card to acknowledgement, per day (in BOT_TIMEZONE): what the metrics histogram observes, kept in
 * Redis so the daily digest can say yesterday's median and p90 whichever replica observed them.
 */
export class ResponseTimes {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  private key(kind: string, day: string) {
    return `${this.prefix}:response-times:${kind}:${day}`;
  }

  async record(kind: 'ack' | 'resolve', day: string, seconds: number): Promise<void> {
    await this.redis.multi().rpush(this.key(kind, day), String(Math.max(0, seconds))).expire(this.key(kind, day), KEEP_SECONDS).exec();
  }

  async of(kind: 'ack' | 'resolve', day: string): Promise<number[]> {
    return (await this.redis.lrange(this.key(kind, day), 0, -1)).map(Number).filter(Number.isFinite);
  }
}
