/**
 * npm run chaos: two bot replicas on one Redis prefix, one SIGKILLed and restarted every 10–20 s, Lark
 * failing ~10 % of sends with 500, losing ~5 % of answers after the work and answering some 429s, Guance
 * answering some 5xx and some rate limits; issues appear in Guance and @bot comments are delivered 5× each
 * to either replica. Once the faults stop and the work drains: exactly one card per issue, one Guance
 * comment and one answer per message, the Guance key never above its budget in any rolling minute.
 * Prints the figures; exits 1 when a guarantee broke. The run lives in test/helpers/chaos.ts (shared with
 * the suite's short version, test/e2e/chaos.test.ts).
 *
 *   npm run chaos -- --seconds 60 --issues 20 --events 10
 * Flags (or CHAOS_<NAME> in the environment, e.g. CHAOS_SECONDS): issues, events, deliveries, seconds (of
 * faults), kill-min / kill-max (seconds between kills), drain-seconds (bound on the drain), budget (Guance
 * requests per minute), poll-seconds (0 = derived from the budget).
 */
import { parseArgs } from 'node:util';
import { report, runChaos } from '../test/helpers/chaos.js';

const NAMES = ['issues', 'events', 'deliveries', 'seconds', 'kill-min', 'kill-max', 'drain-seconds', 'budget', 'poll-seconds'] as const;
type Name = (typeof NAMES)[number];
const DEFAULTS: Record<Name, number> = {
  issues: 60,
  // At the real budget (20/min) each comment costs one or two requests, and chat commands may use the whole
  // budget: more comments would keep the poller out for most of the run (see the README's budget split).
  events: 12,
  deliveries: 5,
  seconds: 120,
  'kill-min': 10,
  'kill-max': 20,
  // A Guance rate-limit answer rightly pauses every replica for up to a minute; the drain has room for one.
  'drain-seconds': 120,
  budget: 20,
  'poll-seconds': 0,
};

function settings(): Record<Name, number> {
  const { values } = parseArgs({ options: Object.fromEntries(NAMES.map((n) => [n, { type: 'string' }])), strict: true });
  const read = (name: Name): number => {
    const raw = values[name] ?? process.env[`CHAOS_${name.toUpperCase().replace(/-/g, '_')}`];
    if (raw === undefined) return DEFAULTS[name];
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number, got ${String(raw)}`);
    return value;
  };
  return Object.fromEntries(NAMES.map((n) => [n, read(n)])) as Record<Name, number>;
}

const s = settings();
console.log(
  `chaos: ${s.issues} issues, ${s.events} events × ${s.deliveries}, ${s.seconds} s of faults, a SIGKILL every ${s['kill-min']}–${s['kill-max']} s, ` +
    `Guance budget ${s.budget}/min, drain bounded at ${s['drain-seconds']} s`,
);
const verdict = await runChaos({
  label: 'chaos',
  issues: s.issues,
  events: s.events,
  deliveriesPerEvent: s.deliveries,
  faultPhaseMs: s.seconds * 1000,
  killEveryMs: [s['kill-min'] * 1000, Math.max(s['kill-min'], s['kill-max']) * 1000],
  drainTimeoutMs: s['drain-seconds'] * 1000,
  budget: s.budget,
  ...(s['poll-seconds'] > 0 ? { pollIntervalSeconds: s['poll-seconds'] } : {}),
  log: (line) => console.log(line),
});
console.log(['', ...report(verdict), ''].join('\n'));
process.exit(verdict.violations.length === 0 ? 0 : 1);
