import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import cronParser from 'cron-parser';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import type { RobotKind, RobotLimit, RobotSink } from './robots/types.js';
import { ROBOT_LIMITS, validateSinkUrl } from './robots/urls.js';
import { RedisTargetError, parseRedisTarget, type RedisTarget } from './store/redis-target.js';
import { RoutesFileError, defaultRouting, loadRoutesFile, type Routing } from './routes-file.js';

const LARK_DOMAINS: Record<string, string> = {
  feishu: 'https://open.feishu.cn',
  lark: 'https://open.larksuite.com',
};

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const required = (what: string) =>
  z.preprocess(blankToUndefined, z.string({ error: `required (${what})` }).trim());
const optionalText = z.preprocess(blankToUndefined, z.string().trim().optional()).transform((v) => v ?? '');
const httpUrl = (fallback: string) =>
  z
    .preprocess(blankToUndefined, z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default(fallback))
    .transform((url) => url.replace(/\/+$/, ''));
const int = (fallback: number, min: number, max: number) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a number' })
      .int({ error: 'must be a whole number' })
      .min(min, { error: `must be at least ${min}` })
      .max(max, { error: `must be at most ${max}` })
      .default(fallback),
  );

const schema = z.object({
  PORT: int(3000, 0, 65535),
  REDIS_URL: z.preprocess(blankToUndefined, z.string().trim().default('redis://127.0.0.1:6379')),
  REDIS_MODE: z.preprocess(blankToUndefined, z.enum(['single', 'sentinel', 'cluster'], { error: 'must be single, sentinel or cluster' }).default('single')),
  LARK_EVENT_MODE: z.preprocess(blankToUndefined, z.enum(['http', 'ws'], { error: 'must be http or ws' }).default('http')),
  REDIS_KEY_PREFIX: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, { error: 'letters, digits, "_", "." and "-" only' })
      .default('lgbot'),
  ),
  LARK_APP_ID: required('the Lark app id, cli_…'),
  LARK_APP_SECRET: required('the Lark app secret'),
  LARK_ENCRYPT_KEY: optionalText,
  LARK_VERIFICATION_TOKEN: optionalText,
  LARK_DOMAIN: z
    .preprocess(blankToUndefined, z.string().trim().default('feishu'))
    .transform((value, ctx) => {
      const known = LARK_DOMAINS[value.toLowerCase()];
      if (known) return known;
      if (/^https?:\/\/[^\s/]+(\/\S*)?$/.test(value)) return value.replace(/\/+$/, '');
      ctx.addIssue({ code: 'custom', message: 'must be "feishu", "lark" or an http(s) base URL' });
      return z.NEVER;
    }),
  LARK_CHAT_ID: required('the group chat id, oc_…'),
  GUANCE_API_KEY: required('the Guance API key id'),
  GUANCE_OPENAPI_URL: httpUrl('https://openapi.guance.com'),
  GUANCE_CONSOLE_URL: httpUrl('https://console.guance.com'),
  GUANCE_CHANNELS: z
    .preprocess(blankToUndefined, z.string().default('default'))
    .transform((value) => [...new Set(value.split(',').map((s) => s.trim()).filter(Boolean))])
    .refine((list) => list.length > 0, { error: 'name at least one channel' }),
  GUANCE_REQUESTS_PER_MINUTE: int(20, 4, 10_000),
  POLL_INTERVAL_SECONDS: z.preprocess(
    blankToUndefined,
    z.coerce.number({ error: 'must be a number of seconds' }).positive({ error: 'must be positive' }).optional(),
  ),
  SYNC_STOP_AFTER_HOURS: z.preprocess(
    blankToUndefined,
    z.coerce.number({ error: 'must be a number of hours' }).positive({ error: 'must be positive' }).default(24),
  ),
  LOG_LEVEL: z.preprocess(
    blankToUndefined,
    z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),
  ),
  BOT_LANGUAGE: z.preprocess(blankToUndefined, z.enum(['zh', 'en']).default('zh')),
  GUANCE_ALERT_TOKEN: optionalText,
  SENTRY_CLIENT_SECRET: optionalText,
  ERROR_API_TOKEN: optionalText,
  GUANCE_WEBHOOK_TOKEN: optionalText,
  DEDUP_WINDOW_SECONDS: int(300, 1, 7 * 24 * 3600),
  ROUTES_FILE: optionalText,
  LARK_WEBHOOK_URL: optionalText,
  LARK_WEBHOOK_SECRET: optionalText,
  DINGTALK_WEBHOOK_URL: optionalText,
  DINGTALK_SECRET: optionalText,
  WECOM_WEBHOOK_URL: optionalText,
  STORM_THRESHOLD: int(10, 1, 10_000),
  DIGEST_CRON: optionalText,
  ESCALATION_LEVELS: z.preprocess((v) => (v === undefined ? 'P0' : v), z.string()).transform((value) => [...new Set(value.split(',').map((s) => s.trim()).filter(Boolean))]),
  ESCALATION_MINUTES: z.preprocess(
    blankToUndefined,
    z.coerce.number({ error: 'must be a number of minutes' }).positive({ error: 'must be positive' }).max(7 * 24 * 60, { error: 'must be at most a week' }).default(15),
  ),
  ESCALATION_KIND: z.preprocess(blankToUndefined, z.enum(['app', 'sms', 'phone'], { error: 'must be app, sms or phone' }).default('app')),
  ONCALL: optionalText,
  ESCALATION_STEPS: optionalText,
  SNOOZE_PRESETS_MINUTES: z
    .preprocess(blankToUndefined, z.string().default('60,240,1440'))
    .transform((value, ctx) => {
      const minutes = value.split(',').map((part) => Number(part.trim()));
      if (minutes.some((m) => !Number.isFinite(m) || m <= 0 || m > 30 * 24 * 60)) {
        ctx.addIssue({ code: 'custom', message: 'must be comma-separated minutes, each positive and at most 30 days (e.g. 60,240,1440)' });
        return z.NEVER;
      }
      return [...new Set(minutes)].slice(0, 10);
    }),
  BOT_TIMEZONE: z
    .preprocess(blankToUndefined, z.string().default('Asia/Shanghai'))
    .refine(isTimeZone, { error: 'must be an IANA time zone such as Asia/Shanghai' }),
});

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export interface GuanceBudgetShares {
  perMinute: number;
  /** Kept free for what people ask from the chat; the poller and sync never use it. */
  humanReserve: number;
  /** What the poller may spend per minute (at most half the budget). */
  pollPerMinute: number;
}

