/**
 * Prometheus metrics on prom-client, with every metric declared once in `METRICS`.
 *
 * Why a catalogue: call sites used to pass the help text on every call, so the same metric could carry two
 * helps (or a typo'd name) and README's list drifted from the code. Now a call site names a catalogue key,
 * the compiler checks the key's type and label names, and README's table is generated from the same object.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Every exported name starts with this (README and dashboards use the prefixed names). */
const METRIC_PREFIX = 'larkbot_';

/**
 * Buckets for "how long until a person reacted": issue cards are acknowledged in seconds to minutes while
 * someone watches the chat, and resolved in hours to a day. Finer buckets would only add series.
 */
const HUMAN_RESPONSE_BUCKETS = [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 43_200, 86_400] as const;

type MetricType = 'counter' | 'gauge' | 'histogram';

interface MetricSpec {
  readonly type: MetricType;
  readonly help: string;
  /** Keep label values bounded (ids of chats/channels/queues, enums), never free text or issue ids. */
  readonly labels: readonly string[];
  readonly buckets?: readonly number[];
}

/**
 * The one list of metrics, names without `METRIC_PREFIX`. Counters are per process (Prometheus sums
 * replicas); gauges read at scrape time come from `gaugeFrom`.
 */
export const METRICS = {
  // Lark HTTP entry points
  events_received_total: { type: 'counter', help: 'Verified Lark pushes', labels: ['type', 'path'] },
  events_rejected_total: { type: 'counter', help: 'Lark pushes rejected', labels: ['reason', 'path'] },
  events_ignored_total: { type: 'counter', help: 'Events of types the bot does not handle', labels: ['type'] },

  // Webhook sources (Sentry, Guance alerts and push hints, the error API)
  webhooks_total: { type: 'counter', help: 'Webhook requests by path and outcome (accepted, rejected, unavailable)', labels: ['path', 'outcome'] },
  notifications_total: {
    type: 'counter',
    help: 'Notifications from webhook sources by what they did to a card (new, repeat, resolve, reopen, update, duplicate)',
    labels: ['source', 'effect'],
  },
  robot_messages_total: { type: 'counter', help: 'Messages accepted by robot sinks (DingTalk, WeCom, Lark custom bot)', labels: ['sink', 'kind'] },
  storm_digests_total: { type: 'counter', help: 'Storm digests opened (more new cards than STORM_THRESHOLD per window for a target)', labels: ['target'] },
  escalations_total: { type: 'counter', help: 'Escalations (Lark urgent) by step and kind', labels: ['step', 'kind'] },
  urgent_failures_total: { type: 'counter', help: 'Lark urgent calls refused, by Lark code', labels: ['code'] },
  snoozes_total: { type: 'counter', help: 'Snoozes by outcome (snoozed, unsnoozed, resurfaced)', labels: ['outcome'] },
  assignments_total: { type: 'counter', help: 'Assignments from Lark by outcome', labels: ['outcome'] },
  war_rooms_total: { type: 'counter', help: 'War-room groups opened', labels: [] },
  daily_digests_total: { type: 'counter', help: 'Daily digest cards posted', labels: [] },
  push_hints_total: { type: 'counter', help: 'Guance push hints by what they asked for (poll, check, none)', labels: ['effect'] },

  // Job queues
  jobs_completed_total: { type: 'counter', help: 'Jobs completed', labels: ['queue', 'job'] },
  jobs_failed_total: { type: 'counter', help: 'Job attempts that failed', labels: ['queue', 'final'] },
  workers_restarted_total: {
    type: 'counter',
    help: 'Queue workers replaced because jobs were due and none was taken (a blocking connection wedged after a Redis failover)',
    labels: ['queue'],
  },

  // Issue cards and what people do with them
  cards_posted_total: { type: 'counter', help: 'Issue cards posted', labels: ['chat'] },
  cards_updated_total: { type: 'counter', help: 'Issue cards updated in place', labels: [] },
  card_actions_total: { type: 'counter', help: 'Card button clicks handled', labels: ['action', 'outcome'] },
  card_answers_total: { type: 'counter', help: 'Card click answers by kind', labels: ['answer'] },
  commands_total: { type: 'counter', help: 'Chat commands handled', labels: ['command'] },
  comments_total: { type: 'counter', help: 'Comments written to Guance from Lark', labels: [] },
  issue_actions_total: { type: 'counter', help: 'Issue status changes made from Lark', labels: ['action'] },
  time_to_ack_seconds: {
    type: 'histogram',
    help: 'Seconds from an issue card being posted to the issue being acknowledged (from Lark or in Guance)',
    labels: ['channel', 'level'],
    buckets: HUMAN_RESPONSE_BUCKETS,
  },
  time_to_resolve_seconds: {
    type: 'histogram',
    help: 'Seconds from an issue card being posted to the issue being resolved (from Lark or in Guance)',
    labels: ['channel', 'level'],
    buckets: HUMAN_RESPONSE_BUCKETS,
  },

  // Polling Guance for new issues
  polls_total: { type: 'counter', help: 'Completed polls per channel', labels: ['channel'] },
  polls_deferred_total: { type: 'counter', help: 'Polls cut short by the Guance budget', labels: [] },

  // Sync of followed issues (Guance → card threads)
  sync_checks_total: { type: 'counter', help: 'Followed issues checked for new Guance replies', labels: [] },
  sync_scans_total: { type: 'counter', help: 'issue/list scans for followed issues whose updateAt moved', labels: [] },
  sync_thread_posts_total: {
    type: 'counter',
    help: 'Lines posted in card threads: Guance replies and status changes, actions on cards of other sources',
    labels: ['kind'],
  },
  sync_status_changes_total: { type: 'counter', help: 'Status changes made in Guance applied to cards', labels: [] },
  sync_rounds_deferred_total: {
    type: 'counter',
    help: 'Sync rounds cut short by the Guance budget or Lark limits',
    labels: [],
  },

  // Upstream APIs
  lark_requests_total: { type: 'counter', help: 'Lark Open Platform calls by API and outcome', labels: ['api', 'outcome'] },
  guance_requests_total: {
    type: 'counter',
    help: 'Guance OpenAPI calls by endpoint and outcome',
    labels: ['endpoint', 'outcome'],
  },
  guance_budget_used: {
    type: 'gauge',
    help: 'Guance requests spent in the current rolling window, by kind',
    labels: ['kind'],
  },
  guance_budget_limit: { type: 'gauge', help: 'Guance requests allowed per rolling window for the API key', labels: [] },
  guance_budget_paused_ms: { type: 'gauge', help: 'ms left of a pause after Guance answered rate-limited', labels: [] },
} as const satisfies Record<string, MetricSpec>;

