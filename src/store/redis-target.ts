/**
 * REDIS_URL read by REDIS_MODE (pure; the connection is made in redis.ts):
 * - single:   `redis://[:password@]host:port[/db]` (or `rediss://` for TLS), one URL.
 * - sentinel: the Sentinels as comma-separated seeds, the master group name as the first URL's path:
 *             `redis://:password@s1:26379/mymaster,redis://s2:26379,redis://s3:26379` (password = the Redis
 *             servers'; `?db=N` picks a database; default group name `mymaster`).
 * - cluster:  comma-separated seed nodes, `redis://:password@n1:7000,redis://n2:7001`; any node will do,
 *             the rest are discovered (https://github.com/redis/ioredis#cluster).
 * Credentials are percent-encoded like any URL's (`,` `/` `@` `:` `?` `#` in a password must be).
 */
export type RedisMode = 'single' | 'sentinel' | 'cluster';

export interface RedisNode {
  host: string;
  port: number;
}

export interface RedisTarget {
  mode: RedisMode;
  /** single: the URL itself. */
  url: string;
  /** sentinel: the Sentinels; cluster: the seed nodes; single: the one server. */
  nodes: RedisNode[];
  username?: string;
  password?: string;
  db: number;
  tls: boolean;
  /** sentinel: the master group name. */
  sentinelName?: string;
}

export class RedisTargetError extends Error {}

export function parseRedisTarget(mode: RedisMode, value: string): RedisTarget {
  const parts = value.split(',').map((part) => part.trim()).filter(Boolean);
  if (parts.length === 0) throw new RedisTargetError('must name a Redis server');
  if (mode === 'single' && parts.length > 1) {
    throw new RedisTargetError('names several servers; set REDIS_MODE=sentinel or REDIS_MODE=cluster for that, or give one URL');
  }
  const urls = parts.map(parseOne);
  const first = urls[0] as URL;
  const tls = first.protocol === 'rediss:';
  const credentials = {
    ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
    ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
  };
  const nodes = urls.map((url) => ({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || defaultPort(mode)) }));
  const path = first.pathname.replace(/^\/+|\/+$/g, '');
  if (mode === 'sentinel') {
    const db = dbOf(first.searchParams.get('db') ?? '0');
    return { mode, url: value, nodes, ...credentials, db, tls, sentinelName: path ? decodeURIComponent(path) : 'mymaster' };
  }
  if (mode === 'cluster') {
    if (path && path !== '0') throw new RedisTargetError('a Redis Cluster has only database 0; remove the path');
    return { mode, url: value, nodes, ...credentials, db: 0, tls };
  }
  return { mode, url: parts[0] as string, nodes, ...credentials, db: dbOf(path || '0'), tls };
}

function parseOne(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RedisTargetError(`"${redactUserinfo(text)}" is not a redis:// or rediss:// URL`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new RedisTargetError(`"${redactUserinfo(text)}" must be a redis:// or rediss:// URL`);
  }
  if (!url.hostname) throw new RedisTargetError(`"${redactUserinfo(text)}" names no host`);
  return url;
}

function dbOf(text: string): number {
  const db = Number(text);
  if (!Number.isInteger(db) || db < 0) throw new RedisTargetError(`database "${text}" must be a whole number`);
  return db;
}

function defaultPort(mode: RedisMode): number {
  return mode === 'sentinel' ? 26379 : 6379;
}

/**
 * For messages and logs: a URL's password never leaves the process. Up to the last `@` of each comma-separated
 * URL, so a password with an unencoded `/`, `?` or `#` (which makes the URL unparseable) is still hidden.
 */
export function redactUserinfo(text: string): string {
  return text.replace(/\/\/[^,\s]*@/g, '//[redacted]@');
}
