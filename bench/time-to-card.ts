import { CHAT, startStack } from '../test/helpers/stack.js';
import { sleep, waitFor } from '../test/helpers/wait.js';
import { budgetShares, lowestSafePollInterval } from '../src/config.js';
import { percentile } from './stats.js';

/** 100 issues created in the Guance fake over a minute; how long until each card reaches the Lark fake. */
export async function benchTimeToCard(): Promise<void> {
  const count = Number(process.env.BENCH_ISSUES ?? 100);
  const spreadMs = Number(process.env.BENCH_SPREAD_MS ?? 60_000);
  const stack = await startStack('bench-ttc', { env: { LOG_LEVEL: process.env.BENCH_DEBUG ? 'debug' : 'info' } });
  try {
    await stack.startBot();
    // Measure the steady state: start-up spends a few lookups (channels, levels) from the poller's share.
    const warmupMs = Number(process.env.BENCH_WARMUP_MS ?? 60_000);
    await sleep(warmupMs);
    const createdAt = new Map<string, number>();
    const started = Date.now();
    for (let i = 0; i < count; i += 1) {
      const due = started + (i * spreadMs) / count;
      if (due > Date.now()) await sleep(due - Date.now());
      const issue = stack.guance.createIssue({ name: `bench issue ${i}`, level: `P${i % 4}` });
      createdAt.set(issue.uuid, Date.now());
    }
    await waitFor(() => stack.lark.cardsIn(CHAT).length >= count, `${count} cards`, 120_000, 200);
    const elapsedMinutes = (Date.now() - started) / 60_000;
    const latencies: number[] = [];
    for (const card of stack.lark.cardsIn(CHAT)) {
      const uuid = [...createdAt.keys()].find((id) => card.content.includes(id));
      if (uuid) latencies.push(card.create_time - (createdAt.get(uuid) ?? card.create_time));
    }
    const measured = stack.guance.requests.filter((r) => r.at >= started);
    const guanceRequests = measured.length;
    if (process.env.BENCH_DEBUG) {
      const { jobsIn } = await import('../test/helpers/queues.js');
      const jobs = (await jobsIn(stack.prefix, 'deliver')).filter((j) => j.name === 'post-issue-card').sort((a, b) => a.timestamp - b.timestamp);
      const scheduled = (await jobsIn(stack.prefix, 'schedule')).sort((a, b) => a.timestamp - b.timestamp);
      console.log(stack.guance.requests.map((r) => `${((r.at - started) / 1000).toFixed(1)} ${r.method} ${r.path.replace('/api/v1/', '')} ${r.status}`).join('\n'));
      console.log(JSON.stringify(stack.bots[0]?.logs.filter((l) => /defer|budget/.test(String(l.message))).slice(0, 5)));
      console.log(scheduled.map((j) => `${j.name}@${((j.timestamp - started) / 1000).toFixed(1)}:${(((j.processedOn ?? 0) - j.timestamp) / 1000).toFixed(1)}+${(((j.finishedOn ?? 0) - (j.processedOn ?? 0)) / 1000).toFixed(1)}`).join(' '));
      console.log(jobs.map((j) => `${((j.timestamp - started) / 1000).toFixed(1)}:${(((j.processedOn ?? 0) - j.timestamp) / 1000).toFixed(1)}+${(((j.finishedOn ?? 0) - (j.processedOn ?? 0)) / 1000).toFixed(1)}`).join(' '));
    }
    const pollInterval = lowestSafePollInterval(1, budgetShares(20)); // the derived default at 20 requests/min, one channel
    console.log('\n== time to card: issue created in Guance → card at Lark ==');
    console.log(`issues: ${count} over ${(spreadMs / 1000).toFixed(0)} s, after a ${(warmupMs / 1000).toFixed(0)} s warm-up; cards: ${stack.lark.cardsIn(CHAT).length}`);
    console.log(`p50 ${(percentile(latencies, 50) / 1000).toFixed(2)} s, p95 ${(percentile(latencies, 95) / 1000).toFixed(2)} s, max ${(Math.max(...latencies) / 1000).toFixed(2)} s`);
    console.log(`poll interval: ${pollInterval} s (target p50 ≤ ${pollInterval / 2 + 1} s)`);
    const byKind = (path: string) => measured.filter((r) => r.path.includes(path)).length;
    console.log(`of which issue/list (poller): ${byKind('issue/list')}, reply lists (sync): ${byKind('/issue/reply/')}, lookups: ${byKind('quick_list') + byKind('issue-level')}`);
    console.log(`Guance requests: ${guanceRequests} in ${elapsedMinutes.toFixed(2)} min = ${(guanceRequests / elapsedMinutes).toFixed(1)}/min; max in any rolling minute: ${stack.guance.maxRequestsPerMinute()} (budget 20, target ≤ 10)`);
  } finally {
    await stack.close();
  }
}
