import { readFile } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';
import {
  METRICS,
  METRICS_TABLE_END,
  METRICS_TABLE_START,
  Metrics,
  metricsTable,
  readmeWithMetricsTable,
  type MetricName,
} from '../../../src/metrics.js';

/** The sample lines of one metric family (no HELP/TYPE), to assert on values without the whole scrape. */
function samples(text: string, family: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${family}{`) || line.startsWith(`${family} `));
}

describe('Metrics', () => {
  it('renders counters, gauges and histograms in Prometheus text, every name prefixed larkbot_', async () => {
    const metrics = new Metrics();
    metrics.inc('cards_posted_total', { chat: 'oc_1' });
    metrics.inc('cards_posted_total', { chat: 'oc_1' }, 2);
    metrics.inc('cards_posted_total', { chat: 'say "hi"\nback\\slash' });
    metrics.inc('comments_total');
    metrics.set('guance_budget_limit', 120);
    metrics.observe('time_to_ack_seconds', 45, { channel: 'ops', level: 'critical' });
    metrics.observe('time_to_ack_seconds', -3, { channel: 'ops', level: 'critical' }); // clock skew between replicas

    const text = await metrics.render();
    expect(text).toContain('# HELP larkbot_cards_posted_total Issue cards posted\n# TYPE larkbot_cards_posted_total counter\n');
    expect(samples(text, 'larkbot_cards_posted_total')).toEqual([
      'larkbot_cards_posted_total{chat="oc_1"} 3',
      'larkbot_cards_posted_total{chat="say \\"hi\\"\\nback\\\\slash"} 1',
    ]);
    expect(samples(text, 'larkbot_comments_total')).toEqual(['larkbot_comments_total 1']);
    expect(text).toContain('# TYPE larkbot_guance_budget_limit gauge\nlarkbot_guance_budget_limit 120\n');

    expect(text).toContain('# TYPE larkbot_time_to_ack_seconds histogram');
    const ack = '{channel="ops",level="critical"}';
    expect(samples(text, 'larkbot_time_to_ack_seconds_sum')).toEqual([`larkbot_time_to_ack_seconds_sum${ack} 45`]);
    expect(samples(text, 'larkbot_time_to_ack_seconds_count')).toEqual([`larkbot_time_to_ack_seconds_count${ack} 2`]);
    const buckets = samples(text, 'larkbot_time_to_ack_seconds_bucket');
    expect(buckets).toContain('larkbot_time_to_ack_seconds_bucket{le="30",channel="ops",level="critical"} 1');
    expect(buckets).toContain('larkbot_time_to_ack_seconds_bucket{le="60",channel="ops",level="critical"} 2');
    expect(buckets).toContain('larkbot_time_to_ack_seconds_bucket{le="86400",channel="ops",level="critical"} 2');
    expect(buckets).toContain('larkbot_time_to_ack_seconds_bucket{le="+Inf",channel="ops",level="critical"} 2');

    // Every non-process family comes from the catalogue, so nothing unprefixed or unknown slips out.
    const families = [...text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]!);
    expect(families.every((family) => family.startsWith('larkbot_'))).toBe(true);
    expect(metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('exports label-less counters as 0 before their first increment', async () => {
    const text = await new Metrics().render();
    expect(samples(text, 'larkbot_sync_checks_total')).toEqual(['larkbot_sync_checks_total 0']);
    // A labelled counter has no series until a label set is seen.
    expect(text).toContain('# TYPE larkbot_cards_posted_total counter');
    expect(samples(text, 'larkbot_cards_posted_total')).toEqual([]);
  });

  it('includes the default process metrics under the larkbot_ prefix', async () => {
    const text = await new Metrics().render();
    for (const family of [
      'larkbot_process_cpu_user_seconds_total',
      'larkbot_process_resident_memory_bytes',
      'larkbot_nodejs_eventloop_lag_seconds',
      'larkbot_nodejs_heap_size_used_bytes',
    ]) {
      expect(text).toContain(`# TYPE ${family} `);
    }
  });

  it('reads gaugeFrom collectors at each scrape', async () => {
    const metrics = new Metrics();
    let poll = 3;
    metrics.gaugeFrom('guance_budget_used', async () => [
      [{ kind: 'human' }, 1],
      [{ kind: 'poll' }, poll],
    ]);
    expect(samples(await metrics.render(), 'larkbot_guance_budget_used')).toEqual([
      'larkbot_guance_budget_used{kind="human"} 1',
      'larkbot_guance_budget_used{kind="poll"} 3',
    ]);
    poll = 7;
    expect(samples(await metrics.render(), 'larkbot_guance_budget_used')).toContain('larkbot_guance_budget_used{kind="poll"} 7');
  });

  it('leaves a failing gaugeFrom collector out of the scrape instead of failing it', async () => {
    const onCollectError = vi.fn();
    const metrics = new Metrics({ onCollectError });
    let redisUp = true;
    metrics.gaugeFrom('guance_budget_used', async () => {
      if (!redisUp) throw new Error('redis down');
      return [[{ kind: 'poll' }, 5]];
    });
    metrics.gaugeFrom('guance_budget_limit', async () => [[{}, 120]]);
    metrics.inc('comments_total');
    expect(await metrics.render()).toContain('larkbot_guance_budget_used{kind="poll"} 5');

    redisUp = false;
    const text = await metrics.render();
    // Absent altogether: no HELP/TYPE and no stale value from the previous scrape.
    expect(text).not.toContain('larkbot_guance_budget_used');
    expect(text).toContain('larkbot_guance_budget_limit 120');
    expect(text).toContain('larkbot_comments_total 1');
    expect(text).toContain('# TYPE larkbot_process_cpu_user_seconds_total ');
    expect(onCollectError).toHaveBeenCalledWith('guance_budget_used', expect.objectContaining({ message: 'redis down' }));
  });

  it('keeps set() and gaugeFrom() apart for one gauge (the name would be exported twice)', () => {
    const metrics = new Metrics();
    metrics.gaugeFrom('guance_budget_limit', async () => [[{}, 1]]);
    expect(() => metrics.set('guance_budget_limit', 2)).toThrow(/gaugeFrom/);
    metrics.set('guance_budget_paused_ms', 0);
    expect(() => metrics.gaugeFrom('guance_budget_paused_ms', async () => [[{}, 1]])).toThrow(/set\(\)/);
  });

  it('gives each instance its own series', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.inc('cards_posted_total', { chat: 'oc_a' });
    a.inc('comments_total', {}, 4);
    a.set('guance_budget_limit', 9);
    a.observe('time_to_resolve_seconds', 600, { channel: 'ops', level: 'warning' });
    b.inc('comments_total');

    const textA = await a.render();
    const textB = await b.render();
    expect(textA).toContain('larkbot_comments_total 4');
    expect(textB).toContain('larkbot_comments_total 1');
    expect(samples(textB, 'larkbot_cards_posted_total')).toEqual([]);
    expect(samples(textB, 'larkbot_time_to_resolve_seconds_count')).toEqual([]);
    expect(textB).not.toContain('larkbot_guance_budget_limit');
  });
});

