import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';

export type RedisRole = 'commands' | 'workers';

/**
 * ioredis that retries forever and says so plainly, once per outage rather than once per attempt.
 * `commands` fails fast while disconnected (HTTP answers 503 instead of hanging);
 * `workers` queues commands and blocks, as BullMQ workers require.
 */
export function createRedis(url: string, role: RedisRole, log: Logger): Redis {
  const options: RedisOptions = {
    connectionName: `lark-guance-bot:${role}`,
    retryStrategy: (attempt) => Math.min(250 * attempt, 5_000),
    reconnectOnError: () => true,
    ...(role === 'commands'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, enableAutoPipelining: true }
      : { enableOfflineQueue: true, maxRetriesPerRequest: null, connectTimeout: 5_000 }),
  };
  const redis = new Redis(url, options);
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    log.error('redis unreachable, retrying', { role, url: redactUrl(url), error: error.message });
  });
  redis.on('ready', () => {
    if (down) log.info('redis reachable again', { role });
    down = false;
  });
  return redis;
}

/** A ping that cannot hang: readiness must answer quickly even when Redis is gone. */
export async function pingRedis(redis: Redis, timeoutMs = 500): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([redis.ping().then((reply) => reply === 'PONG'), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//[redacted]@');
}
