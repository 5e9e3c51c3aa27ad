/**
 * LARK_EVENT_MODE=ws: the bot's long-connection ingress (src/lark/ws-ingress.ts) in this process against the
 * long-connection fake (test/fakes/lark/ws-endpoint.ts), the Lark and Guance fakes at normal speed and real Redis.
 * Card clicks answered in the ack, a flood of comment commands, and the same clicks over POST /lark/events of an
 * HTTP-mode replica on the same Redis and fakes (in ws mode /lark/* is off) for comparison.
 */
import { randomBytes } from 'node:crypto';
import { buildApp } from '../src/app.js';
import { createLogger } from '../src/logger.js';
import type { Ack } from '../test/fakes/lark/ws-endpoint.js';
import { waitForCard } from '../test/helpers/cards.js';
import { cardActionEvent, encryptPayload, messageEvent, signEvent } from '../test/helpers/lark-signing.js';
import { freePort } from '../test/helpers/ports.js';
import { ALICE, startWsStack, type WsStack } from '../test/helpers/ws-stack.js';
import { percentile } from './stats.js';

const ENCRYPT_KEY = 'bench-ws-encrypt-key';
const TOKEN = 'bench-ws-token';
/** Wide budget on both sides (the most the bot accepts): the ingress is measured, not Guance's 20/min. */
const PER_MINUTE = 10_000;
const DEADLINE_MS = 3_000;
const BOB = { open_id: 'ou_bench_bob_00000000000000000002', name: 'Bench Bob' };
/**
 * Comment commands come from this many groups: every answer is a Lark reply, paced to Lark's 5 messages/s per chat
 * (the fake enforces it), so from one group 1,000 answers alone would take 200 s.
 */
const CHATS = 50;

interface Answer {
  ms: number;
  ok: boolean;
  toast: string;
  card: boolean;
}
type Value = { action: 'ack' | 'reopen'; issue: string };

/**
 * Resolves on the fake's ack for a message id as the fake records it (hooked on its `acks` array):
 * `waitForAck` polls every 10 ms, too coarse for these latencies and a drag on 20 waiters.
 */
function ackWatcher(stack: WsStack): (envelope: unknown) => Promise<{ ack: Ack; ms: number }> {
  const waiting = new Map<string, (ack: Ack) => void>();
  const { acks } = stack.ws;
  const record = acks.push.bind(acks);
  acks.push = (...items: Ack[]) => {
    for (const ack of items) waiting.get(ack.messageId)?.(ack);
    return record(...items);
  };
  return (envelope) =>
    new Promise((resolve, reject) => {
      const messageId = `bench_${randomBytes(8).toString('hex')}`;
      const timer = setTimeout(() => reject(new Error(`no ack for ${messageId} within 30 s`)), 30_000);
      const started = performance.now();
      waiting.set(messageId, (ack) => {
        clearTimeout(timer);
        waiting.delete(messageId);
        resolve({ ack, ms: performance.now() - started });
      });
      stack.ws.push(envelope, { messageId });
    });
}

function answerOf(ms: number, ok: boolean, body: unknown): Answer {
  const { toast, card } = (body ?? {}) as { toast?: { content?: string }; card?: unknown };
  return { ms, ok, toast: toast?.content ?? '', card: card !== undefined };
}

async function httpClick(url: string, messageId: string, value: Value, operator: string): Promise<Answer> {
  const { payload } = cardActionEvent({ messageId, value, operatorOpenId: operator, token: TOKEN });
  const body = encryptPayload(payload, ENCRYPT_KEY);
  const headers = signEvent(body, ENCRYPT_KEY);
  const started = performance.now();
  const response = await fetch(`${url}/lark/events`, { method: 'POST', headers, body });
  const json: unknown = await response.json();
  return answerOf(performance.now() - started, response.status === 200, json);
}

const ms = (values: number[], p: number | 'max') => (p === 'max' ? Math.max(...values) : percentile(values, p)).toFixed(1).padStart(8);

function row(name: string, clicks: Answer[]): string {
  const times = clicks.map((c) => c.ms);
  const withCard = clicks.filter((c) => c.card).length;
  const bad = clicks.filter((c) => !c.ok).length;
  return [name.padEnd(40), String(clicks.length).padStart(6), ms(times, 50), ms(times, 95), ms(times, 99), ms(times, 'max'), String(withCard).padStart(8), String(bad).padStart(8)].join(' ');
}

