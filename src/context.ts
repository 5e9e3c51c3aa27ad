import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Queues } from './queue/producer.js';

/** Everything a handler may touch. Built once in app.ts; no module singletons. */
export interface Ctx {
  config: Config;
  log: Logger;
  metrics: Metrics;
  /** Fail-fast command connection (claims, links, budget). */
  redis: Redis;
  queues: Queues;
  /** Namespaces one of the bot's own Redis keys under the configured prefix. */
  key(...parts: string[]): string;
}
