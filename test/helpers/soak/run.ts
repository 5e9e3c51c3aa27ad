import { Queue } from 'bullmq';
import type { BotProcess } from '../bot-process.js';
import { startPrivateRedis, type PrivateRedis } from '../private-redis.js';
import { CHAT, startStack, waitForCard, type Stack } from '../stack.js';
import { sleep, waitFor } from '../wait.js';
import { checkSoak, type OutageWindow, type QueueCounts, type TrafficFigures } from './checks.js';
import { soakEvent, type SoakIdentity } from './events.js';
import { heapUsedMb, maxMb, medianMb, RssSampler, slopeMbPerMinute } from './rss.js';
import { PacedSender } from './sender.js';

export interface SoakOptions {
  events: number;
  ratePerSecond: number;
  /** Share of events that are @bot comments on the carded issue; the rest is chatter the bot ignores. */
  commentShare: number;
  /** Redis stops once this share of the events has been sent. */
  outageAt: number;
  /** How long Redis stays away, ms. */
  outageMs: number;
  /** Pauses before re-sending an event answered 503 (Lark's re-push, compressed). */
  resendDelaysMs: readonly number[];
  /** Before the load: how long the started bot is left idle, ms; idle RSS is read over its last 5 s (0: at once). */
  idleMs: number;
  /** After the load drained: how long RSS is sampled further, ms (0: not at all). */
  settleMs: number;
  /** The whole run is given up after this long, ms. */
  timeoutMs: number;
  /** Progress lines (the bench prints them; the test keeps quiet). */
  log?: (line: string) => void;
}

export interface MemoryFigures {
  /** When the bot was ready and its card posted. */
  readyMb: number;
  /** Median over the end of the idle period (the first full GC of start-up garbage has usually run by then). */
  idleMb: number;
  /** JS heap in use (the bot's /metrics), at the end of the idle period and at the end of sampling. */
  idleHeapMb: number;
  finalHeapMb: number;
  peakMb: number;
  afterDrainMb: number;
  /** Median RSS over the last 5 s of the settle period after the drain (NaN without one). */
  settledMb: number;
  /** Least-squares trend while the load ran, MB/min. */
  loadSlopeMbPerMin: number;
  /** Trend over the whole settle period after the drain, MB/min (NaN without one). */
  settleSlopeMbPerMin: number;
  samples: number;
  /** Median RSS of each tenth of the time from the load's start to the end of sampling. */
  tenths: number[];
}

export interface SoakResult {
  violations: string[];
  traffic: TrafficFigures;
  memory: MemoryFigures;
  outage: { downMs: number; restartToReadyMs: number };
  seconds: { load: number; drain: number; total: number };
  guanceBudget: number;
}

const ENCRYPT_KEY = 'soak-encrypt-key';
const VERIFICATION_TOKEN = 'soak-verification-token';
const SENDER = { open_id: 'ou_soak0000000000000000000000001', name: 'Soak Tester' };
const COMMENT_CHATS = ['oc_soak_a', 'oc_soak_b', 'oc_soak_c', 'oc_soak_d'];
/** Log lines that mean a guarantee broke, whatever the fakes show. */
const FORBIDDEN_LOGS = ['event could not be accepted', 'unhandled rejection'];

/**
 * The Guance budget for the run: twice what the comments spend (one reply/create each) plus room for the poller
 * and sync, so the bot's own budget keeping is exercised without the comments having to wait for it.
 */
export function soakBudget(options: Pick<SoakOptions, 'ratePerSecond' | 'commentShare'>): number {
  return Math.min(10_000, Math.max(200, Math.ceil(options.ratePerSecond * options.commentShare * 60 * 2) + 120));
}