function tally(clicks: Answer[]): string {
  const counts = new Map<string, number>();
  for (const click of clicks) {
    const key = `${click.toast || '(none)'}${click.card ? ' + card' : ', no card'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([toast, count]) => `${toast} ×${count}`).join(', ');
}

/** "@bot #<issue>#text" from Alice in one of CHATS groups; the message exists in the Lark fake, so replies to it work. */
function commentEvent(stack: WsStack, issueUuid: string, n: number): { payload: unknown; messageId: string } {
  const chatId = `oc_bench_ws_${String(n % CHATS).padStart(3, '0')}`;
  const mentions = [{ key: '@_user_1', id: { open_id: stack.lark.botOpenId }, name: 'IssueBot', mentioned_type: 'bot' }];
  const { payload, messageId } = messageEvent({ text: `@_user_1 #${issueUuid}#bench ws comment ${n}.`, mentions, senderOpenId: ALICE.open_id, chatId });
  stack.lark.addIncomingMessage({ chat_id: chatId, message_id: messageId });
  return { payload, messageId };
}

export async function benchWs(): Promise<void> {
  const clicks = Number(process.env.BENCH_CLICKS ?? 200);
  const messages = Number(process.env.BENCH_WS_MESSAGES ?? 1_000);
  const inFlight = Number(process.env.BENCH_WS_IN_FLIGHT ?? 20);
  const port = await freePort();
  const stack = await startWsStack('bench-ws', {
    guance: { requestsPerMinute: PER_MINUTE },
    env: { LARK_ENCRYPT_KEY: ENCRYPT_KEY, LARK_VERIFICATION_TOKEN: TOKEN, GUANCE_REQUESTS_PER_MINUTE: String(PER_MINUTE) },
  });
  // The HTTP path: a replica of the same bot in LARK_EVENT_MODE=http (same prefix, Redis and fakes).
  const httpReplica = buildApp({ ...stack.config, larkEventMode: 'http', port }, { log: createLogger({ level: 'error', secrets: [] }) });
  await httpReplica.start();
  try {
    stack.lark.addUser(BOB);
    const pushed = ackWatcher(stack);
    const url = `http://127.0.0.1:${port}`;
    const clickIssue = stack.guance.createIssue({ name: 'Bench: click me over the connection', level: 'P1' }).uuid;
    const commentIssue = stack.guance.createIssue({ name: 'Bench: comment me', level: 'P2' }).uuid;
    const card = await waitForCard(stack, clickIssue, 60_000);
    await waitForCard(stack, commentIssue, 60_000);
    // Alternating acknowledge / reopen: every click changes the issue (Guance read + modify + comment, card re-rendered).
    const value = (i: number): Value => ({ action: i % 2 === 0 ? 'ack' : 'reopen', issue: clickIssue });
    const operator = (i: number) => (i % 2 === 0 ? ALICE : BOB).open_id;
    const wsClick = async (i: number): Promise<Answer> => {
      const { ack, ms: took } = await pushed(cardActionEvent({ messageId: card.message_id, value: value(i), operatorOpenId: operator(i) }).payload);
      return answerOf(took, ack.code === 200, ack.data);
    };
    const run = async (n: number, click: (i: number) => Promise<Answer>) => {
      const answers: Answer[] = [];
      for (let i = 0; i < n; i += 1) answers.push(await click(i));
      return answers;
    };

    // Warm-up on both paths (even counts: the issue is open again after each run).
    await run(10, wsClick);
    await run(10, (i) => httpClick(url, card.message_id, value(i), operator(i)));
    const overWs = await run(clicks, wsClick);
    const overHttp = await run(clicks, (i) => httpClick(url, card.message_id, value(i), operator(i)));
    await stack.jobs.idle('clicks', 60_000);
    const modifies = stack.guance.requestsMatching(`POST /api/v1/issue/${clickIssue}/modify`).length;

    // Comment commands as fast as acks come back, `inFlight` unacked at a time.
    const ackMs: number[] = [];
    let next = 0;
    let refused = 0;
    const messageIds: string[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < messages) {
          const { payload, messageId } = commentEvent(stack, commentIssue, next++);
          messageIds.push(messageId);
          const { ack, ms: took } = await pushed(payload);
          ackMs.push(took);
          if (ack.code !== 200) refused += 1;
        }
      }),
    );
    const ackedIn = (performance.now() - started) / 1000;
    await stack.jobs.idle('inbound', 600_000);
    const drainedIn = (performance.now() - started) / 1000;
    const perMessage = new Map<number, number>();
    for (const r of stack.guance.requestsMatching('POST /api/v1/issue/reply/create')) {
      const n = /bench ws comment (\d+)\./.exec(JSON.stringify(r.body))?.[1];
      if (n !== undefined) perMessage.set(Number(n), (perMessage.get(Number(n)) ?? 0) + 1);
    }
    const once = [...perMessage.values()].filter((count) => count === 1).length;
    const extra = [...perMessage.values()].reduce((sum, count) => sum + Math.max(0, count - 1), 0);
    const failed = stack.jobs.list('inbound', { name: 'message' }).filter((job) => job.state === 'failed').length;
    const answered = messageIds.filter((id) => stack.lark.repliesTo(id).length === 1).length;

    console.log('\n== ws: LARK_EVENT_MODE=ws, long-connection fake → in-process bot (fakes at normal speed, real Redis) ==');
    const head = ['p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'w/ card', 'non-200'].map((h) => h.padStart(8)).join(' ');
    console.log(`${'card clicks, sequential ack/reopen'.padEnd(40)} ${'clicks'.padStart(6)} ${head}`);
    console.log(row('over the connection (answer in the ack)', overWs));
    console.log(row('over POST /lark/events (http replica)', overHttp));
    console.log(`answers (ws): ${tally(overWs)}`);
    console.log(`answers (http): ${tally(overHttp)}`);
    console.log(`Guance modifies: ${modifies} for ${20 + 2 * clicks} changing clicks (20 warm-up)`);
    const all = [...overWs, ...overHttp];
    console.log(`target: every click answer < ${DEADLINE_MS} ms (Lark's deadline) → ${all.every((c) => c.ms < DEADLINE_MS) ? 'met' : 'NOT met'}`);
    console.log(
      `comment events over the connection: ${messages} (${inFlight} in flight, ${CHATS} chats) acked in ${ackedIn.toFixed(2)} s = ` +
        `${(messages / ackedIn).toFixed(0)} events/s; ack p50 ${percentile(ackMs, 50).toFixed(1)} ms, p99 ${percentile(ackMs, 99).toFixed(1)} ms, ` +
        `max ${Math.max(...ackMs).toFixed(1)} ms; non-200 acks ${refused}`,
    );
    console.log(
      `inbound queue drained ${drainedIn.toFixed(1)} s after the first push: Guance comments exactly once ${once}/${messages}, ` +
        `missing ${messages - perMessage.size}, duplicates ${extra}; answered once in Lark ${answered}; failed jobs ${failed}; protocol errors ${stack.ws.protocolErrors.length}`,
    );
  } finally {
    await httpReplica.stop();
    await stack.close();
  }
}
