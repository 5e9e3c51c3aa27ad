import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { parseRedisTarget, type RedisTarget } from '../../src/store/redis-target.js';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of our own per test run: Redis is shared by everything on the machine. */
export function testPrefix(label: string): string {
  return `lgbt-${label}-${randomBytes(4).toString('hex')}`;
}

/** A URL (one server) or a parsed REDIS_URL (one server, a Sentinel group, a Cluster). */
export type RedisWhere = string | RedisTarget;

const targetOf = (where: RedisWhere): RedisTarget => (typeof where === 'string' ? parseRedisTarget('single', where) : where);

/**
 * A client of the tests' own for `where` (not the bot's: its options are the tests' business). Lazy: call
 * `connect()`. A Sentinel client follows failovers like the bot's; a Cluster client follows slot moves.
 */
export function testClient(where: RedisWhere, options: { maxRetriesPerRequest?: number | null } = {}): Redis | Cluster {
  const target = targetOf(where);
  const auth = { ...(target.username ? { username: target.username } : {}), ...(target.password ? { password: target.password } : {}) };
  const common = { lazyConnect: true, maxRetriesPerRequest: options.maxRetriesPerRequest === undefined ? 1 : options.maxRetriesPerRequest, ...auth };
  if (target.mode === 'cluster') {
    const { lazyConnect, ...redisOptions } = common;
    // Bounded: a test whose cluster is already gone should fail, not wait forever.
    return new Cluster(target.nodes, { lazyConnect, redisOptions, clusterRetryStrategy: (n) => (n > 20 ? null : Math.min(100 * n, 1_000)) });
  }
  if (target.mode === 'sentinel') {
    return new Redis({ ...common, sentinels: target.nodes, name: target.sentinelName ?? 'mymaster', db: target.db, retryStrategy: (n) => Math.min(100 * n, 1_000) });
  }
  return new Redis(target.url, common);
}

/** Every key matching `pattern`, on every master of a Cluster (each node only scans its own slots). */
export async function scanKeys(client: Redis | Cluster, pattern: string): Promise<string[]> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  const keys: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
  }
  return keys;
}

/**
 * Deletes every key under the prefix (never FLUSHALL), on one server, a Sentinel group's master or every Cluster
 * master. Gives up after `timeoutMs` (a Sentinel client would otherwise wait for a master forever).
 */
export async function dropPrefix(prefix: string, where: RedisWhere = TEST_REDIS_URL, timeoutMs = 15_000): Promise<void> {
  const redis = testClient(where);
  redis.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`could not drop ${prefix}:* within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([dropKeys(redis, prefix), expired]);
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}

async function dropKeys(redis: Redis | Cluster, prefix: string): Promise<void> {
  await redis.connect();
  // A second pass catches keys a just-stopped process (or BullMQ's closing connections) wrote during the first.
  for (let pass = 0; pass < 3; pass += 1) {
    const keys = await scanKeys(redis, `${prefix}:*`);
    // One UNLINK per key: in a Cluster, keys without a shared hash tag may live in different slots.
    if (redis instanceof Cluster) await Promise.all(keys.map((key) => redis.unlink(key)));
    else for (let i = 0; i < keys.length; i += 1000) await redis.unlink(...keys.slice(i, i + 1000));
    if (keys.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