type Catalogue = typeof METRICS;
export type MetricName = keyof Catalogue;
type NamesOfType<T extends MetricType> = { [N in MetricName]: Catalogue[N]['type'] extends T ? N : never }[MetricName];
export type CounterName = NamesOfType<'counter'>;
export type GaugeName = NamesOfType<'gauge'>;
export type HistogramName = NamesOfType<'histogram'>;

/**
 * Exactly the catalogue's labels for `N`. A metric without labels takes `{}` only (`Record<string, never>`
 * rejects stray keys, which plain `{}` would not).
 */
export type LabelsOf<N extends MetricName> = Catalogue[N]['labels'] extends readonly []
  ? Record<string, never>
  : { [L in Catalogue[N]['labels'][number]]: string };

/** Labels may be left out only where the metric has none, so a labelled series never loses its labels. */
type LabelArg<N extends MetricName> = Catalogue[N]['labels'] extends readonly [] ? [labels?: LabelsOf<N>] : [labels: LabelsOf<N>];

type Collector<N extends GaugeName> = () => Promise<Array<[LabelsOf<N>, number]>>;

function specOf(name: MetricName): MetricSpec {
  return METRICS[name];
}

export interface MetricsOptions {
  /** Told when a `gaugeFrom` collector fails (e.g. to log it); the scrape goes on without that metric. */
  onCollectError?: (name: GaugeName, error: unknown) => void;
}

/**
 * The metrics of one app instance. Each instance owns its prom-client Registry (no global registry), so
 * tests and in-process stacks that build several apps never share or double-register series.
 */
export class Metrics {
  private readonly registry = new Registry();
  private readonly counters = new Map<CounterName, Counter>();
  private readonly histograms = new Map<HistogramName, Histogram>();
  /** Gauges written with `set`, created on first use. */
  private readonly gauges = new Map<GaugeName, Gauge>();
  /** Gauges read at scrape time; they live outside `registry` (see `render`). */
  private readonly collectors = new Map<GaugeName, Collector<GaugeName>>();

