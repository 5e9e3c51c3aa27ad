/**
 * The whole product with no accounts: the Lark, Guance and robot stand-ins (the test suite's HTTP fakes), the real
 * bot against them (real queues, ingress and crypto: it gets an encrypt key and a verification token, and every
 * event the page sends is sealed and signed as Lark does), and the page server. Used by `npm run demo`, the
 * browser test and the screenshot script.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { buildApp, secretsOf, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startGuanceFake, type GuanceFake } from '../test/fakes/guance-server.js';
import { startLarkFake, type LarkFake } from '../test/fakes/lark-server.js';
import { startRobotsFake, type RobotsFake } from '../test/fakes/robots-server.js';
import { createPageServer, type PageServer } from './page-server.js';
import type { SourceSecrets } from './samples.js';
import type { DemoWorld, Person } from './state.js';

export interface DemoOptions {
  redisUrl: string;
  /** Every Redis key of the bot lives under it; the caller deletes them afterwards when the Redis is shared. */
  keyPrefix: string;
  /** Port of the page; 0 (default) = any free one. */
  port?: number;
  /** The bot's log level (default `warn`: the terminal is for the URL, not for the bot's chatter). */
  logLevel?: string;
  /** Minutes before an unacknowledged P0 escalates (default 0.25). */
  escalationMinutes?: number;
}

export interface Demo {
  url: string;
  stop(): Promise<void>;
}

export const DEMO_CHAT = 'oc_demo_group_chat';

/** The demo's cast: known to Lark (so pickers, mentions and urgents resolve) and to Guance (so assign finds them). */
export const DEMO_PEOPLE: Person[] = [
  { openId: 'ou_demo_alice0000000000000000000001', name: 'Alice Chen', email: 'alice@example.com' },
  { openId: 'ou_demo_bob000000000000000000000002', name: 'Bob Li', email: 'bob@example.com' },
  { openId: 'ou_demo_dana00000000000000000000003', name: 'Dana Wu (on call)', email: 'dana@example.com' },
];
const ON_CALL = DEMO_PEOPLE[2]!;

/** The demo Guance has no real budget to protect; a large one lets the bot poll and sync every 2 s. */
const DEMO_REQUESTS_PER_MINUTE = 1_200;
const POLL_SECONDS = 2;
/** Lower than the default 10, so the Guance pane's burst of ten shows storm control (the rest become one digest). */
export const DEMO_STORM_THRESHOLD = 6;

const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;

async function startStandIns() {
  const lark = await startLarkFake({ users: DEMO_PEOPLE.map((p) => ({ open_id: p.openId, name: p.name, email: p.email })) });
  const guance = await startGuanceFake({ requestsPerMinute: DEMO_REQUESTS_PER_MINUTE, personName: 'Guance User' });
  // Robot limits stay the real ones: a demo sends far fewer messages than they allow.
  const robots = await startRobotsFake();
  for (const p of DEMO_PEOPLE) guance.addMember({ email: p.email, name: p.name });
  return { lark, guance, robots };
}