export interface Config {
  port: number;
  /** REDIS_URL read by REDIS_MODE (src/store/redis-target.ts). */
  redis: RedisTarget;
  /** REDIS_KEY_PREFIX; in cluster mode wrapped in a hash tag (`{lgbot}`) so every key of a BullMQ script shares a slot. */
  keyPrefix: string;
  /** How Lark's events and card callbacks arrive: POSTed to us (`http`) or over the SDK's long connection (`ws`). */
  larkEventMode: 'http' | 'ws';
  lark: {
    appId: string;
    appSecret: string;
    encryptKey: string;
    verificationToken: string;
    baseUrl: string;
    chatId: string;
  };
  guance: {
    apiKey: string;
    openApiUrl: string;
    consoleUrl: string;
    channels: string[];
    budget: GuanceBudgetShares;
    pollIntervalSeconds: number;
    /** The budget's rolling window, ms: Guance counts 60 s, one more for requests in flight (not a setting; tests shorten it). */
    budgetWindowMs: number;
    /** How often a sync round starts (not a setting: the budget, not this, bounds the requests; tests shorten it). */
    syncIntervalSeconds: number;
    /** Stop following an issue's replies and status this long after it was resolved or closed (SYNC_STOP_AFTER_HOURS). */
    syncStopAfterHours: number;
  };
  /** Webhook sources (issue 12): an empty token or secret turns that check (or, for the error API and push hints, the endpoint) off. */
  sources: {
    guanceAlertToken: string;
    sentryClientSecret: string;
    errorApiToken: string;
    guanceWebhookToken: string;
    dedupWindowSeconds: number;
  };
  /** Where cards go: ROUTES_FILE, or LARK_CHAT_ID and every sink from the environment. SIGHUP reloads the file. */
  routing: Routing;
  /** The robot sinks from the environment (named lark-webhook, dingtalk, wecom), for reloads of the routes file. */
  envSinks: RobotSink[];
  /** More new cards than this per minute for one target become one digest (STORM_THRESHOLD). */
  stormThreshold: number;
  /** How long a storm minute is, ms (not a setting: 60 s; tests shorten it). */
  stormWindowMs: number;
  /** Each robot's documented limits (src/robots/urls.ts); not settings: tests shrink the windows. */
  robotLimits: Record<RobotKind, RobotLimit[]>;
  /** The longest a robot's "wait" answer pauses its sink, ms (WeCom 45009 ≥ 60 s, DingTalk 410100 10 min); tests shorten it. */
  robotMaxWaitMs: number;
  /** The snooze choices on cards, minutes (SNOOZE_PRESETS_MINUTES). */
  snoozePresetsMinutes: number[];
  /** Escalation with Lark urgent: which levels, and the steps (minutes after the card, kind, people). */
  escalation: Escalation;
  /** DIGEST_CRON, in BOT_TIMEZONE; '' = no daily digest. */
  digestCron: string;
  logLevel: string;
  language: 'zh' | 'en';
  timeZone: string;
  /** Non-fatal adjustments made while loading (logged once at start-up). */
  warnings: string[];
}

