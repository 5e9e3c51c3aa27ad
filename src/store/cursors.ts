import type { RedisConnection } from './redis.js';

/** Where background work got to: the first start, each channel's poll cursor, sync's last scan. Kept forever (tiny). */
export class Cursors {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  /** Records the first start (unix seconds) unless already recorded; returns the recorded one. */
  async markFirstRun(nowSeconds: number): Promise<number> {
    const key = `${this.prefix}:first-run-at`;
    await this.redis.set(key, String(nowSeconds), 'NX');
    return Number(await this.redis.get(key));
  }

  /** Unix seconds up to which the channel was fully polled; 0 when never. */
  async pollCursor(channelUuid: string): Promise<number> {
    return Number(await this.redis.get(`${this.prefix}:poll-cursor:${channelUuid}`)) || 0;
  }

  async setPollCursor(channelUuid: string, seconds: number): Promise<void> {
    await this.redis.set(`${this.prefix}:poll-cursor:${channelUuid}`, String(seconds));
  }

  /** ms when the last poll made on a Guance push hint ended; 0 when never. */
  async lastHintPollAt(): Promise<number> {
    return Number(await this.redis.get(`${this.prefix}:poll:last-hint-poll`)) || 0;
  }

  async setLastHintPollAt(ms: number): Promise<void> {
    await this.redis.set(`${this.prefix}:poll:last-hint-poll`, String(ms));
  }

  /** ms of sync's last issue/list scan; 0 when never. */
  async lastScanAt(): Promise<number> {
    return Number(await this.redis.get(`${this.prefix}:sync:last-scan`)) || 0;
  }

  async setLastScanAt(ms: number): Promise<void> {
    await this.redis.set(`${this.prefix}:sync:last-scan`, String(ms));
  }
}
