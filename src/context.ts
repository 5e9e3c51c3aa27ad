import type { Config } from './config.js';
import type { GuanceClient } from './guance/client.js';
import type { LarkClient } from './lark/client.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Queues } from './queue/producer.js';
import type { JobResults } from './queue/results.js';
import type { GuanceBudget } from './store/guance-budget.js';
import type { RobotClient } from './robots/client.js';
import type { Routing } from './routes-file.js';
import type { Store } from './store/index.js';

/** Everything a handler may touch. Built once in app.ts; no module singletons. Redis only through `store`. */
export interface Ctx {
  config: Config;
  log: Logger;
  metrics: Metrics;
  store: Store;
  queues: Queues;
  /** Bounded waits for the outcome of a queued job (card clicks answer Lark with it). */
  results: JobResults;
  lark: LarkClient;
  guance: GuanceClient;
  budget: GuanceBudget;
  /** DingTalk, WeCom and Lark custom-bot webhooks. */
  robots: RobotClient;
  /** The routes in force; SIGHUP (app.reloadRoutes) swaps them for a valid new file. */
  routing: { current: Routing };
}
