import { readFileSync } from 'node:fs';

export interface RssSample {
  at: number;
  mb: number;
}

/** Resident set size of a process, MB, from /proc (Linux); undefined when it cannot be read (gone, not Linux). */
export function readRssMb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS at a fixed interval, from start() until stop(). */
export class RssSampler {
  readonly samples: RssSample[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pid: number, private readonly everyMs = 1_000) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
  }

  /** Takes a sample now (besides the periodic ones) and returns it. */
  sample(): number | undefined {
    const mb = readRssMb(this.pid);
    if (mb !== undefined) this.samples.push({ at: Date.now(), mb });
    return mb;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  between(from: number, to: number): RssSample[] {
    return this.samples.filter((s) => s.at >= from && s.at <= to);
  }
}

/** Least-squares slope of RSS over time, MB per minute (NaN with fewer than two samples). */
export function slopeMbPerMinute(samples: readonly RssSample[]): number {
  if (samples.length < 2) return Number.NaN;
  const first = samples[0]?.at ?? 0;
  const xs = samples.map((s) => (s.at - first) / 60_000);
  const ys = samples.map((s) => s.mb);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const mx = mean(xs);
  const my = mean(ys);
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * ((ys[i] ?? my) - my);
    den += (x - mx) ** 2;
  });
  return den === 0 ? Number.NaN : num / den;
}

export const maxMb = (samples: readonly RssSample[]) => samples.reduce((m, s) => Math.max(m, s.mb), 0);
export function medianMb(samples: readonly RssSample[]): number {
  const sorted = samples.map((s) => s.mb).sort((a, b) => a - b);
  return sorted.length ? (sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN) : Number.NaN;
}

/** The bot's own view of its JS heap (used bytes, from /metrics), MB: tells retained objects from memory not yet returned. */
export async function heapUsedMb(botUrl: string): Promise<number> {
  const text = await fetch(`${botUrl}/metrics`)
    .then((response) => response.text())
    .catch(() => '');
  const match = /^\w*nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([\d.e+]+)$/m.exec(text);
  return match?.[1] ? Number(match[1]) / 1024 / 1024 : Number.NaN;
}
