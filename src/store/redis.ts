import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';
import { redactUserinfo, type RedisTarget } from './redis-target.js';

export type RedisRole = 'commands' | 'workers';

/**
 * What the bot talks to: one server (alone or the master a Sentinel group names) or a Redis Cluster. Both are
 * ioredis `Commander`s with the same commands, `multi`, `defineCommand`, `status` and events; code that needs one
 * of them only (`duplicate`, `options`) must not exist outside this file.
 */
export type RedisConnection = Redis | Cluster;

/** Reconnect delays, for the one server, the Sentinels, and a Cluster whose every node is gone: never give up. */
const backoff = (attempt: number) => Math.min(250 * attempt, 5_000);

/**
 * Per role:
 * - `commands` fails fast while disconnected (no offline queue, one retry): HTTP answers 503 instead of hanging.
 * - `workers` queues commands and blocks, as BullMQ workers require (`maxRetriesPerRequest: null`,
 *   https://docs.bullmq.io/guide/connections).
 */
function roleOptions(role: RedisRole): Pick<RedisOptions, 'connectionName' | 'maxRetriesPerRequest' | 'connectTimeout' | 'enableOfflineQueue' | 'enableAutoPipelining'> {
  return {
    connectionName: `lark-guance-bot:${role}`,
    ...(role === 'commands'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, enableAutoPipelining: true }
      : { enableOfflineQueue: true, maxRetriesPerRequest: null, connectTimeout: 5_000 }),
  };
}

function credentials(target: RedisTarget): Pick<RedisOptions, 'username' | 'password'> {
  return { ...(target.username ? { username: target.username } : {}), ...(target.password ? { password: target.password } : {}) };
}

/** `rediss://`: TLS with Node's defaults (system CAs, hostname checked). */
const tlsOf = (target: RedisTarget): { tls?: ConnectionOptions } => (target.tls ? { tls: {} } : {});

function createSingle(target: RedisTarget, role: RedisRole): Redis {
  return new Redis(target.url, { ...roleOptions(role), retryStrategy: backoff, reconnectOnError: () => true });
}

/**
 * The master of a Sentinel group (https://github.com/redis/ioredis#sentinel). ioredis asks the Sentinels for the
 * master on every (re)connect and checks the server's role, so after a failover the next reconnect reaches the
 * promoted replica. `failoverDetector` also drops the connection as soon as a Sentinel announces `+switch-master`,
 * for when the old master is not dead but demoted (otherwise its first write would answer READONLY).
 * `sentinelRetryStrategy` keeps asking while every Sentinel is unreachable (null would end the client for good);
 * `sentinelCommandTimeout` moves on to the next Sentinel when one accepts connections but does not answer.
 */
function createSentinel(target: RedisTarget, role: RedisRole): Redis {
  return new Redis({
    ...roleOptions(role),
    ...credentials(target),
    ...tlsOf(target),
    ...(target.tls ? { enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
    sentinels: target.nodes,
    name: target.sentinelName ?? 'mymaster',
    db: target.db,
    retryStrategy: backoff,
    sentinelRetryStrategy: backoff,
    sentinelCommandTimeout: 1_000,
    failoverDetector: true,
    reconnectOnError: () => true,
  });
}

/**
 * A Redis Cluster (https://github.com/redis/ioredis#cluster). Per-node options go in `redisOptions`, where BullMQ
 * also looks for `maxRetriesPerRequest: null` on a Cluster it is given; the offline queue is a Cluster option.
 * Scripts and MULTI stay in one slot because config.keyPrefix is a hash tag in cluster mode, for the store's keys
 * and BullMQ's alike (https://docs.bullmq.io/bull/patterns/redis-cluster).
 * No `reconnectOnError` here: MOVED / ASK / TRYAGAIN / CLUSTERDOWN are reply errors the Cluster handles itself,
 * and a node that reconnected on each of them would drop its in-flight commands. No auto-pipelining either: in a
 * Cluster it batches by node and handles MOVED per batch, which fails commands across a failover
 * (https://github.com/redis/ioredis/issues/2075), and it routes EVAL by its first argument, the script
 * (https://github.com/redis/ioredis/issues/2109).
 */
function createCluster(target: RedisTarget, role: RedisRole): Cluster {
  const { enableOfflineQueue, enableAutoPipelining: _notInACluster, ...perNode } = roleOptions(role);
  const options: ClusterOptions = {
    redisOptions: { ...perNode, ...credentials(target), ...tlsOf(target) },
    clusterRetryStrategy: backoff,
    enableOfflineQueue: enableOfflineQueue ?? true,
    enableAutoPipelining: false,
    // ioredis' default (1 s) is tight on a busy host: a slow CLUSTER SLOTS answer would read as a lost cluster.
    slotsRefreshTimeout: 2_000,
  };
  return new Cluster(target.nodes, options);
}

/**
 * ioredis that retries forever and says so plainly, once per outage rather than once per attempt, for one
 * server, a Sentinel group or a Cluster (REDIS_MODE). The password never reaches a log line.
 */
export function createRedis(target: RedisTarget, role: RedisRole, log: Logger): RedisConnection {
  const redis = target.mode === 'cluster' ? createCluster(target, role) : target.mode === 'sentinel' ? createSentinel(target, role) : createSingle(target, role);
  logOutages(redis, target, role, log);
  return redis;
}

function logOutages(redis: RedisConnection, target: RedisTarget, role: RedisRole, log: Logger): void {
  const where = { role, mode: target.mode, url: redactUserinfo(target.url) };
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    log.error('redis unreachable, retrying', { ...where, error: error.message });
  });
  redis.on('ready', () => {
    if (down) log.info('redis reachable again', { role });
    down = false;
  });
  if (redis instanceof Cluster) logNodeOutages(redis, where, log);
}

/**
 * A Cluster stays usable while one node is away (its slots fail over to a replica): a warning once per node and
 * outage, cleared when that node's own connection is ready again (ioredis' `+node` hands out each node's client).
 */
function logNodeOutages(cluster: Cluster, where: Record<string, string>, log: Logger): void {
  const away = new Set<string>();
  cluster.on('node error', (error: Error, node: string) => {
    if (away.has(node)) return;
    away.add(node);
    log.warn('redis cluster node unreachable', { ...where, node, error: error.message });
  });
  cluster.on('+node', (client: Redis, node: string) => {
    client.on('ready', () => {
      if (away.delete(node)) log.info('redis cluster node reachable again', { role: where.role, node });
    });
  });
}

/**
 * A ping that cannot hang: readiness must answer quickly even when Redis is gone. In a Cluster the connection
 * stays `ready` while one master is away, and a keyless PING goes to any node; with `slotKey` (a key under the
 * bot's hash tag) the probe goes to the master of the bot's own slot instead, so readiness says whether the bot's
 * keys can be reached (a slot being failed over answers CLUSTERDOWN or not at all, and that is a false).
 */
export async function pingRedis(redis: RedisConnection, timeoutMs = 500, slotKey?: string): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const probe = redis instanceof Cluster && slotKey ? redis.exists(slotKey).then(() => true) : redis.ping().then((reply) => reply === 'PONG');
  try {
    return await Promise.race([probe, timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