  constructor(private readonly options: MetricsOptions = {}) {
    // Process metrics (CPU, memory, event-loop lag, GC, fds). They read process state at scrape time; the
    // event-loop and GC monitors they start live as long as the process, which is fine at one per app.
    collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
    // Counters and histograms exist from the start: a label-less counter then reads 0 before its first
    // increment, so rate() and increase() see the first one instead of a series appearing at 1.
    for (const name of Object.keys(METRICS) as MetricName[]) {
      const spec = specOf(name);
      const config = { name: METRIC_PREFIX + name, help: spec.help, labelNames: spec.labels, registers: [this.registry] };
      if (spec.type === 'counter') this.counters.set(name as CounterName, new Counter(config));
      if (spec.type === 'histogram') {
        this.histograms.set(name as HistogramName, new Histogram({ ...config, buckets: [...(spec.buckets ?? [])] }));
      }
    }
  }

  /** The Content-Type header for `render()`'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  inc<N extends CounterName>(name: N, ...args: [...LabelArg<N>, by?: number]): void;
  inc(name: CounterName, labels: Record<string, string> = {}, by = 1): void {
    this.counters.get(name)!.inc(labels, by);
  }

  set<N extends GaugeName>(name: N, value: number, ...args: LabelArg<N>): void {
    if (this.collectors.has(name)) throw new Error(`metric ${name} is read by gaugeFrom; set() would export it twice`);
    let gauge = this.gauges.get(name);
    if (!gauge) {
      const spec = specOf(name);
      gauge = new Gauge({ name: METRIC_PREFIX + name, help: spec.help, labelNames: spec.labels, registers: [this.registry] });
      this.gauges.set(name, gauge);
    }
    gauge.set(args[0] ?? {}, value);
  }

  /**
   * Records a duration. Negative values count as 0: start and end times can come from different replicas'
   * clocks, and a negative sample would pull the histogram's sum below the truth.
   */
  observe<N extends HistogramName>(name: N, seconds: number, ...args: LabelArg<N>): void {
    this.histograms.get(name)!.observe(args[0] ?? {}, Math.max(0, seconds));
  }

  /**
   * A gauge whose series are read when /metrics is scraped (queue depths, budget left in Redis). Calling it
   * again for the same name replaces the collector.
   */
  gaugeFrom<N extends GaugeName>(name: N, collect: Collector<N>): void {
    if (this.gauges.has(name)) throw new Error(`metric ${name} is written by set(); gaugeFrom would export it twice`);
    this.collectors.set(name, collect as Collector<GaugeName>);
  }

  /** Prometheus text for everything registered, collectors read now. */
  async render(): Promise<string> {
    // Collector gauges are built per scrape in a throwaway registry: a collector that fails (Redis down) is
    // simply absent from this scrape, with no stale values kept, and concurrent scrapes share no state.
    const scraped = new Registry();
    await Promise.all(
      [...this.collectors].map(async ([name, collect]) => {
        try {
          const rows = await collect();
          const spec = specOf(name);
          const gauge = new Gauge({ name: METRIC_PREFIX + name, help: spec.help, labelNames: spec.labels, registers: [] });
          for (const [labels, value] of rows) gauge.set(labels, value);
          scraped.registerMetric(gauge); // only once every row was accepted, so a bad row drops the whole metric
        } catch (error) {
          this.options.onCollectError?.(name, error);
        }
      }),
    );
    return Registry.merge([this.registry, scraped]).metrics();
  }
}

export const METRICS_TABLE_START = '<!-- metrics:start -->';
export const METRICS_TABLE_END = '<!-- metrics:end -->';

/** README's metric table, generated so it cannot drift from the catalogue (`npm run docs:metrics`). */
export function metricsTable(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = (Object.keys(METRICS) as MetricName[]).map((name) => {
    const spec = specOf(name);
    const labels = spec.labels.map((label) => `\`${label}\``).join(', ') || '—';
    const help = spec.buckets ? `${spec.help}; buckets ${spec.buckets.map(duration).join(', ')}` : spec.help;
    return `| \`${METRIC_PREFIX}${name}\` | ${spec.type} | ${labels} | ${cell(help)} |`;
  });
  return ['| Metric | Type | Labels | Help |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** 30 → `30s`, 900 → `15m`, 86400 → `24h`: bucket bounds as a reader thinks of them. */
function duration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** `readme` with the text between the markers replaced by the current table. */
export function readmeWithMetricsTable(readme: string): string {
  const start = readme.indexOf(METRICS_TABLE_START);
  const end = readme.indexOf(METRICS_TABLE_END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`README has no ${METRICS_TABLE_START} … ${METRICS_TABLE_END} pair; add both where the table belongs`);
  }
  return `${readme.slice(0, start + METRICS_TABLE_START.length)}\n${metricsTable()}\n${readme.slice(end)}`;
}
