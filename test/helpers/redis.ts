import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of our own per test run: Redis is shared by everything on the machine. */
export function testPrefix(label: string): string {
  return `lgbt-${label}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under the prefix (never FLUSHALL). */
export async function dropPrefix(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    // A second pass catches keys a just-stopped process (or BullMQ's closing connections) wrote during the first.
    for (let pass = 0; pass < 3; pass += 1) {
      let cursor = '0';
      let found = 0;
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        found += keys.length;
        if (keys.length) await redis.unlink(...keys);
      } while (cursor !== '0');
      if (found === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    redis.disconnect();
  }
}