/**
 * One bot process against a private Redis and the fakes; a steady stream of signed message events; Redis
 * stopped and started again in the middle; then every guarantee checked (checks.ts) and RSS reported.
 */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const log = options.log ?? (() => undefined);
  const began = Date.now();
  const deadline = began + options.timeoutMs;
  const budget = soakBudget(options);
  let redis: PrivateRedis | undefined;
  let stack: Stack | undefined;
  let sampler: RssSampler | undefined;
  let queue: Queue | undefined;
  try {
    redis = await startPrivateRedis();
    stack = await startStack('soak', {
      guance: { requestsPerMinute: budget },
      env: {
        REDIS_URL: redis.url,
        LARK_ENCRYPT_KEY: ENCRYPT_KEY,
        LARK_VERIFICATION_TOKEN: VERIFICATION_TOKEN,
        GUANCE_REQUESTS_PER_MINUTE: String(budget),
        POLL_INTERVAL_SECONDS: '2',
        // Per-message debug lines would measure the logger, not the bot.
        LOG_LEVEL: 'info',
      },
    });
    const { lark, guance } = stack;
    lark.addUser(SENDER);
    const bot = await stack.startBot();
    // Created after the start: a new bot cards only issues newer than its first start.
    const issue = guance.createIssue({ name: 'Soak: checkout latency', level: 'P2' });
    const pid = bot.child.pid ?? 0;
    sampler = new RssSampler(pid);
    sampler.start();
    await waitForCard(stack, issue.uuid);
    const messagesBefore = lark.messages.length;
    const readyMb = sampler.sample() ?? Number.NaN;
    log(`bot pid ${pid} ready, card posted; RSS ${readyMb.toFixed(1)} MB; Guance budget ${budget}/min`);
    const idleFrom = Date.now();
    if (options.idleMs > 0) await sleep(options.idleMs);
    const idleTo = Date.now();
    const idleMb = medianMb(sampler.between(Math.max(idleFrom, idleTo - 5_000), idleTo + 1)) || readyMb;
    const idleHeapMb = await heapUsedMb(bot.url);
    if (options.idleMs > 0) log(`idle RSS ${idleMb.toFixed(1)} MB after ${options.idleMs / 1000} s`);

    const identity: SoakIdentity = {
      encryptKey: ENCRYPT_KEY,
      verificationToken: VERIFICATION_TOKEN,
      botOpenId: lark.botOpenId,
      sender: SENDER,
      issueUuid: issue.uuid,
      commentChats: COMMENT_CHATS,
      chatterChat: CHAT,
    };
    const sender = new PacedSender({
      url: `${bot.url}/lark/events`,
      total: options.events,
      ratePerSecond: options.ratePerSecond,
      encryptKey: ENCRYPT_KEY,
      resendDelaysMs: options.resendDelaysMs,
      deadline,
      eventAt(index) {
        const event = soakEvent(index, options.commentShare, identity);
        // The user's message exists in Lark, so the bot can answer in its thread.
        lark.addIncomingMessage({ chat_id: event.chatId, message_id: event.messageId });
        return event;
      },
    });
    const loadStart = Date.now();
    const sending = sender.run();
    const outage = await restartRedisMidway(redis, bot, sender, options, deadline, log);
    await sending;
    const loadEnd = Date.now();
    log(`sent ${sender.sentNew} events in ${((loadEnd - loadStart) / 1000).toFixed(1)} s; draining`);

    queue = new Queue('inbound', { connection: { url: redis.url }, prefix: stack.prefix });
    const inbound = await drained(queue, sender.deliveries.length, deadline);
    const comments = sender.deliveries.filter((d) => d.event.kind === 'comment');
    const everyAnswered = () => comments.every((d) => lark.repliesTo(d.event.messageId).length > 0);
    // A missing answer is reported by the checks, with the others, rather than as a time-out.
    await waitFor(everyAnswered, 'an answer to every comment', Math.max(1, deadline - Date.now()), 100).catch(() => undefined);
    const drainEnd = Date.now();
    const afterDrainMb = sampler.sample() ?? Number.NaN;
    if (options.settleMs > 0) await sleep(options.settleMs);
    sampler.stop();
    const finalHeapMb = await heapUsedMb(bot.url);
    const settled = sampler.between(Math.max(drainEnd + 1, Date.now() - 5_000), Date.now());

    const forbiddenLogs = Object.fromEntries(FORBIDDEN_LOGS.map((m) => [m, bot.logs.filter((l) => l.message === m).length]));
    const { violations, figures } = checkSoak({
      deliveries: sender.deliveries,
      outage,
      lark,
      guance,
      issueUuid: issue.uuid,
      messagesBefore,
      inbound,
      guanceBudget: budget,
      botAlive: bot.child.exitCode === null && bot.child.signalCode === null,
      forbiddenLogs,
    });
    const loadSamples = sampler.between(loadStart, loadEnd);
    return {
      violations,
      traffic: figures,
      memory: {
        readyMb,
        idleMb,
        idleHeapMb,
        finalHeapMb,
        peakMb: maxMb(sampler.samples),
        afterDrainMb,
        settledMb: medianMb(settled),
        loadSlopeMbPerMin: slopeMbPerMinute(loadSamples),
        settleSlopeMbPerMin: slopeMbPerMinute(sampler.between(drainEnd, Date.now())),
        samples: sampler.samples.length,
        tenths: tenths(sampler, loadStart, Date.now()),
      },
      outage: { downMs: outage.restartedAt - outage.stopAt, restartToReadyMs: outage.readyAgainAt - outage.restartedAt },
      seconds: { load: (loadEnd - loadStart) / 1000, drain: (drainEnd - loadEnd) / 1000, total: (Date.now() - began) / 1000 },
      guanceBudget: budget,
    };
  } finally {
    sampler?.stop();
    await queue?.close();
    await stack?.close();
    await redis?.close();
  }
}

