import { createServer, type RequestListener, type Server } from 'node:http';
import { registerHandlers } from '../handlers/index.js';
import type { Config } from './config.js';
import type { Ctx } from './context.js';
import { GuanceClient } from './guance/client.js';
import { createHttpApp } from './http/server.js';
import { WebhookRegistry } from './http/webhook-routes.js';
import { LarkClient } from './lark/client.js';
import { LarkWsIngress } from './lark/ws-ingress.js';
import { withDeadline } from './deadline.js';
import { createLogger, type Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { Queues } from './queue/producer.js';
import { JobResults } from './queue/results.js';
import { ensureSchedules, onRedisReady } from './queue/schedules.js';
import { RobotWorkers } from './queue/robot-workers.js';
import { JobRegistry, QueueWorkers } from './queue/workers.js';
import { RobotClient } from './robots/client.js';
import { loadRoutesFile } from './routes-file.js';
import { errorMessage } from './errors.js';
import { Router } from './router.js';
import { GuanceBudget } from './store/guance-budget.js';
import { createStore } from './store/index.js';
import { createRedis } from './store/redis.js';

export interface App {
  ctx: Ctx;
  http: RequestListener;
  /** Listens and starts the workers; resolves with the bound port. */
  start(): Promise<number>;
  /** Re-reads ROUTES_FILE (SIGHUP): a valid file replaces the routes; an invalid one is refused with one log line. */
  reloadRoutes(): Promise<boolean>;
  /** Stops taking requests, lets running jobs finish (bounded), closes Redis. */
  stop(timeoutMs?: number): Promise<void>;
}

export function secretsOf(config: Config): string[] {
  const { guanceAlertToken, sentryClientSecret, errorApiToken, guanceWebhookToken } = config.sources;
  // Robot webhook URLs are credentials (their token is the only secret WeCom has), and so are their signing secrets.
  const sinks = [...config.routing.sinks.values(), ...config.envSinks].flatMap((sink) => [sink.url, robotToken(sink.url), sink.secret ?? '']);
  return [
    config.redis.password ?? '',
    config.lark.appSecret,
    config.lark.encryptKey,
    config.lark.verificationToken,
    config.guance.apiKey,
    guanceAlertToken,
    sentryClientSecret,
    errorApiToken,
    guanceWebhookToken,
    ...sinks,
  ].filter(Boolean);
}

/** The token part of a robot webhook URL (access_token, key, or the hook path's last segment). */
function robotToken(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.searchParams.get('access_token') ?? parsed.searchParams.get('key') ?? parsed.pathname.split('/').pop() ?? '';
  } catch {
    return '';
  }
}

/** Composition root: the only place that knows every piece. Nothing here talks to the network until start(). */
export function buildApp(config: Config, options: { log?: Logger } = {}): App {
  const secrets = secretsOf(config);
  const log = options.log ?? createLogger({ level: config.logLevel, secrets });
  const redis = createRedis(config.redis, 'commands', log);
  const workerRedis = createRedis(config.redis, 'workers', log);
  const metrics = new Metrics();
  const queues = new Queues(redis, config.keyPrefix, log);
  // Its own blocking connection (BullMQ duplicates the one given): card clicks wait on their jobs.
  const results = new JobResults(queues, workerRedis, ['clicks'], log);
  const budget = new GuanceBudget(redis, `${config.keyPrefix}:guance-budget`, config.guance.budget, { windowMs: config.guance.budgetWindowMs });
  budget.registerMetrics(metrics);
  const store = createStore(redis, config.keyPrefix);
  const ctx: Ctx = {
    config,
    log,
    metrics,
    store,
    queues,
    results,
    budget,
    guance: new GuanceClient({ baseUrl: config.guance.openApiUrl, apiKey: config.guance.apiKey, budget, log, metrics }),
    robots: new RobotClient({ log }),
    routing: { current: config.routing },
    lark: new LarkClient({
      appId: config.lark.appId,
      appSecret: config.lark.appSecret,
      baseUrl: config.lark.baseUrl,
      store,
      log,
      metrics,
    }),
  };
  const router = new Router();
  const jobs = new JobRegistry();
  const webhooks = new WebhookRegistry();
  const registered = registerHandlers(router, webhooks, jobs, config);
  // LARK_EVENT_MODE=ws: events come over the long connection (/lark/* is off); HTTP keeps health, metrics and webhooks.
  const wsIngress = config.larkEventMode === 'ws' ? new LarkWsIngress(ctx, router, { secrets }) : undefined;
  const readiness = wsIngress
    ? [{ name: 'lark-connection', check: async () => wsIngress.isConnected(), state: () => wsIngress.readinessState() }]
    : [];
  const http = createHttpApp(ctx, router, webhooks, readiness);

  let server: Server | undefined;
  const workers = new QueueWorkers(jobs, ctx, workerRedis);
  const robotWorkers = new RobotWorkers(jobs, ctx, workerRedis);
  let stopReadyTasks: (() => void)[] = [];

  return {
    ctx,
    http,
    async start() {
      results.start();
      workers.start();
      await robotWorkers.ensure(ctx.routing.current.sinks.keys());
      stopReadyTasks = [
        onRedisReady(ctx, 'check job schedules', () => ensureSchedules(ctx, registered.schedules)),
        ...registered.onRedisReady.map((task) => onRedisReady(ctx, task.what, () => task.run(ctx))),
      ];
      server = await new Promise<Server>((resolve, reject) => {
        const listening = createServer(http).listen(config.port, () => resolve(listening));
        listening.once('error', reject);
      });
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      wsIngress?.start();
      log.info('bot started', { port, prefix: config.keyPrefix, larkBaseUrl: config.lark.baseUrl });
      return port;
    },
    async reloadRoutes() {
      const file = ctx.routing.current.file ?? config.routing.file;
      if (!file) {
        log.info('SIGHUP: no ROUTES_FILE set; routes unchanged');
        return false;
      }
      try {
        ctx.routing.current = loadRoutesFile(file, config.envSinks);
      } catch (error) {
        log.error(`routes not reloaded, the old ones stay: ${errorMessage(error)}`);
        return false;
      }
      await robotWorkers.ensure(ctx.routing.current.sinks.keys());
      log.info('routes reloaded', { file, routes: ctx.routing.current.routes.length, sinks: [...ctx.routing.current.sinks.keys()] });
      return true;
    },
    async stop(timeoutMs = 10_000) {
      // Every step is bounded: with Redis gone, BullMQ closes and QUIT would wait forever.
      const deadline = Date.now() + timeoutMs;
      stopReadyTasks.forEach((stopTask) => stopTask());
      // First, so no new push arrives while the rest closes; an unacked one is re-pushed to another replica.
      await wsIngress?.close(Math.min(3_000, Math.max(0, deadline - Date.now())));
      if (server) {
        const closing = new Promise<void>((resolve) => server?.close(() => resolve()));
        server.closeIdleConnections();
        await withDeadline(closing, deadline);
      }
      const graceful = Promise.allSettled([workers.close(), robotWorkers.close()]);
      if (!(await withDeadline(graceful, deadline))) {
        log.warn('jobs still running at shutdown deadline; they will be retried');
        void Promise.allSettled([workers.close(true), robotWorkers.close(true)]);
      }
      await withDeadline(Promise.allSettled([results.close(), queues.close()]), Date.now() + 3_000);
      await withDeadline(Promise.allSettled([redis.quit(), workerRedis.quit()]), Date.now() + 1_000);
      redis.disconnect();
      workerRedis.disconnect();
      log.info('bot stopped');
    },
  };
}
