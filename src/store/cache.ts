import type { RedisConnection } from './redis.js';
import type { z } from 'zod';
import { parseJsonAs } from '../json.js';

/** Look-ups worth not repeating (workspace levels and channels, the bot's open_id, people's names). Losing them costs a request. */
export class Cache {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  async get<T>(name: string, schema: z.ZodType<T>): Promise<T | null> {
    return parseJsonAs(schema, await this.redis.get(`${this.prefix}:${name}`));
  }

  async set(name: string, value: unknown, ttlSeconds: number): Promise<void> {
    await this.redis.set(`${this.prefix}:${name}`, JSON.stringify(value), 'EX', ttlSeconds);
  }
}