export function budgetShares(perMinute: number): GuanceBudgetShares {
  const humanReserve = Math.max(2, Math.ceil(perMinute / 4));
  return { perMinute, humanReserve, pollPerMinute: Math.max(1, Math.floor(perMinute / 2)) };
}

/**
 * One poll costs one request per watched channel; polling may use at most its share of the budget, less one
 * request a minute kept for the poller's lookups (channel list, levels) so they never crowd out a poll.
 */
export function lowestSafePollInterval(channelCount: number, budget: GuanceBudgetShares): number {
  return Math.ceil((60 * channelCount) / Math.max(1, budget.pollPerMinute - 1));
}

/** Validates the environment; throws ConfigError naming the first bad setting. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const setting = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(setting, issue?.message ?? 'invalid');
  }
  const s = parsed.data;
  const warnings: string[] = [];
  let redis: RedisTarget;
  try {
    redis = parseRedisTarget(s.REDIS_MODE, s.REDIS_URL);
  } catch (error) {
    if (error instanceof RedisTargetError) throw new ConfigError('REDIS_URL', error.message);
    throw error;
  }
  const budget = budgetShares(s.GUANCE_REQUESTS_PER_MINUTE);
  const safest = lowestSafePollInterval(s.GUANCE_CHANNELS.length, budget);
  let pollIntervalSeconds = s.POLL_INTERVAL_SECONDS ?? safest;
  if (pollIntervalSeconds < safest) {
    warnings.push(
      `POLL_INTERVAL_SECONDS=${pollIntervalSeconds} would spend more than half of GUANCE_REQUESTS_PER_MINUTE=${budget.perMinute}; raised to ${safest}`,
    );
    pollIntervalSeconds = safest;
  }
  const envSinks = sinksFromEnvironment(s);
  let routing: Routing;
  try {
    routing = s.ROUTES_FILE ? loadRoutesFile(s.ROUTES_FILE, envSinks) : defaultRouting(s.LARK_CHAT_ID, envSinks);
  } catch (error) {
    if (error instanceof RoutesFileError) throw new ConfigError('ROUTES_FILE', error.message);
    throw error;
  }
  const cronProblem = s.DIGEST_CRON ? cronPatternProblem(s.DIGEST_CRON, s.BOT_TIMEZONE) : null;
  if (cronProblem) throw new ConfigError('DIGEST_CRON', `${cronProblem} (a cron pattern of 5 or 6 fields, e.g. "30 9 * * 1-5")`);
  return {
    port: s.PORT,
    redis,
    keyPrefix: redis.mode === 'cluster' ? `{${s.REDIS_KEY_PREFIX}}` : s.REDIS_KEY_PREFIX,
    larkEventMode: s.LARK_EVENT_MODE,
    lark: {
      appId: s.LARK_APP_ID,
      appSecret: s.LARK_APP_SECRET,
      encryptKey: s.LARK_ENCRYPT_KEY,
      verificationToken: s.LARK_VERIFICATION_TOKEN,
      baseUrl: s.LARK_DOMAIN,
      chatId: s.LARK_CHAT_ID,
    },
    guance: {
      apiKey: s.GUANCE_API_KEY,
      openApiUrl: s.GUANCE_OPENAPI_URL,
      consoleUrl: s.GUANCE_CONSOLE_URL,
      channels: s.GUANCE_CHANNELS,
      budget,
      pollIntervalSeconds,
      syncIntervalSeconds: 10,
      budgetWindowMs: 61_000,
      syncStopAfterHours: s.SYNC_STOP_AFTER_HOURS,
    },
    sources: {
      guanceAlertToken: s.GUANCE_ALERT_TOKEN,
      sentryClientSecret: s.SENTRY_CLIENT_SECRET,
      errorApiToken: s.ERROR_API_TOKEN,
      guanceWebhookToken: s.GUANCE_WEBHOOK_TOKEN,
      dedupWindowSeconds: s.DEDUP_WINDOW_SECONDS,
    },
    routing,
    envSinks,
    stormThreshold: s.STORM_THRESHOLD,
    stormWindowMs: 60_000,
    robotMaxWaitMs: 15 * 60_000,
    robotLimits: { dingtalk: [...ROBOT_LIMITS.dingtalk], wecom: [...ROBOT_LIMITS.wecom], 'lark-webhook': [...ROBOT_LIMITS['lark-webhook']] },
    digestCron: s.DIGEST_CRON,
    escalation: escalationOf(s, warnings),
    snoozePresetsMinutes: s.SNOOZE_PRESETS_MINUTES,
    logLevel: s.LOG_LEVEL,
    language: s.BOT_LANGUAGE,
    timeZone: s.BOT_TIMEZONE,
    warnings,
  };
}

type Settings = z.infer<typeof schema>;

export type UrgentKind = 'app' | 'sms' | 'phone';
export interface EscalationStep {
  minutes: number;
  kind: UrgentKind;
  /** E-mails and mobile numbers, as written. */
  people: string[];
}
export interface Escalation {
  /** Level names or UUIDs (case-insensitive); empty = off. */
  levels: string[];
  steps: EscalationStep[];
}

