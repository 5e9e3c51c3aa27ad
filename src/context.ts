import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import type { GuanceBudget } from './guance/budget.js';
import type { GuanceClient } from './guance/client.js';
import type { LarkClient } from './lark/client.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Queues } from './queue/producer.js';
import type { JobResults } from './queue/results.js';
import type { IssueLinks } from './store/issue-links.js';

/** Everything a handler may touch. Built once in app.ts; no module singletons. */
export interface Ctx {
  config: Config;
  log: Logger;
  metrics: Metrics;
  /** Fail-fast command connection (claims, links, budget). */
  redis: Redis;
  queues: Queues;
  /** Bounded waits for the outcome of a queued job (card clicks answer Lark with it). */
  results: JobResults;
  lark: LarkClient;
  guance: GuanceClient;
  budget: GuanceBudget;
  links: IssueLinks;
  /** Namespaces one of the bot's own Redis keys under the configured prefix. */
  key(...parts: string[]): string;
}