function botEnv(lark: LarkFake, guance: GuanceFake, robots: RobotsFake, options: DemoOptions, keys: Record<string, string>, sources: SourceSecrets) {
  const ding = robots.addDingTalk({ token: secret('ding'), secret: secret('SEC') });
  const wecom = robots.addWeCom({ key: secret('wecom') });
  const larkBot = robots.addLarkBot({ token: secret('hook'), secret: secret('lark-bot') });
  const env: Record<string, string> = {
    PORT: '0',
    REDIS_URL: options.redisUrl,
    REDIS_KEY_PREFIX: options.keyPrefix,
    LOG_LEVEL: options.logLevel ?? 'warn',
    LARK_DOMAIN: lark.url,
    LARK_APP_ID: lark.appId,
    LARK_APP_SECRET: lark.appSecret,
    LARK_ENCRYPT_KEY: keys.encryptKey!,
    LARK_VERIFICATION_TOKEN: keys.verificationToken!,
    LARK_CHAT_ID: DEMO_CHAT,
    GUANCE_OPENAPI_URL: guance.url,
    GUANCE_API_KEY: guance.apiKey,
    GUANCE_CONSOLE_URL: 'https://console.guance.example',
    GUANCE_REQUESTS_PER_MINUTE: String(DEMO_REQUESTS_PER_MINUTE),
    POLL_INTERVAL_SECONDS: String(POLL_SECONDS),
    STORM_THRESHOLD: String(DEMO_STORM_THRESHOLD),
    BOT_LANGUAGE: 'en',
    ESCALATION_LEVELS: 'P0',
    ESCALATION_MINUTES: String(options.escalationMinutes ?? 0.25),
    ESCALATION_KIND: 'app',
    ONCALL: ON_CALL.email,
    SENTRY_CLIENT_SECRET: sources.sentryClientSecret,
    GUANCE_ALERT_TOKEN: sources.alertToken,
    ERROR_API_TOKEN: sources.errorApiToken,
    GUANCE_WEBHOOK_TOKEN: sources.guanceWebhookToken,
    DINGTALK_WEBHOOK_URL: ding.url,
    DINGTALK_SECRET: ding.secret ?? '',
    WECOM_WEBHOOK_URL: wecom.url,
    LARK_WEBHOOK_URL: larkBot.url,
    LARK_WEBHOOK_SECRET: larkBot.secret ?? '',
  };
  const handles = [
    { handle: ding, label: 'DingTalk robot' },
    { handle: wecom, label: 'WeCom robot' },
    { handle: larkBot, label: 'Lark custom bot' },
  ];
  return { env, handles };
}

async function startBot(env: Record<string, string>): Promise<{ app: App; url: string }> {
  const config = loadConfig(env);
  // As the tests do (test/helpers/app-stack.ts): sync rounds as often as polls, so Guance changes come back fast.
  config.guance.pollIntervalSeconds = POLL_SECONDS;
  config.guance.syncIntervalSeconds = POLL_SECONDS;
  const app = buildApp(config, { log: createLogger({ level: config.logLevel, secrets: secretsOf(config) }) });
  const port = await app.start();
  const url = `http://127.0.0.1:${port}`;
  // Until Redis is connected the bot answers events 503; the page should not see that.
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if ((await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200) return { app, url };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await app.stop();
  throw new Error(`the bot did not become ready (is Redis at ${env.REDIS_URL} reachable?)`);
}

function listen(page: PageServer, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(page.app);
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

export async function startDemo(options: DemoOptions): Promise<Demo> {
  const { lark, guance, robots } = await startStandIns();
  const keys = { encryptKey: secret('encrypt'), verificationToken: secret('verify') };
  const sources: SourceSecrets = {
    sentryClientSecret: secret('sentry'),
    alertToken: secret('alert'),
    errorApiToken: secret('errors'),
    guanceWebhookToken: secret('push'),
    alertPeople: [ON_CALL.email],
  };
  const { env, handles } = botEnv(lark, guance, robots, options, keys, sources);
  const closeFakes = () => Promise.all([lark.close(), guance.close(), robots.close()]).then(() => undefined);
  let bot: { app: App; url: string };
  try {
    bot = await startBot(env);
  } catch (error) {
    await closeFakes();
    throw error;
  }
  const world: DemoWorld = {
    lark, guance, robots, robotHandles: handles, chatId: DEMO_CHAT, people: DEMO_PEOPLE, said: [], issues: [], answeredCards: new Map(),
  };
  const page = createPageServer({ world, wire: { botUrl: bot.url, lark, ...keys }, secrets: sources });
  let server: Server;
  try {
    server = await listen(page, options.port ?? 0);
  } catch (error) {
    page.closeStreams();
    await closeFakes();
    await bot.app.stop();
    throw error;
  }
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : options.port}/`;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      page.closeStreams();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // The fakes first (as app-stack does): a job waiting on one fails at once instead of outliving stop()'s deadline.
      await closeFakes();
      await bot.app.stop();
    })();
    return stopping;
  };
  return { url, stop };
}
