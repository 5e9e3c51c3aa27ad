/**
 * npm run soak: 10,000+ signed message events at a steady rate against one bot process, with its Redis
 * stopped and started again in the middle. Checks that answers are 503 only while Redis is away, that every
 * event is processed exactly once (each @bot comment: one Guance comment, one Lark answer) and reports RSS.
 * Exits 1 when a guarantee broke. The run itself lives in test/helpers/soak/ (shared with the test suite).
 *
 *   npm run soak -- --events 3000 --rate 100 --outage-seconds 5
 * Flags (or SOAK_<NAME> in the environment, e.g. SOAK_EVENTS): events, rate, comment-share, outage-at,
 * outage-seconds, idle-seconds, settle-seconds, timeout-seconds, idle-goal-mb.
 */
import { parseArgs } from 'node:util';
import { runSoak, type SoakResult } from '../test/helpers/soak/run.js';

const NAMES = ['events', 'rate', 'comment-share', 'outage-at', 'outage-seconds', 'idle-seconds', 'settle-seconds', 'timeout-seconds', 'idle-goal-mb'] as const;
type Name = (typeof NAMES)[number];
const DEFAULTS: Record<Name, number> = {
  events: 10_000,
  rate: 100,
  'comment-share': 0.1,
  'outage-at': 0.5,
  'outage-seconds': 8,
  'idle-seconds': 15,
  'settle-seconds': 30,
  'timeout-seconds': 300,
  'idle-goal-mb': 120,
};

function settings(): Record<Name, number> {
  const { values } = parseArgs({ options: Object.fromEntries(NAMES.map((n) => [n, { type: 'string' }])), strict: true });
  const read = (name: Name): number => {
    const raw = values[name] ?? process.env[`SOAK_${name.toUpperCase().replace(/-/g, '_')}`];
    if (typeof raw !== 'string') return DEFAULTS[name];
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number, got ${String(raw)}`);
    return value;
  };
  return Object.fromEntries(NAMES.map((n) => [n, read(n)])) as Record<Name, number>;
}

const mb = (value: number) => (Number.isNaN(value) ? 'n/a' : `${value.toFixed(1)} MB`);
const slope = (value: number) => (Number.isNaN(value) ? 'n/a' : `${value >= 0 ? '+' : ''}${value.toFixed(2)} MB/min`);

function print(result: SoakResult, idleGoalMb: number): void {
  const { traffic: t, memory: m, outage: o, seconds: s } = result;
  const lines = [
    '',
    `events            ${t.events} (${t.comments} @bot comments), ${t.pushes} pushes incl. re-sends`,
    `answers           ${t.answered200} × 200, ${t.answered503} × 503 (${t.resentEvents} events re-sent, ${t.resentComments} of them comments)`,
    `503 span          ${t.first503AfterStopMs} … ${t.last503AfterStopMs} ms after the stop; Redis down ${o.downMs} ms, ready ${o.restartToReadyMs} ms after its restart`,
    `latency           p99 ${t.p99LatencyMs} ms, max ${t.maxLatencyMs} ms`,
    `guance            ${t.guanceCreates} comments written; busiest minute ${t.guanceMaxPerMinute} requests (budget ${result.guanceBudget})`,
    `lark              ${t.larkAnswers} answers posted`,
    `rss at ready      ${mb(m.readyMb)} (before the first full GC of start-up garbage)`,
    `rss idle          ${mb(m.idleMb)} (goal ≤ ${idleGoalMb} MB: ${m.idleMb <= idleGoalMb ? 'met' : 'NOT met'})`,
    `rss peak          ${mb(m.peakMb)}`,
    `rss after drain   ${mb(m.afterDrainMb)}; settled ${mb(m.settledMb)}`,
    `rss trend         ${slope(m.loadSlopeMbPerMin)} under load, ${slope(m.settleSlopeMbPerMin)} after (${m.samples} samples, 1/s)`,
    `js heap used      ${mb(m.idleHeapMb)} idle, ${mb(m.finalHeapMb)} at the end`,
    `rss by tenths     ${m.tenths.map((v) => (Number.isNaN(v) ? '-' : v.toFixed(0))).join(' → ')} MB (load start … end of sampling)`,
    `time              load ${s.load.toFixed(1)} s, drain ${s.drain.toFixed(1)} s, total ${s.total.toFixed(1)} s`,
    '',
  ];
  console.log(lines.join('\n'));
}

const options = settings();
const started = Date.now();
console.log(`soak: ${options.events} events at ${options.rate}/s, Redis away ${options['outage-seconds']} s at ${options['outage-at'] * 100}% …`);
const result = await runSoak({
  events: Math.floor(options.events),
  ratePerSecond: options.rate,
  commentShare: options['comment-share'],
  outageAt: options['outage-at'],
  outageMs: options['outage-seconds'] * 1000,
  resendDelaysMs: [1_000, 2_000, 4_000],
  idleMs: options['idle-seconds'] * 1000,
  settleMs: options['settle-seconds'] * 1000,
  timeoutMs: options['timeout-seconds'] * 1000,
  log: (line) => console.log(`  [${((Date.now() - started) / 1000).toFixed(1)} s] ${line}`),
});
print(result, options['idle-goal-mb']);
if (result.violations.length) {
  console.error(`FAILED: ${result.violations.length} guarantee(s) broken:\n${result.violations.map((v) => `  - ${v}`).join('\n')}`);
  process.exit(1);
}
console.log('OK: every guarantee held');
process.exit(0);
