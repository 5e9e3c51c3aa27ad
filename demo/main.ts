/**
 * `npm run demo`: Redis (REDIS_URL if it answers, else a private redis-server), the demo, the URL to open, and a
 * clean shutdown on Ctrl-C / SIGTERM (the bot, the stand-ins, then the Redis keys or the redis-server we started),
 * also when it comes during start-up.
 */
import { z } from 'zod';
import { redactUserinfo } from '../src/store/redis-target.js';
import { chooseRedis, type DemoRedis } from './redis.js';
import { startDemo, type Demo } from './start-demo.js';

const DEFAULT_PORT = 8787;
const Port = z.coerce.number().int().min(0).max(65535);

let redis: DemoRedis | undefined;
/** Set while (and after) the demo starts, so a Ctrl-C during start-up waits for it and then stops it. */
let starting: Promise<Demo> | undefined;
let stopping = false;

function shutdown(signal: string): void {
  if (stopping) return;
  stopping = true;
  console.warn(`${signal}: stopping the demo…`);
  // A stuck shutdown must not keep the terminal: leave after 15 s whatever happens.
  setTimeout(() => process.exit(1), 15_000).unref();
  void (async () => {
    const demo = await starting?.catch(() => undefined);
    await demo?.stop();
    await redis?.stop();
  })().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('demo shutdown failed:', error);
      process.exit(1);
    },
  );
}

async function main(): Promise<void> {
  const port = Port.safeParse(process.env.DEMO_PORT ?? DEFAULT_PORT);
  if (!port.success) {
    console.error(`DEMO_PORT must be a port number (0-65535), not "${process.env.DEMO_PORT}"`);
    process.exit(1);
  }
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  const named = process.env.REDIS_URL?.trim() || undefined;
  const shown = named && redactUserinfo(named);
  redis = await chooseRedis(named);
  if (!redis) {
    console.error(
      named
        ? `Redis at ${shown} does not answer and redis-server is not on PATH: start that Redis, or install redis-server (apt-get install redis-server / brew install redis).`
        : 'The demo needs Redis: install redis-server (apt-get install redis-server / brew install redis) or set REDIS_URL to a Redis that answers.',
    );
    process.exit(1);
  }
  if (named && redis.kind === 'started') console.warn(`REDIS_URL=${shown} does not answer; using a private redis-server instead.`);
  if (stopping) return;
  starting = startDemo({ redisUrl: redis.url, keyPrefix: redis.prefix, port: port.data, logLevel: process.env.LOG_LEVEL ?? 'warn' });
  let demo: Demo;
  try {
    demo = await starting;
  } catch (error) {
    await redis.stop();
    throw error;
  }
  if (stopping) return;
  const where = redis.kind === 'started' ? `started at ${redis.url}` : `${redactUserinfo(redis.url)}, keys under ${redis.prefix}:`;
  console.log(`Demo ready: open ${demo.url}  (Redis ${where}; Ctrl-C stops everything)`);
}

main().catch((error: unknown) => {
  console.error('demo failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
