/**
 * `npm run demo`: Redis (REDIS_URL if it answers, else a private redis-server), the demo, the URL to open, and a
 * clean shutdown on Ctrl-C / SIGTERM (the bot, the stand-ins, then the Redis keys or the redis-server we started).
 */
import { chooseRedis } from './redis.js';
import { startDemo } from './start-demo.js';

const DEFAULT_PORT = 8787;

async function main(): Promise<void> {
  const named = process.env.REDIS_URL?.trim() || undefined;
  const redis = await chooseRedis(named);
  if (!redis) {
    console.error(
      named
        ? `Redis at ${named} does not answer and redis-server is not on PATH: start that Redis, or install redis-server (apt-get install redis-server / brew install redis).`
        : 'The demo needs Redis: install redis-server (apt-get install redis-server / brew install redis) or set REDIS_URL to a Redis that answers.',
    );
    process.exit(1);
  }
  if (named && redis.kind === 'started') console.warn(`REDIS_URL=${named} does not answer; using a private redis-server instead.`);
  const port = Number(process.env.DEMO_PORT ?? DEFAULT_PORT);
  let demo;
  try {
    demo = await startDemo({ redisUrl: redis.url, keyPrefix: redis.prefix, port, logLevel: process.env.LOG_LEVEL ?? 'warn' });
  } catch (error) {
    await redis.stop();
    throw error;
  }
  console.log(`Demo ready: open ${demo.url}  (Redis ${redis.kind === 'started' ? `started at ${redis.url}` : `${redis.url}, keys under ${redis.prefix}:`}; Ctrl-C stops everything)`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.warn(`${signal}: stopping the demo…`);
    // A stuck shutdown must not keep the terminal: leave after 15 s whatever happens.
    setTimeout(() => process.exit(1), 15_000).unref();
    void demo
      .stop()
      .finally(() => redis.stop())
      .then(() => process.exit(0), (error: unknown) => {
        console.error('demo shutdown failed:', error);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('demo failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
