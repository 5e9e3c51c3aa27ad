/** A small Prometheus text-format registry: counters and gauges with labels, per process. */
type Labels = Record<string, string>;

interface Series {
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, number>;
  collect?: () => Promise<Array<[Labels, number]>>;
}

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  const entries = keys.length === 1 ? Object.entries(labels) : Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1));
  const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `{${entries.map(([k, v]) => `${k}="${escape(v)}"`).join(',')}}`;
}

export class Metrics {
  private readonly series = new Map<string, Series>();

  constructor(private readonly namespace = 'larkbot') {}

  private get(name: string, help: string, type: Series['type']): Series {
    const full = `${this.namespace}_${name}`;
    let series = this.series.get(full);
    if (!series) {
      series = { help, type, values: new Map() };
      this.series.set(full, series);
    }
    return series;
  }

  inc(name: string, help: string, labels: Labels = {}, by = 1): void {
    const series = this.get(name, help, 'counter');
    const key = labelKey(labels);
    series.values.set(key, (series.values.get(key) ?? 0) + by);
  }

  set(name: string, help: string, value: number, labels: Labels = {}): void {
    this.get(name, help, 'gauge').values.set(labelKey(labels), value);
  }

  /** A gauge read when /metrics is scraped (queue depths, budget left). */
  gaugeFrom(name: string, help: string, collect: () => Promise<Array<[Labels, number]>>): void {
    this.get(name, help, 'gauge').collect = collect;
  }

  async render(): Promise<string> {
    const lines: string[] = [];
    for (const [name, series] of this.series) {
      if (series.collect) {
        try {
          for (const [labels, value] of await series.collect()) series.values.set(labelKey(labels), value);
        } catch {
          continue; // a collector that cannot reach Redis leaves its last values out rather than failing the scrape
        }
      }
      lines.push(`# HELP ${name} ${series.help}`, `# TYPE ${name} ${series.type}`);
      for (const [labels, value] of series.values) lines.push(`${name}${labels} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
