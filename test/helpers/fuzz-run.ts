/**
 * The fuzz run against the real app in this process (buildApp via app-stack, both HTTP fakes, real Redis under a
 * prefix of its own): generated bodies (fuzz-bodies.ts) over real HTTP, then what the bot did with them. Shared by
 * `npm run fuzz` (bench/fuzz.ts) and the short run in the suite (test/integration/ingress/fuzz.test.ts).
 *
 * Two phases, so every effect can be attributed without reading the bot's code:
 *   1. quiet: only bodies the bot must refuse or merely acknowledge. Afterwards: no job in any queue and not one
 *      request to the Lark or Guance fake (polls and sync are scheduled hourly, so none runs on its own).
 *   2. mixed: valid pushes (messages, clicks, poison in unused fields) among more refused ones. Afterwards: exactly
 *      one job per valid push, by id where the id is known, and every such job completed.
 * Throughout: every answer checked against what its body expects; no 5xx, no unanswered request, no unhandled
 * rejection or exception, no prototype polluted, and the process still serving.
 */
import { randomBytes } from 'node:crypto';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import { startAppStack } from './app-stack.js';
import { CATEGORIES, acceptedBodies, bodies, rejectedBodies, type FuzzBody, type FuzzCategory, type FuzzSecrets } from './fuzz-bodies.js';
import { TEST_REDIS_URL } from './redis.js';
import { waitFor } from './wait.js';

export interface FuzzOptions {
  /** Bodies in all, both phases. */
  bodies: number;
  /** Share of valid pushes among them (default 0.1). */
  validShare?: number;
  /** Reproduces the shapes of a run (ids and signatures are fresh each time). Default: random, reported. */
  seed?: number;
  /** Requests in flight at once (default 16). */
  concurrency?: number;
  /** No new body is sent after this many ms; a run cut short is a failure (the promised coverage was not reached). */
  timeLimitMs?: number;
  label?: string;
  onProgress?: (sent: number, planned: number) => void;
}

export type StatusKey = `${number}` | 'no answer' | 'aborted';

export interface CategoryFigures {
  count: number;
  statuses: Partial<Record<StatusKey, number>>;
  /** Slowest answer in the category. */
  maxMs: number;
}

export interface FuzzReport {
  seed: number;
  planned: number;
  sent: number;
  ms: number;
  bytes: number;
  categories: Partial<Record<FuzzCategory, CategoryFigures>>;
  statuses: Partial<Record<StatusKey, number>>;
  latencyMs: { p50: number; p99: number; max: number };
  /** Answers later than Lark's 3 s. */
  late: number;
  /** Longest stall of this process's event loop during the run (bot and harness share it). */
  eventLoopMaxMs: number;
  /** Rejected or acknowledged bodies, and how many jobs and fake requests followed them (must be 0). */
  quiet: { bodies: number; jobs: number; larkRequests: number; guanceRequests: number };
  /** Valid pushes and their jobs. */
  accepted: { expectedJobs: number; jobs: number; completed: number; failed: number; larkRequests: number; guanceRequests: number };
  /** Acknowledged with 200 and nothing queued (unknown types, challenges, invalid button values). */
  ignored: number;
  unhandled: number;
  errorLogs: number;
  metricsLines: { before: number; after: number };
  violations: string[];
}

const QUEUES = ['inbound', 'clicks', 'deliver'] as const;
const ALL_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'paused', 'completed', 'failed'] as const;
/** Lark's deadline for an answer (../shared/SPEC.md "Answers to Lark come within its 3-second deadline, always"). */
const LARK_DEADLINE_MS = 3_000;
/** A request that gets no answer in this long is a hang. */
const ANSWER_TIMEOUT_MS = 60_000;
const MAX_VIOLATIONS = 40;
/** New /metrics lines a run may add: the series of every outcome, label and bucket it can reach, with room to spare. */
const METRICS_GROWTH_LIMIT = 200;

interface Answer {
  status: number | null;
  text: string;
  ms: number;
}

/** One request over a real socket: with its length, chunked, or abandoned halfway. */
function send(port: number, agent: Agent, item: FuzzBody): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const done = (status: number | null, text: string) => resolve({ status, text, ms: performance.now() - started });
    const headers = { ...item.headers, ...(item.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(item.body.length) }) };
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: item.path, agent, headers, timeout: ANSWER_TIMEOUT_MS });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(res.statusCode ?? null, Buffer.concat(chunks).toString('utf8')));
      res.on('error', () => done(res.statusCode ?? null, ''));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => done(null, error.message));
    if (item.abortAfter !== undefined) {
      req.write(item.body.subarray(0, item.abortAfter), () => req.destroy());
      return;
    }
    // In 64 KiB pieces: a chunked body then arrives in many chunks, as a slow client's would.
    for (let at = 0; at < item.body.length; at += 65_536) req.write(item.body.subarray(at, at + 65_536));
    req.end();
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0) : 0;
}

