import { Writable } from 'node:stream';
import supertest from 'supertest';
import type { TestContext } from 'vitest';
import winston from 'winston';
import { buildApp, secretsOf, type App } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { startGuanceFake, type GuanceFake, type GuanceFakeOptions } from '../fakes/guance-server.js';
import { startLarkFake, type LarkFake, type LarkFakeOptions } from '../fakes/lark-server.js';
import type { LogLine } from './bot-process.js';
import { CHAT } from './cards.js';
import { JobsWatch } from './jobs-watch.js';
import { assertNoSecretsLogged, secretsOfEnv, tenantTokens } from './log-secrets.js';
import { encryptPayload, signEvent } from './lark-signing.js';
import { TEST_REDIS_URL, dropPrefix, testPrefix, type RedisWhere } from './redis.js';
import { waitFor } from './wait.js';

export { CHAT };

/** winston's formatted line (triple-beam's MESSAGE). */
const MESSAGE = Symbol.for('message');

export interface AppStackOptions {
  lark?: LarkFakeOptions;
  guance?: GuanceFakeOptions;
  /** Settings, as the environment would give them (over the defaults below). */
  env?: Record<string, string>;
  /** Config changes after loading. By default polls and sync rounds run every second. */
  config?: (config: Config) => void;
  /**
   * Wait for the first poll before returning (default true): issues created before it may count as history
   * (created before the bot's first start) and get no card.
   */
  firstPoll?: boolean;
  /** Runs with both fakes up, before the bot starts (history, channels, faults). */
  beforeStart?: (fakes: { lark: LarkFake; guance: GuanceFake }) => void | Promise<void>;
}

/** What supertest answers, reduced to what the tests read. */
export interface HttpAnswer {
  status: number;
  json: Record<string, unknown>;
}

/**
 * The bot in this process: `buildApp(config)` against both HTTP fakes and real Redis under a prefix of its own,
 * driven over HTTP with supertest. Only config, app and logger are imported from src/: everything else is seen
 * through HTTP, the fakes' records, the bot's log lines and BullMQ's events on its queues.
 */
