import { CHAT, startStack } from '../test/helpers/stack.js';
import { sleep, waitFor } from '../test/helpers/wait.js';
import { percentile } from './stats.js';

/** 100 issues created in the Guance fake over a minute; how long until each card reaches the Lark fake. */
export async function benchTimeToCard(): Promise<void> {
  const count = Number(process.env.BENCH_ISSUES ?? 100);
  const spreadMs = Number(process.env.BENCH_SPREAD_MS ?? 60_000);
  const stack = await startStack('bench-ttc', { env: { LOG_LEVEL: 'info' } });
  try {
    await stack.startBot();
    await sleep(2_000);
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
    const guanceRequests = stack.guance.requests.length;
    if (process.env.BENCH_DEBUG) console.log(latencies.sort((a, b) => a - b).join(' '), JSON.stringify(stack.bots[0]?.logs.filter((l) => l.message === 'issue card posted' || l.message === 'poll found issues' || /defer|skip/.test(String(l.message))).map((l) => [l.timestamp, l.message, l.secondsSinceCreated, l.secondsSinceSeen, l.issues]).slice(-70)));
    const pollInterval = 6; // derived default at 20 requests/min and one channel
    console.log('\n== time to card: issue created in Guance → card at Lark ==');
    console.log(`issues: ${count} over ${(spreadMs / 1000).toFixed(0)} s; cards: ${stack.lark.cardsIn(CHAT).length}`);
    console.log(`p50 ${(percentile(latencies, 50) / 1000).toFixed(2)} s, p95 ${(percentile(latencies, 95) / 1000).toFixed(2)} s, max ${(Math.max(...latencies) / 1000).toFixed(2)} s`);
    console.log(`poll interval: ${pollInterval} s (target p50 ≤ ${pollInterval / 2 + 1} s)`);
    console.log(`Guance requests: ${guanceRequests} in ${elapsedMinutes.toFixed(2)} min = ${(guanceRequests / elapsedMinutes).toFixed(1)}/min; max in any rolling minute: ${stack.guance.maxRequestsPerMinute()} (budget 20, target ≤ 10)`);
  } finally {
    await stack.close();
  }
}