describe('metricsTable', () => {
  it('has one row per catalogue entry with prefixed name, type, labels and help', () => {
    const lines = metricsTable().split('\n');
    expect(lines.slice(0, 2)).toEqual(['| Metric | Type | Labels | Help |', '| --- | --- | --- | --- |']);
    expect(lines).toHaveLength(2 + Object.keys(METRICS).length);
    expect(lines).toContain('| `larkbot_events_received_total` | counter | `type`, `path` | Verified Lark pushes |');
    expect(lines).toContain('| `larkbot_comments_total` | counter | — | Comments written to Guance from Lark |');
    expect(lines).toContain('| `larkbot_guance_budget_used` | gauge | `kind` | Guance requests spent in the current rolling window, by kind |');
    expect(lines.find((line) => line.startsWith('| `larkbot_time_to_ack_seconds` | histogram | `channel`, `level` |'))).toMatch(
      /buckets 30s, 1m, .*, 24h \|$/,
    );
  });

  it('replaces only the text between the markers', () => {
    const readme = `# Bot\n\nintro\n${METRICS_TABLE_START}\nold table\n${METRICS_TABLE_END}\n\nrest\n`;
    expect(readmeWithMetricsTable(readme)).toBe(`# Bot\n\nintro\n${METRICS_TABLE_START}\n${metricsTable()}\n${METRICS_TABLE_END}\n\nrest\n`);
    expect(() => readmeWithMetricsTable('# no markers\n')).toThrow(/metrics:start/);
  });

  // Fails whenever METRICS changes until README is regenerated: run `npm run docs:metrics`.
  it('README.md metric table is up to date — if this fails, run `npm run docs:metrics`', async () => {
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf(METRICS_TABLE_START);
    const end = readme.indexOf(METRICS_TABLE_END);
    expect(start, `README.md needs ${METRICS_TABLE_START} and ${METRICS_TABLE_END} markers`).toBeGreaterThan(-1);
    expect(end, `README.md needs ${METRICS_TABLE_START} and ${METRICS_TABLE_END} markers`).toBeGreaterThan(start);
    expect(readme.slice(start + METRICS_TABLE_START.length, end)).toBe(`\n${metricsTable()}\n`);
  });
});

/**
 * Compile-time checks, never run: `tsc -p tsconfig.json` fails if a catalogue key of the wrong type, a
 * missing label or a stray label is accepted.
 */
export function _typeChecks(metrics: Metrics): void {
  metrics.inc('comments_total');
  metrics.inc('comments_total', {}, 2);
  metrics.inc('jobs_failed_total', { queue: 'poll', final: 'true' });
  metrics.observe('time_to_resolve_seconds', 1, { channel: 'ops', level: 'critical' });
  metrics.gaugeFrom('guance_budget_used', async () => [[{ kind: 'poll' }, 1]]);
  const known: MetricName = 'sync_checks_total';
  void known;

  // @ts-expect-error a gauge is not a counter
  metrics.inc('guance_budget_used', { kind: 'poll' });
  // @ts-expect-error not in the catalogue
  metrics.inc('cards_postd_total', { chat: 'x' });
  // @ts-expect-error a labelled counter needs its labels
  metrics.inc('cards_posted_total');
  // @ts-expect-error a label the catalogue does not list
  metrics.inc('cards_posted_total', { chat: 'x', channel: 'ops' });
  // @ts-expect-error a label-less counter takes no labels
  metrics.inc('comments_total', { chat: 'x' });
  // @ts-expect-error a label missing
  metrics.observe('time_to_ack_seconds', 1, { channel: 'ops' });
  // @ts-expect-error a counter cannot be set
  metrics.set('comments_total', 1);
  // @ts-expect-error collector rows must carry the gauge's labels
  metrics.gaugeFrom('guance_budget_used', async () => [[{ queue: 'poll' }, 1]]);
}