const splitPeople = (text: string) => [...new Set(text.split(/[,，\s]+/).map((p) => p.trim()).filter(Boolean))];

/**
 * `ESCALATION_STEPS` ("15 app a@x.com,b@x.com; 30 phone lead@x.com") or the simple settings. A step with nobody
 * to buzz cannot escalate: without people there is no escalation (said once at start).
 */
function escalationOf(s: Settings, warnings: string[]): Escalation {
  let steps: EscalationStep[];
  if (s.ESCALATION_STEPS) {
    steps = s.ESCALATION_STEPS.split(';').map((part) => part.trim()).filter(Boolean).map((part, index) => {
      const match = /^(\d+(?:\.\d+)?)\s+(app|sms|phone)\s+(.+)$/i.exec(part);
      if (!match) throw new ConfigError('ESCALATION_STEPS', `step ${index + 1} ("${part}") must be "<minutes> <app|sms|phone> <people>"`);
      const minutes = Number(match[1]);
      if (!(minutes > 0)) throw new ConfigError('ESCALATION_STEPS', `step ${index + 1}: minutes must be positive`);
      return { minutes, kind: (match[2] ?? 'app').toLowerCase() as UrgentKind, people: splitPeople(match[3] ?? '') };
    });
    steps.sort((a, b) => a.minutes - b.minutes);
  } else {
    steps = [{ minutes: s.ESCALATION_MINUTES, kind: s.ESCALATION_KIND, people: splitPeople(s.ONCALL) }];
  }
  const levels = s.ESCALATION_LEVELS;
  if (levels.length > 0 && steps.every((step) => step.people.length === 0)) {
    if (s.ONCALL || s.ESCALATION_STEPS) warnings.push('escalation has nobody to buzz: ONCALL / ESCALATION_STEPS name no one');
    return { levels: [], steps: [] };
  }
  return { levels, steps };
}

/** The sinks the environment names; a malformed URL stops start-up naming its setting. */
function sinksFromEnvironment(s: Settings): RobotSink[] {
  const sinks: RobotSink[] = [];
  const add = (setting: string, name: string, kind: RobotSink['kind'], url: string, secret: string) => {
    if (!url) return;
    const problem = validateSinkUrl(kind, url);
    if (problem) throw new ConfigError(setting, problem);
    sinks.push({ name, kind, url, ...(secret ? { secret } : {}) });
  };
  add('LARK_WEBHOOK_URL', 'lark-webhook', 'lark-webhook', s.LARK_WEBHOOK_URL, s.LARK_WEBHOOK_SECRET);
  add('DINGTALK_WEBHOOK_URL', 'dingtalk', 'dingtalk', s.DINGTALK_WEBHOOK_URL, s.DINGTALK_SECRET);
  add('WECOM_WEBHOOK_URL', 'wecom', 'wecom', s.WECOM_WEBHOOK_URL, '');
  return sinks;
}

/**
 * Read by the parser BullMQ itself uses for job schedulers (cron-parser, pinned to BullMQ's version), so a pattern
 * accepted here is one BullMQ accepts; five fields, or six with seconds first.
 */
function cronPatternProblem(pattern: string, timeZone: string): string | null {
  const fields = pattern.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) return `has ${fields} fields`;
  try {
    cronParser.parseExpression(pattern, { tz: timeZone });
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The process environment over a `.env` file in the working directory (the environment wins). */
export function readEnvironment(cwd = process.cwd()): Record<string, string | undefined> {
  const file = `${cwd}/.env`;
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
  return { ...fromFile, ...process.env };
}