function echoed(text: string): unknown {
  try {
    return (JSON.parse(text) as { challenge?: unknown }).challenge;
  } catch {
    return undefined;
  }
}

const preview = (item: FuzzBody) => JSON.stringify(item.body.subarray(0, 120).toString('latin1'));

/** Interleaves `b` into `a` evenly: a mixed phase where valid pushes arrive between refused ones. */
function* interleave<T>(a: Iterator<T>, aCount: number, b: Iterator<T>, bCount: number): Generator<T> {
  const total = aCount + bCount;
  let taken = 0;
  for (let i = 1; i <= total; i += 1) {
    const wantB = Math.floor((i * bCount) / total);
    const next = wantB > taken ? (taken++, b.next()) : a.next();
    if (!next.done) yield next.value;
  }
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const seed = options.seed ?? randomBytes(4).readUInt32BE(0);
  const validShare = options.validShare ?? 0.1;
  const concurrency = options.concurrency ?? 16;
  const timeLimitMs = options.timeLimitMs ?? Number.POSITIVE_INFINITY;
  const violations: string[] = [];
  const violate = (text: string) => {
    if (violations.length < MAX_VIOLATIONS) violations.push(text);
    else if (violations.length === MAX_VIOLATIONS) violations.push('… (more violations not listed)');
  };

  let unhandled = 0;
  const onUnhandled = (error: unknown) => {
    unhandled += 1;
    violate(`unhandled rejection or exception in the bot's process: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  };
  const listen = (on: boolean) => {
    for (const event of ['unhandledRejection', 'uncaughtException'] as const) {
      if (on) process.on(event, onUnhandled);
      else process.off(event, onUnhandled);
    }
  };
  listen(true);
  const prototypeKeys = () => [Object.prototype, Array.prototype, Function.prototype].map((p) => Reflect.ownKeys(p).map(String).sort().join(',')).join('|');
  const prototypesBefore = prototypeKeys();

  const secrets: Omit<FuzzSecrets, 'botOpenId'> = { encryptKey: `fuzz-encrypt-${randomBytes(6).toString('hex')}`, verificationToken: `fuzz-token-${randomBytes(6).toString('hex')}` };
  const stack = await startAppStack(options.label ?? 'fuzz', {
    env: { LARK_ENCRYPT_KEY: secrets.encryptKey, LARK_VERIFICATION_TOKEN: secrets.verificationToken, GUANCE_REQUESTS_PER_MINUTE: '6000' },
    guance: { requestsPerMinute: 6000 },
    // The fuzz is about what gets in, not Lark's per-chat limits (they have their own tests).
    lark: { chatRatePerSecond: 0, patchRatePerSecond: 0 },
    config(config) {
      // One poll and one sync round at start, then none within the run: the quiet phase must see no request at all.
      config.guance.pollIntervalSeconds = 3600;
      config.guance.syncIntervalSeconds = 3600;
    },
  }).catch((error: unknown) => {
    listen(false);
    throw error;
  });
  // The bot's own listener, on a socket of our own: supertest cannot stream chunked bodies or abort halfway.
  const server: Server = createServer(stack.app.http);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const queues = QUEUES.map((name) => new Queue(name, { connection: { url: TEST_REDIS_URL }, prefix: stack.prefix }));
  try {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    // The start-up sync round has finished (the poll had, before startAppStack returned); the next are an hour away.
    await stack.jobs.waitFor('schedule', { name: 'sync-issues' }, 15_000);
    await stack.jobs.idle('deliver', 15_000);
    const fullSecrets: FuzzSecrets = { ...secrets, botOpenId: stack.lark.botOpenId };
    const jobCount = async (name: (typeof QUEUES)[number]) => {
      const counts = await (queues[QUEUES.indexOf(name)] as Queue).getJobCounts(...ALL_STATES);
      return Object.values(counts).reduce((sum, n) => sum + n, 0);
    };
    const metricsLines = async () => (await stack.request.get('/metrics')).text.split('\n').length;
    const metricsBefore = await metricsLines();

    const validCount = Math.round(options.bodies * validShare);
    const quietCount = Math.round((options.bodies - validCount) * 0.75);
    const mixedRejected = options.bodies - validCount - quietCount;
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const started = performance.now();
    const categories: FuzzReport['categories'] = {};
    const statuses: FuzzReport['statuses'] = {};
    const latencies: number[] = [];
    let sent = 0;
    let bytes = 0;
    let ignored = 0;
    let late = 0;
    const expectedIds: Record<'inbound' | 'clicks', Set<string>> = { inbound: new Set(), clicks: new Set() };
    const expectedCounts = { inbound: 0, clicks: 0 };

    const check = (item: FuzzBody, answer: Answer) => {
      const key: StatusKey = item.expect.kind === 'abort' ? 'aborted' : answer.status === null ? 'no answer' : `${answer.status}`;
      const figures = (categories[item.category] ??= { count: 0, statuses: {}, maxMs: 0 });
      figures.count += 1;
      figures.statuses[key] = (figures.statuses[key] ?? 0) + 1;
      statuses[key] = (statuses[key] ?? 0) + 1;
      if (item.expect.kind === 'abort') return;
      latencies.push(answer.ms);
      figures.maxMs = Math.max(figures.maxMs, answer.ms);
      if (answer.ms > LARK_DEADLINE_MS) {
        late += 1;
        violate(`answered after ${answer.ms.toFixed(0)} ms, past Lark's ${LARK_DEADLINE_MS} ms: ${item.category} ${item.path} (${item.note})`);
      }
      const what = `${item.category} ${item.path} (${item.note}; body ${preview(item)})`;
      const status = answer.status;
      if (status === null) return violate(`no answer: ${what}: ${answer.text}`);
      if (status >= 500) return violate(`${status} (only a Redis outage may answer 5xx): ${what}: ${answer.text.slice(0, 200)}`);
      if (item.expect.kind === 'reject') {
        if (status !== item.expect.status) violate(`expected ${item.expect.status}, got ${status}: ${what}: ${answer.text.slice(0, 200)}`);
        return;
      }
      if (status !== 200) return violate(`expected 200, got ${status}: ${what}: ${answer.text.slice(0, 200)}`);
      if (item.expect.kind === 'ignore') {
        ignored += 1;
        if (item.challenge !== undefined && echoed(answer.text) !== item.challenge) violate(`challenge not echoed: ${what}: ${answer.text.slice(0, 200)}`);
        return;
      }
      expectedCounts[item.expect.queue] += 1;
      if (item.expect.jobId) expectedIds[item.expect.queue].add(item.expect.jobId);
    };

    const pump = async (items: Iterator<FuzzBody>, quietPhase: boolean) => {
      const worker = async () => {
        for (;;) {
          if (performance.now() - started > timeLimitMs) return;
          const next = items.next();
          if (next.done) return;
          const item = next.value;
          if (quietPhase && item.expect.kind === 'accept') throw new Error(`fuzz generator bug: a valid push in the quiet phase (${item.category}, ${item.note})`);
          if (item.incoming) stack.lark.addIncomingMessage({ chat_id: item.incoming.chatId, message_id: item.incoming.messageId });
          bytes += item.body.length;
          check(item, await send(port, agent, item));
          sent += 1;
          if (sent % 500 === 0) options.onProgress?.(sent, options.bodies);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    };

    // Phase 1: nothing the bot is sent may lead anywhere.
    const larkBefore = stack.lark.requests.length;
    const guanceBefore = stack.guance.requests.length;
    const deliverBefore = await jobCount('deliver');
    await pump(bodies(rejectedBodies(fullSecrets), quietCount, seed), true);
    const quietSent = sent;
    // Every answer is in, and a job is queued before its push is answered: any job would exist by now.
    const quietJobs =
      (await jobCount('inbound')) + (await jobCount('clicks')) + stack.jobs.list('inbound').length + stack.jobs.list('clicks').length + (await jobCount('deliver')) - deliverBefore;
    const quiet = {
      bodies: quietSent,
      jobs: quietJobs,
      larkRequests: stack.lark.requests.length - larkBefore,
      guanceRequests: stack.guance.requests.length - guanceBefore,
    };
    if (quiet.jobs) {
      const queued = (await Promise.all(queues.slice(0, 2).map((queue) => queue.getJobs([...ALL_STATES])))).flat();
      const described = queued.slice(0, 3).map((job) => `${job.queueName}/${job.id} ${JSON.stringify(job.data).slice(0, 3000)}`);
      violate(`${quiet.jobs} job(s) queued after ${quietSent} refused or acknowledged bodies: ${described.join('; ')}`);
    }
    if (quiet.larkRequests) violate(`${quiet.larkRequests} request(s) to Lark after refused input: ${stack.lark.requests.slice(larkBefore, larkBefore + 3).map((r) => `${r.method} ${r.path}`).join(', ')}`);
    if (quiet.guanceRequests) violate(`${quiet.guanceRequests} request(s) to Guance after refused input: ${stack.guance.requests.slice(guanceBefore, guanceBefore + 3).map((r) => `${r.method} ${r.path}`).join(', ')}`);

    // Phase 2: valid pushes among refused ones; exactly theirs are the jobs.
    const larkMixed = stack.lark.requests.length;
    const guanceMixed = stack.guance.requests.length;
    await pump(interleave(bodies(rejectedBodies(fullSecrets), mixedRejected, seed + 1_000_003), mixedRejected, bodies(acceptedBodies(fullSecrets), validCount, seed + 2_000_003), validCount), false);
    const ms = performance.now() - started;
    loop.disable();
    if (sent < options.bodies) violate(`time limit of ${timeLimitMs} ms reached after ${sent} of ${options.bodies} bodies`);

    const expectedJobs = expectedCounts.inbound + expectedCounts.clicks;
    const finished = () => stack.jobs.list('inbound').length + stack.jobs.list('clicks').length;
    await waitFor(() => finished() >= expectedJobs, `${expectedJobs} jobs of valid pushes to finish`, 120_000, 50).catch((error: unknown) => violate(String(error)));
    await Promise.all([stack.jobs.idle('inbound', 60_000), stack.jobs.idle('clicks', 60_000)]).catch((error: unknown) => violate(String(error)));
    const jobs = (await jobCount('inbound')) + (await jobCount('clicks'));
    const done = [...stack.jobs.list('inbound'), ...stack.jobs.list('clicks')];
    const failed = done.filter((job) => job.state === 'failed');
    if (jobs !== expectedJobs) violate(`expected ${expectedJobs} jobs (one per valid push), found ${jobs}`);
    for (const queue of ['inbound', 'clicks'] as const) {
      const seen = new Set(stack.jobs.list(queue).map((job) => job.jobId));
      const missing = [...expectedIds[queue]].filter((id) => !seen.has(id));
      if (missing.length) violate(`${missing.length} valid push(es) without their ${queue} job, e.g. ${missing.slice(0, 3).join(', ')}`);
      if (queue === 'inbound') {
        const extra = [...seen].filter((id) => !expectedIds.inbound.has(id));
        if (extra.length) violate(`${extra.length} inbound job(s) no valid push asked for, e.g. ${extra.slice(0, 3).join(', ')}`);
      }
    }
    for (const job of failed.slice(0, 5)) violate(`job ${job.queue}/${job.jobId} of a valid push failed: ${job.failedReason ?? ''}`);

    const health = await stack.request.get('/healthz');
    if (health.status !== 200) violate(`GET /healthz answered ${health.status} after the run`);
    const errorLogs = stack.logs.filter((line) => line.level === 'error' && /unexpected/i.test(String(line.message))).length;
    if (errorLogs) violate(`${errorLogs} "unexpected error" log line(s)`);
    if (prototypeKeys() !== prototypesBefore || ({} as Record<string, unknown>).polluted !== undefined) violate('a built-in prototype was changed');
    if (unhandled) violate(`${unhandled} unhandled rejection(s)/exception(s)`);

    // Label values must stay bounded (src/metrics.ts): /metrics may gain the series of what happened, not one per
    // distinct string sent. Thousands of random event types must not add thousands of lines.
    const metricsAfter = await metricsLines();
    if (metricsAfter - metricsBefore > METRICS_GROWTH_LIMIT) violate(`/metrics grew from ${metricsBefore} to ${metricsAfter} lines: a label takes input text`);

    const sorted = latencies.sort((a, b) => a - b);
    return {
      seed,
      planned: options.bodies,
      sent,
      ms,
      bytes,
      categories: Object.fromEntries(CATEGORIES.filter((c) => categories[c]).map((c) => [c, categories[c]])),
      statuses,
      latencyMs: { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] ?? 0 },
      late,
      eventLoopMaxMs: loop.max / 1e6,
      quiet,
      accepted: {
        expectedJobs,
        jobs,
        completed: done.length - failed.length,
        failed: failed.length,
        larkRequests: stack.lark.requests.length - larkMixed,
        guanceRequests: stack.guance.requests.length - guanceMixed,
      },
      ignored,
      unhandled,
      errorLogs,
      metricsLines: { before: metricsBefore, after: metricsAfter },
      violations,
    };
  } finally {
    agent.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.allSettled(queues.map((queue) => queue.close()));
    await stack.close().finally(() => listen(false));
  }
}