/** Stops Redis once the given share of events is out, keeps it away, starts it again, waits for /readyz 200. */
async function restartRedisMidway(
  redis: PrivateRedis,
  bot: BotProcess,
  sender: PacedSender,
  options: SoakOptions,
  deadline: number,
  log: (line: string) => void,
): Promise<OutageWindow> {
  const stopAfter = Math.floor(options.events * options.outageAt);
  await waitFor(() => sender.sentNew >= stopAfter, `${stopAfter} events sent`, Math.max(1, deadline - Date.now()), 5);
  const stopAt = Date.now();
  await redis.stop();
  log(`redis stopped after ${sender.sentNew} events (took ${Date.now() - stopAt} ms)`);
  // The outage itself lasts a set time; what is proven about it is checked on the answers, not by waiting.
  await sleep(Math.max(0, stopAt + options.outageMs - Date.now()));
  await redis.start();
  const restartedAt = Date.now();
  const readyAgainAt = await waitFor(
    async () => ((await fetch(`${bot.url}/readyz`).catch(() => undefined))?.ok ? Date.now() : 0),
    'the bot to be ready again after Redis came back',
    Math.max(1, deadline - Date.now()),
    50,
  );
  log(`redis back after ${restartedAt - stopAt} ms; bot ready ${readyAgainAt - restartedAt} ms later`);
  return { stopAt, restartedAt, readyAgainAt };
}

function tenths(sampler: RssSampler, from: number, to: number): number[] {
  const step = (to - from) / 10;
  return Array.from({ length: 10 }, (_, i) => medianMb(sampler.between(from + i * step, from + (i + 1) * step)));
}

/** Waits until every accepted event's job has run and nothing is waiting, running or delayed. */
async function drained(queue: Queue, events: number, deadline: number): Promise<QueueCounts> {
  const read = async (): Promise<QueueCounts> => {
    const c = await queue.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed', 'prioritized', 'paused');
    const unfinished = (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) + (c.paused ?? 0);
    return { completed: c.completed ?? 0, failed: c.failed ?? 0, unfinished };
  };
  await waitFor(async () => {
    const counts = await read();
    return counts.unfinished === 0 && counts.completed + counts.failed >= events;
  }, `all ${events} inbound jobs to finish`, Math.max(1, deadline - Date.now()), 100).catch(() => undefined);
  // Whatever the wait found, the checks report the counts as they are.
  return read();
}
