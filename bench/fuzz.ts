/**
 * `npm run fuzz`: ≥ 10,000 generated bodies at POST /lark/events and /lark/card of the real app (in this process,
 * against the HTTP fakes and real Redis under a prefix of its own), then the figures, and exit 1 when a guarantee
 * broke (../shared/SPEC.md "Bad input gets a clear 4xx and nothing else"; issue 11 "fuzz"):
 *   - every invalid body answered 4xx, with the status its fault calls for (401 signature/token, 400 malformed,
 *     413 oversized, 431 headers too large, 422 unstorable); no 5xx (no Redis outage is induced), no request left unanswered;
 *   - no job and no request to Lark or Guance after refused or merely acknowledged bodies;
 *   - every valid push answered 200 and queued exactly once, its job completed;
 *   - every answer within Lark's 3 s (a stalled event loop shows here first), /metrics not growing with input;
 *   - no unhandled rejection or exception, no polluted prototype, the process still serving.
 * Shapes and checks live in test/helpers/fuzz-bodies.ts and fuzz-run.ts, shared with the suite's short run.
 *
 * Options (or environment): --bodies N (FUZZ_BODIES, default 10000), --seconds S (FUZZ_SECONDS, default 60: no body
 * is sent after that; a run cut short fails), --seed N (FUZZ_SEED, to replay the shapes of a run), --valid-share F
 * (FUZZ_VALID_SHARE, default 0.1), --concurrency N (FUZZ_CONCURRENCY, default 16).
 */
import { parseArgs } from 'node:util';
import { CATEGORIES } from '../test/helpers/fuzz-bodies.js';
import { runFuzz, type FuzzReport, type StatusKey } from '../test/helpers/fuzz-run.js';

const { values } = parseArgs({
  options: {
    bodies: { type: 'string' },
    seconds: { type: 'string' },
    seed: { type: 'string' },
    'valid-share': { type: 'string' },
    concurrency: { type: 'string' },
  },
});

function numberOption(flag: string | undefined, env: string, fallback: number, check: (n: number) => boolean): number {
  const text = flag ?? process.env[env];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || !check(value)) {
    console.error(`fuzz: invalid ${env} / option value ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return value;
}

const bodies = numberOption(values.bodies, 'FUZZ_BODIES', 10_000, (n) => Number.isInteger(n) && n > 0);
const seconds = numberOption(values.seconds, 'FUZZ_SECONDS', 60, (n) => n > 0);
const seedText = values.seed ?? process.env.FUZZ_SEED;
const seed = seedText ? numberOption(seedText, 'FUZZ_SEED', 0, (n) => Number.isInteger(n) && n >= 0) : undefined;
const validShare = numberOption(values['valid-share'], 'FUZZ_VALID_SHARE', 0.1, (n) => n >= 0 && n < 1);
const concurrency = numberOption(values.concurrency, 'FUZZ_CONCURRENCY', 16, (n) => Number.isInteger(n) && n > 0);

const STATUS_COLUMNS: StatusKey[] = ['200', '400', '401', '413', '422', 'aborted'];

function row(cells: (string | number)[], widths: number[]): string {
  return cells.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i] ?? 0) : String(cell).padStart(widths[i] ?? 0))).join('  ');
}

function print(report: FuzzReport): void {
  const seen = new Set<string>(Object.keys(report.statuses));
  const others = [...seen].filter((key) => !STATUS_COLUMNS.includes(key as StatusKey)).sort() as StatusKey[];
  const columns = [...STATUS_COLUMNS, ...others];
  const widths = [16, 7, ...columns.map((c) => Math.max(6, c.length)), 7];
  console.log(`\nfuzz: seed ${report.seed} (replay with --seed ${report.seed})`);
  console.log(row(['category', 'bodies', ...columns, 'max ms'], widths));
  for (const category of CATEGORIES) {
    const figures = report.categories[category];
    if (!figures) continue;
    console.log(row([category, figures.count, ...columns.map((c) => figures.statuses[c] ?? ''), figures.maxMs.toFixed(0)], widths));
  }
  console.log(row(['all', report.sent, ...columns.map((c) => report.statuses[c] ?? 0), report.latencyMs.max.toFixed(0)], widths));

  const seconds = report.ms / 1000;
  const mib = report.bytes / 1024 / 1024;
  const lines: [string, string][] = [
    ['bodies sent', `${report.sent} of ${report.planned} in ${seconds.toFixed(1)} s (${(report.sent / seconds).toFixed(0)}/s, ${mib.toFixed(0)} MiB)`],
    ['answer time', `p50 ${report.latencyMs.p50.toFixed(1)} ms, p99 ${report.latencyMs.p99.toFixed(1)} ms, max ${report.latencyMs.max.toFixed(0)} ms; ${report.late} past Lark's 3 s`],
    ['event loop', `longest stall ${report.eventLoopMaxMs.toFixed(0)} ms`],
    ['5xx / no answer', `${Object.entries(report.statuses).filter(([k]) => k.startsWith('5') || k === 'no answer').reduce((n, [, v]) => n + (v ?? 0), 0)}`],
    ['quiet phase', `${report.quiet.bodies} refused/acknowledged bodies → ${report.quiet.jobs} jobs, ${report.quiet.larkRequests} Lark and ${report.quiet.guanceRequests} Guance requests`],
    ['acknowledged only', `${report.ignored} (200, nothing queued: unknown types, challenges, invalid button values)`],
    ['valid pushes', `${report.accepted.expectedJobs} → ${report.accepted.jobs} jobs (${report.accepted.completed} completed, ${report.accepted.failed} failed); ${report.accepted.larkRequests} Lark and ${report.accepted.guanceRequests} Guance requests`],
    ['crashes', `${report.unhandled} unhandled rejections/exceptions, ${report.errorLogs} "unexpected error" logs`],
    ['/metrics lines', `${report.metricsLines.before} before, ${report.metricsLines.after} after`],
  ];
  for (const [label, text] of lines) console.log(`${label.padEnd(18)} ${text}`);
}

const report = await runFuzz({
  bodies,
  timeLimitMs: seconds * 1000,
  validShare,
  concurrency,
  ...(seed !== undefined ? { seed } : {}),
  // A progress line only where it can be redrawn in place (a terminal), not in CI logs.
  ...(process.stderr.isTTY ? { onProgress: (sent: number, planned: number) => process.stderr.write(`\rfuzz: ${sent}/${planned}`) } : {}),
}).catch((error: unknown) => {
  // The run could not be set up (Redis not at TEST_REDIS_URL, say): that is a failure too, said in one line.
  console.error(`fuzz: could not run: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
if (process.stderr.isTTY) process.stderr.write('\n');
print(report);
if (report.violations.length) {
  console.log(`\nFAILED: ${report.violations.length} violation(s)`);
  for (const violation of report.violations) console.log(`  - ${violation}`);
  process.exit(1);
}
console.log('\nOK: every guarantee held');
process.exit(0);