export interface AppStack {
  lark: LarkFake;
  guance: GuanceFake;
  prefix: string;
  config: Config;
  app: App;
  request: ReturnType<typeof supertest>;
  /** Every log line of the bot (debug and up), as it would have been printed (secrets redacted). */
  logs: LogLine[];
  jobs: JobsWatch;
  /** POSTs an event to /lark/events the way Lark would: encrypted and signed when the bot has an encrypt key. */
  postEvent(payload: unknown): Promise<HttpAnswer>;
  /** POSTs a raw body with the given headers. */
  post(path: string, body: string, headers: Record<string, string>): Promise<HttpAnswer>;
  waitForLog(predicate: (line: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  /** Reads a counter or gauge from GET /metrics (summed over label sets matching `labels`). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /**
   * Waits until the poller has listed issues `polls + 1` times after `since` (ms), then until every delivery it
   * queued has finished: `polls` complete polls (enqueueing included) happened after `since`. One watched channel.
   */
  pollsAfter(since: number, polls?: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** The settings every in-process bot gets; tests override what they exercise. */
export function appEnv(lark: LarkFake, guance: GuanceFake, prefix: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: '0',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: 'debug',
    LARK_DOMAIN: lark.url,
    LARK_APP_ID: lark.appId,
    LARK_APP_SECRET: lark.appSecret,
    LARK_CHAT_ID: CHAT,
    GUANCE_OPENAPI_URL: guance.url,
    GUANCE_API_KEY: guance.apiKey,
    GUANCE_CONSOLE_URL: 'https://console.example.test',
    BOT_LANGUAGE: 'en',
    // Storm control has its own tests; elsewhere a burst of test issues should stay cards.
    STORM_THRESHOLD: '1000',
    ...overrides,
  };
}

/** A winston logger like the bot's own (same format and redaction) that keeps its lines in memory. */
export function memoryLogger(config: Config): { log: Logger; lines: LogLine[] } {
  const log = createLogger({ level: 'debug', secrets: secretsOf(config) });
  const lines: LogLine[] = [];
  const echo = process.env.TEST_BOT_LOGS === '1';
  const stream = new Writable({
    objectMode: true,
    write(info: Record<string | symbol, unknown>, _encoding, done) {
      const text = String(info[MESSAGE]);
      lines.push(JSON.parse(text) as LogLine);
      if (echo) process.stderr.write(`${text}\n`);
      done();
    },
  });
  log.clear();
  log.add(new winston.transports.Stream({ stream }));
  return { log, lines };
}

const parseJson = (text: string): Record<string, unknown> => {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : { value };
  } catch {
    return { text };
  }
};

export async function startAppStack(label: string, options: AppStackOptions = {}): Promise<AppStack> {
  const lark = await startLarkFake(options.lark);
  const guance = await startGuanceFake(options.guance).catch(async (error: unknown) => {
    await lark.close();
    throw error;
  });
  const prefix = testPrefix(label);
  let app: App | undefined;
  let jobs: JobsWatch | undefined;
  let logLines: LogLine[] = [];
  // The bot's own Redis and key prefix once its config is read (REDIS_MODE=cluster wraps the prefix in a hash tag).
  let redisWhere: RedisWhere = TEST_REDIS_URL;
  let keyPrefix = prefix;
  let closing: Promise<void> | undefined;
  const close = () => {
    // The fakes go first: a job still waiting on one of them fails at once (and is retried later, by nobody)
    // instead of outliving app.stop()'s deadline. A job still running when stop() gives up and closes Redis
    // makes BullMQ retry its "move to failed" without pause, forever: this process would spin.
    closing ??= (async () => {
      await Promise.all([lark.close(), guance.close()]);
      await app?.stop();
      await jobs?.close();
      await dropPrefix(keyPrefix, redisWhere);
      // Checked last, so a leak fails the suite without leaving keys or servers behind.
      const secrets = [...secretsOfEnv(appEnv(lark, guance, prefix, options.env)), ...tenantTokens(lark.issuedTokens())];
      assertNoSecretsLogged(`in-process bot ${prefix}`, logLines.map((line) => JSON.stringify(line)), secrets);
    })();
    return closing;
  };

  try {
    const config = loadConfig(appEnv(lark, guance, prefix, options.env));
    config.guance.pollIntervalSeconds = 1;
    config.guance.syncIntervalSeconds = 1;
    options.config?.(config);
    redisWhere = config.redis;
    keyPrefix = config.keyPrefix;
    await options.beforeStart?.({ lark, guance });
    const { log, lines } = memoryLogger(config);
    logLines = lines;
    // Watching starts before the bot does, and reads the event streams from their start: no job goes unseen.
    const watch = new JobsWatch(keyPrefix, redisWhere);
    jobs = watch;
    await watch.start();
    const bot = buildApp(config, { log });
    app = bot;
    await bot.start();
    const request = supertest(bot.http);
    // Listening comes before Redis is connected; until then events are answered 503.
    await waitFor(async () => (await request.get('/readyz')).status === 200, 'the bot to be ready', 10_000, 25);

    const post = async (path: string, body: string, headers: Record<string, string>): Promise<HttpAnswer> => {
      const response = await request.post(path).set(headers).send(body);
      return { status: response.status, json: parseJson(response.text) };
    };
    // The poller's lists carry a time window; sync's scan and the `list` command ask for open issues instead.
    const listsAfter = (since: number) =>
      guance.requests.filter((r) => r.path === '/api/v1/issue/list' && r.at > since && JSON.stringify(r.body).includes('"startTime"'));

    if (options.firstPoll !== false) await waitFor(() => listsAfter(0).length > 0, 'the first poll', 10_000, 25);

    return {
      lark,
      guance,
      prefix,
      config,
      app: bot,
      request,
      logs: lines,
      jobs: watch,
      post,
      postEvent(payload) {
        const key = config.lark.encryptKey;
        if (!key) return post('/lark/events', JSON.stringify(payload), { 'content-type': 'application/json' });
        const body = encryptPayload(payload, key);
        return post('/lark/events', body, signEvent(body, key));
      },
      waitForLog(predicate, what, timeoutMs = 10_000) {
        return waitFor(() => lines.find(predicate), what, timeoutMs, 25);
      },
      async metric(name, labels = {}) {
        const text = (await request.get('/metrics')).text;
        let sum = 0;
        for (const line of text.split('\n')) {
          const match = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
          if (!match || match[1] !== name) continue;
          const set = match[2] ?? '';
          if (Object.entries(labels).every(([key, value]) => set.includes(`${key}="${value}"`))) sum += Number(match[3]);
        }
        return sum;
      },
      async pollsAfter(since, polls = 1, timeoutMs = 10_000) {
        await waitFor(() => listsAfter(since).length > polls, `${polls + 1} polls after ${since}`, timeoutMs, 25);
        await watch.idle('deliver', timeoutMs);
      },
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/**
 * A stack of the test's own, closed when the test ends, after checking that Guance never saw more than
 * `perMinute` requests in a minute (the budget the bot was given). Use the test's context: tests may run side by side.
 */
export async function appStackForTest(
  context: TestContext,
  label: string,
  options: AppStackOptions = {},
  perMinute = Number(options.env?.GUANCE_REQUESTS_PER_MINUTE ?? 20),
): Promise<AppStack> {
  const stack = await startAppStack(label, options);
  context.onTestFinished(async () => {
    try {
      context.expect(stack.guance.maxRequestsPerMinute()).toBeLessThanOrEqual(perMinute);
    } finally {
      await stack.close();
    }
  });
  return stack;
}
