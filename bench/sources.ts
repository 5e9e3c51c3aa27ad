import { readFileSync } from 'node:fs';
import { freePort } from '../test/helpers/ports.js';
import { sentrySignature } from '../test/helpers/sources.js';
import { CHAT, startStack, type Stack } from '../test/helpers/stack.js';
import { sleep, waitFor } from '../test/helpers/wait.js';
import { pacedLoad } from './paced.js';
import { percentile } from './stats.js';

const ALERT_TOKEN = 'bench-alert-token';
const SENTRY_SECRET = 'bench-sentry-secret';
const ERROR_TOKEN = 'bench-error-token';
const PUSH_TOKEN = 'bench-push-token';

const fixture = (path: string) => JSON.parse(readFileSync(new URL(`../test/fixtures/${path}`, import.meta.url), 'utf8')) as Record<string, unknown>;

interface Request {
  path: string;
  body: string;
  headers: Record<string, string>;
}

/** One notification per source, each with a title of its own so its card can be found. */
const requests: Record<string, (title: string, n: number) => Request> = {
  'guance-alert': (title, n) => ({
    path: `/webhooks/guance-alert?token=${ALERT_TOKEN}`,
    body: JSON.stringify({ ...fixture('guance/alert-webhook-custom-payload.json'), df_event_id: `event-bench-${n}`, df_fault_id: `fault-bench-${n}`, df_title: title }),
    headers: { 'content-type': 'application/json' },
  }),
  sentry: (title, n) => {
    const sample = fixture('sentry/integration-issue-created.docs.json') as { data: { issue: Record<string, unknown> } };
    const body = JSON.stringify({ ...sample, data: { issue: { ...sample.data.issue, id: String(9_000_000 + n), title } } });
    return {
      path: '/webhooks/sentry',
      body,
      headers: { 'content-type': 'application/json', 'sentry-hook-resource': 'issue', 'sentry-hook-signature': sentrySignature(SENTRY_SECRET, body) },
    };
  },
  'error-api': (title) => ({
    path: '/api/errors',
    body: JSON.stringify({ service: 'bench', message: title }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ERROR_TOKEN}` },
  }),
};

const cardTime = (stack: Stack, needle: string) => stack.lark.cardsIn(CHAT).find((m) => m.content.includes(needle))?.create_time;

function line(name: string, latencies: number[]): string {
  return `${name.padEnd(14)} n=${String(latencies.length).padStart(3)}  p50 ${percentile(latencies, 50).toFixed(0).padStart(5)} ms  p95 ${percentile(latencies, 95).toFixed(0).padStart(5)} ms  max ${Math.max(...latencies).toFixed(0).padStart(5)} ms`;
}

/** webhook → card at the Lark fake, per source; Guance push hint → card; webhook answer latency at 200 requests/s. */
export async function benchSources(): Promise<void> {
  const perSource = Number(process.env.BENCH_PER_SOURCE ?? 40);
  const hints = Number(process.env.BENCH_HINTS ?? 15);
  /** A new issue every so often: at one every 6 s hint polls alone take the poller's whole share of 20/min. */
  const hintGapMs = Number(process.env.BENCH_HINT_GAP_MS ?? 10_000);
  const stack = await startStack('bench-sources', {
    env: { GUANCE_ALERT_TOKEN: ALERT_TOKEN, SENTRY_CLIENT_SECRET: SENTRY_SECRET, ERROR_API_TOKEN: ERROR_TOKEN, GUANCE_WEBHOOK_TOKEN: PUSH_TOKEN },
  });
  try {
    const bot = await stack.startBot({ PORT: String(await freePort()), LOG_LEVEL: 'warn' });
    const post = (request: Request) => fetch(`${bot.url}${request.path}`, { method: 'POST', headers: request.headers, body: request.body });
    await sleep(3_000); // the first poll and lookups

    console.log('\n== webhook → card at Lark (fakes at normal speed; 2 notifications/s, under Lark’s 5/s per chat) ==');
    let n = 0;
    for (const [source, make] of Object.entries(requests)) {
      const sentAt = new Map<string, number>();
      for (let i = 0; i < perSource; i += 1) {
        const title = `bench ${source} ${i} ${Date.now()}`;
        n += 1;
        sentAt.set(title, Date.now());
        const answer = await post(make(title, n));
        if (answer.status !== 202) throw new Error(`${source} answered ${answer.status}`);
        await sleep(500);
      }
      await waitFor(() => [...sentAt.keys()].every((title) => cardTime(stack, title) !== undefined), `${source} cards`, 60_000, 50);
      console.log(line(source, [...sentAt].map(([title, at]) => (cardTime(stack, title) ?? at) - at)));
    }

    console.log(`\n== Guance push hint → card for a new issue (${hints} issues, one every ${hintGapMs / 1000} s; poll interval without hints: 7 s) ==`);
    const hinted: number[] = [];
    for (let i = 0; i < hints; i += 1) {
      const issue = stack.guance.createIssue({ name: `bench hinted issue ${i}`, level: 'P2' });
      const at = Date.now();
      await post({ path: `/webhooks/guance-issue?token=${PUSH_TOKEN}`, body: JSON.stringify({ issue_uuid: issue.uuid }), headers: { 'content-type': 'application/json' } });
      const created = await waitFor(() => cardTime(stack, issue.uuid), `the card of ${issue.uuid}`, 30_000, 20);
      hinted.push(created - at);
      await sleep(Math.max(0, hintGapMs - (Date.now() - at)));
    }
    console.log(line('hint → card', hinted));
    console.log(`Guance requests: max in any rolling minute ${stack.guance.maxRequestsPerMinute()} (budget 20)`);

    console.log('\n== webhook answer latency at 200 requests/s for 10 s (Guance alerts of one fault round: repeats of one card) ==');
    let k = 0;
    const load = await pacedLoad(
      `${bot.url}/webhooks/guance-alert?token=${ALERT_TOKEN}`,
      () => {
        k += 1;
        const body = JSON.stringify({ ...fixture('guance/alert-webhook-custom-payload.json'), df_event_id: `event-load-${k}`, df_fault_id: 'fault-load' });
        return { body, headers: { 'content-type': 'application/json' } };
      },
      200,
      10,
    );
    console.log(`sent ${load.sent}, 2xx ${load.ok}, ${load.perSecond.toFixed(0)}/s; answer p50 ${load.p50.toFixed(1)} ms, p99 ${load.p99.toFixed(1)} ms (target p99 ≤ 50 ms)`);
  } finally {
    await stack.close();
  }
}
