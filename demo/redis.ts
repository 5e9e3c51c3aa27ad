/**
 * Which Redis the demo uses: the one REDIS_URL names (if it answers), else a private `redis-server` started from
 * PATH on a free port with no persistence. It never touches a Redis it did not start, except the named one, and on
 * that one only keys under its own fresh prefix, which it deletes at exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface DemoRedis {
  url: string;
  /** A key prefix of this run's own. */
  prefix: string;
  /** 'named': REDIS_URL (keys deleted at exit); 'started': our own redis-server (stopped at exit). */
  kind: 'named' | 'started';
  stop(): Promise<void>;
}

export const freshPrefix = (): string => `lgdemo-${randomBytes(4).toString('hex')}`;

/** True when a PING answers within `timeoutMs`; never retries (a wrong URL must fail fast). */
export async function redisAnswers(url: string, timeoutMs = 1_500): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Deletes every key under `prefix:` (SCAN + UNLINK; never FLUSHALL: the named Redis may be shared). */
export async function dropKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts `redis-server` on a free port (temp dir, no RDB, no AOF); undefined when it is not on PATH or does not come up. */
export async function startRedisServer(): Promise<DemoRedis | undefined> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'lgdemo-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  const child: ChildProcess = spawn('redis-server', args, { stdio: 'ignore' });
  const failed = new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(true));
    child.once('exit', () => resolve(true));
  });
  const url = `redis://127.0.0.1:${port}`;
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const gone = await Promise.race([failed, new Promise<false>((resolve) => setTimeout(() => resolve(false), 100))]);
    if (gone) {
      cleanup();
      return undefined;
    }
    if (await redisAnswers(url, 300)) {
      return { url, prefix: freshPrefix(), kind: 'started', stop: () => stopChild(child).finally(cleanup) };
    }
  }
  await stopChild(child);
  cleanup();
  return undefined;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** REDIS_URL if set and answering, else our own redis-server, else undefined (the caller explains and exits). */
export async function chooseRedis(namedUrl: string | undefined): Promise<DemoRedis | undefined> {
  if (namedUrl && (await redisAnswers(namedUrl))) {
    const prefix = freshPrefix();
    return { url: namedUrl, prefix, kind: 'named', stop: () => dropKeys(namedUrl, prefix) };
  }
  return startRedisServer();
}
