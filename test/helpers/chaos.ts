/**
 * A chaos run, shared by `npm run chaos` (bench/chaos.ts, minutes) and its short version in the
 * suite (test/e2e/chaos.test.ts, seconds): two bot replicas on one Redis prefix, one of them
 * SIGKILLed and restarted at random intervals, the Lark and Guance fakes failing a share of the
 * requests, issues appearing in Guance and @bot comments delivered several times each. When the
 * faults stop and the work has drained, the guarantees are checked: one card per issue, one comment
 * and one answer per message, the Guance key within its budget in every rolling minute.
 */
import { ChaosFaults, DEFAULT_FAULT_RATES, type FaultRates } from './chaos/faults.js';
import { Replicas } from './chaos/replicas.js';
import { effectsSeen, judge, type Verdict } from './chaos/verdict.js';
import { QueueWatch } from './queues.js';
import { ENCRYPT_KEY, VERIFICATION_TOKEN, Workload } from './chaos/workload.js';
import { startStack } from './stack.js';
import { sleep, waitFor } from './wait.js';

export { report, type ChaosFigures, type Verdict } from './chaos/verdict.js';
export { DEFAULT_FAULT_RATES, type FaultRates } from './chaos/faults.js';

const DEFAULT_LATENCY_MS = { lark: 100, guance: 250 };

export interface ChaosOptions {
  /** Names the Redis prefix. */
  label: string;
  /** Issues created in Guance during the fault phase. */
  issues: number;
  /** @bot comment messages sent during the fault phase. */
  events: number;
  /** How often Lark delivers each message. */
  deliveriesPerEvent: number;
  /** How long faults and kills go on, ms. */
  faultPhaseMs: number;
  /** Time between SIGKILLs, drawn uniformly from [min, max] ms. */
  killEveryMs: [number, number];
  /**
   * The fault phase goes on past `faultPhaseMs` until at least this many SIGKILLs happened (default 0): on a loaded
   * machine a restart takes seconds, and a chaos run without kills proves less than it says.
   */
  minKills?: number;
  /** How long the work may take to drain once faults stop, ms. */
  drainTimeoutMs: number;
  /** GUANCE_REQUESTS_PER_MINUTE of the bots, and the Guance fake's own limit. */
  budget: number;
  /** POLL_INTERVAL_SECONDS of the bots; unset = derived from the budget. */
  pollIntervalSeconds?: number;
  rates?: FaultRates;
  /**
   * How long the fakes take to answer during the fault phase, ms (default Lark 100, Guance 250): work takes
   * time, so a SIGKILL finds jobs in flight.
   */
  latencyMs?: { lark: number; guance: number };
  /** More bot settings (e.g. LOG_LEVEL). */
  env?: Record<string, string>;
  /** Progress lines; default none. */
  log?: (line: string) => void;
}

