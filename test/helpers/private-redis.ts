import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';

/**
 * A redis-server of our own, for tests that stop and start Redis: the machine's Redis is shared and is never
 * stopped. Nothing is saved on its own (`--save ''`, no AOF); `restart` saves once on purpose (SHUTDOWN SAVE)
 * and the new process loads that file, as a production Redis restart with persistence keeps its data. Without
 * it, whatever was queued when Redis stopped would be gone and "nothing lost" could not be checked.
 */
export interface PrivateRedis {
  port: number;
  url: string;
  /** Stops it (saving its data to its own directory) and waits until the process has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port, with the saved data, and waits until it answers PING. */
  start(): Promise<void>;
  /** Stops it for good and removes its directory. */
  close(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'lgbt-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--dbfilename', 'dump.rdb'];
    const started = spawn('redis-server', args, { stdio: 'ignore' });
    child = started;
    // Should the run itself die, its Redis must not outlive it on the machine.
    const orphanGuard = () => started.kill('SIGKILL');
    process.once('exit', orphanGuard);
    exited = new Promise((resolve) =>
      started.once('exit', () => {
        process.removeListener('exit', orphanGuard);
        resolve();
      }),
    );
    await waitFor(async () => {
      if (gone(started)) throw new Error(`redis-server on port ${port} exited (${started.exitCode ?? started.signalCode})`);
      return (await ping(url)) ? true : undefined;
    }, `redis-server on port ${port}`, 10_000, 50);
  };

  const stop = async () => {
    const running = child;
    if (!running || gone(running)) return;
    const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    admin.on('error', () => undefined);
    // SHUTDOWN closes the connection instead of answering: the rejection is the expected outcome.
    await admin.connect().then(() => admin.call('SHUTDOWN', 'SAVE')).catch(() => undefined);
    admin.disconnect();
    const killer = setTimeout(() => running.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  };

  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  await start();
  return {
    port,
    url,
    stop,
    start,
    async close() {
      await stop();
      process.removeListener('exit', removeDir);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const gone = (process: ChildProcess) => process.exitCode !== null || process.signalCode !== null;

async function ping(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
