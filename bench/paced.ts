import { Agent, request } from 'node:http';
import { percentile } from './stats.js';

export interface PacedResult {
  sent: number;
  ok: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/**
 * Sends requests at a steady rate (a few every few ms, like independent Lark pushes), not a burst at the start
 * of every second as autocannon's overallRate does; latency is measured per request, send to last byte.
 */
export async function pacedLoad(
  url: string,
  nextBody: () => { body: string; headers: Record<string, string> },
  ratePerSecond: number,
  seconds: number,
): Promise<PacedResult> {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const latencies: number[] = [];
  let ok = 0;
  let sent = 0;
  const total = ratePerSecond * seconds;
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  const fire = () =>
    new Promise<void>((resolve) => {
      const item = nextBody();
      const begin = performance.now();
      const req = request(
        { agent, host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: 'POST', headers: { ...item.headers, 'content-length': Buffer.byteLength(item.body) } },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - begin);
            if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) ok += 1;
            resolve();
          });
        },
      );
      req.on('error', () => resolve());
      req.end(item.body);
    });
  while (sent < total) {
    const due = Math.floor(((performance.now() - started) / 1000) * ratePerSecond);
    while (sent < Math.min(due, total)) {
      sent += 1;
      inflight.push(fire());
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(inflight);
  agent.destroy();
  const elapsed = (performance.now() - started) / 1000;
  return { sent, ok, perSecond: ok / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}