/** Runs the whole thing and tears it down; never throws for a broken guarantee (see `violations`). */
export async function runChaos(options: ChaosOptions): Promise<Verdict> {
  const log = options.log ?? (() => undefined);
  const stack = await startStack(options.label, {
    guance: { requestsPerMinute: options.budget },
    env: {
      LARK_ENCRYPT_KEY: ENCRYPT_KEY,
      LARK_VERIFICATION_TOKEN: VERIFICATION_TOKEN,
      GUANCE_REQUESTS_PER_MINUTE: String(options.budget),
      ...(options.pollIntervalSeconds !== undefined ? { POLL_INTERVAL_SECONDS: String(options.pollIntervalSeconds) } : {}),
      LOG_LEVEL: 'info',
      ...options.env,
    },
  });
  const watch = new QueueWatch(stack.prefix);
  try {
    const replicas = new Replicas(stack, 2, log);
    const faults = new ChaosFaults(stack.lark, stack.guance, options.rates ?? DEFAULT_FAULT_RATES);
    const workload = new Workload(stack, replicas, options.deliveriesPerEvent);
    await replicas.start();
    log(`2 replicas up on prefix ${stack.prefix}; faults on for ${(options.faultPhaseMs / 1000).toFixed(0)} s`);

    const latency = options.latencyMs ?? DEFAULT_LATENCY_MS;
    stack.lark.setLatency(latency.lark);
    stack.guance.setLatency(latency.guance);
    const started = Date.now();
    faults.start();
    replicas.startChaos({ everyMs: options.killEveryMs });
    await runTimeline(options, workload);
    await waitFor(() => replicas.kills >= (options.minKills ?? 0), `${options.minKills ?? 0} SIGKILLs`, 60_000, 50);
    faults.stop();
    const faultsEnded = Date.now();
    stack.lark.setLatency(0);
    stack.guance.setLatency(0);
    await replicas.stopChaos();
    await workload.settled();
    log(`faults off after ${((faultsEnded - started) / 1000).toFixed(1)} s (${replicas.kills} SIGKILLs); draining`);

    const drained = await drain(options.drainTimeoutMs, () => effectsSeen(stack, workload), watch, stack.guance.requests);
    const ended = Date.now();
    return judge({
      stack,
      workload,
      faults: faults.counts,
      logs: replicas.all().flatMap((bot) => bot.logs),
      budget: options.budget,
      replicas: { count: 2, kills: replicas.kills, restarts: replicas.restarts },
      seconds: { faults: (faultsEnded - started) / 1000, drain: (ended - faultsEnded) / 1000, total: (ended - started) / 1000 },
      drained,
    });
  } finally {
    await watch.close();
    await stack.close();
  }
}

/**
 * Issues spread over the first 80 % of the fault phase, events over 10–85 %, each event about an
 * issue that exists by then; resolves when the phase is over.
 */
async function runTimeline(options: ChaosOptions, workload: Workload): Promise<void> {
  const phase = options.faultPhaseMs;
  const steps: { at: number; run: () => void }[] = [];
  for (let i = 0; i < options.issues; i += 1) {
    steps.push({ at: (i * 0.8 * phase) / Math.max(1, options.issues), run: () => workload.createIssue(i) });
  }
  const spreadMs = Math.min(8_000, 0.2 * phase);
  for (let j = 0; j < options.events; j += 1) {
    steps.push({
      at: 0.1 * phase + (j * 0.75 * phase) / Math.max(1, options.events),
      run: () => {
        const issue = workload.issues[Math.floor(Math.random() * workload.issues.length)];
        if (issue) workload.sendEvent(j, issue.uuid, spreadMs);
      },
    });
  }
  steps.sort((a, b) => a.at - b.at);
  const started = Date.now();
  for (const step of steps) {
    const wait = started + step.at - Date.now();
    if (wait > 0) await sleep(wait);
    step.run();
  }
  const rest = started + phase - Date.now();
  if (rest > 0) await sleep(rest);
}

/**
 * Waits for every expected effect and empty work queues, then for one more successful poll of
 * Guance after that, its end, and the queues empty again: whatever that poll found has been
 * delivered too, so counting now would see a duplicate card. False when the deadline passed first.
 */
async function drain(
  timeoutMs: number,
  seen: () => boolean,
  watch: QueueWatch,
  guanceRequests: { at: number; path: string; status: number }[],
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const idle = async () => seen() && (await watch.unfinished()) === 0;
  try {
    await waitFor(idle, 'every effect and empty queues', Math.max(0, deadline - Date.now()), 250);
    const after = Date.now();
    const polled = () => guanceRequests.some((r) => r.at > after && r.path.endsWith('/issue/list') && r.status === 200);
    await waitFor(polled, 'one more poll', Math.max(0, deadline - Date.now()), 250);
    // The poll that read the list holds the poll lock until it has queued every delivery it found.
    await waitFor(() => watch.notPolling(), 'that poll to end', Math.max(0, deadline - Date.now()), 50);
    await waitFor(idle, 'empty queues after that poll', Math.max(0, deadline - Date.now()), 250);
    return true;
  } catch {
    return false;
  }
}
