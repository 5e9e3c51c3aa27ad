import type { GuanceFake } from '../../fakes/guance-server.js';
import type { LarkFake } from '../../fakes/lark-server.js';
import type { Delivery } from './sender.js';

/** Lark's deadline for an answer to a push (../shared/SPEC.md: "within its 3-second deadline, always"). */
export const LARK_DEADLINE_MS = 3_000;

/** When Redis was away, as the run saw it. */
export interface OutageWindow {
  /** Just before Redis was told to stop. */
  stopAt: number;
  /** The new redis-server answered PING. */
  restartedAt: number;
  /** The bot's /readyz answered 200 again (the answer's arrival). */
  readyAgainAt: number;
}

export interface QueueCounts {
  completed: number;
  failed: number;
  /** waiting + active + delayed + prioritized + paused. */
  unfinished: number;
}

export interface SoakEvidence {
  deliveries: readonly Delivery[];
  outage: OutageWindow;
  lark: LarkFake;
  guance: GuanceFake;
  issueUuid: string;
  /** Messages the bot itself posted before the load (the issue card). */
  messagesBefore: number;
  inbound: QueueCounts;
  guanceBudget: number;
  botAlive: boolean;
  /** Log lines of the bot that must never appear (message → count). */
  forbiddenLogs: Record<string, number>;
}

export interface TrafficFigures {
  events: number;
  comments: number;
  pushes: number;
  answered200: number;
  answered503: number;
  /** Events that got at least one 503 (and were re-sent), and how many of them were comments. */
  resentEvents: number;
  resentComments: number;
  p99LatencyMs: number;
  maxLatencyMs: number;
  /** First and last push answered 503, ms after the stop. */
  first503AfterStopMs: number;
  last503AfterStopMs: number;
  guanceCreates: number;
  guanceMaxPerMinute: number;
  larkAnswers: number;
}

/** Every broken guarantee as one line (empty: all held), and the figures the run reports. */
export function checkSoak(e: SoakEvidence): { violations: string[]; figures: TrafficFigures } {
  const violations: string[] = [];
  const fail = (line: string, examples: readonly string[] = []) =>
    violations.push(examples.length ? `${line} (e.g. ${examples.slice(0, 3).join(', ')})` : line);
  const attempts = e.deliveries.flatMap((d) => d.attempts.map((a) => ({ ...a, messageId: d.event.messageId })));
  const { stopAt, readyAgainAt } = e.outage;

  // 503 only while Redis is away: answered after the stop began, sent before the bot said it was ready again.
  const stray503 = attempts.filter((a) => a.status === 503 && !(a.answeredAt >= stopAt && a.sentAt <= readyAgainAt));
  if (stray503.length) fail(`${stray503.length} pushes answered 503 while Redis was up`, stray503.map((a) => a.messageId));
  const odd = attempts.filter((a) => a.status !== 200 && a.status !== 503);
  if (odd.length) fail(`${odd.length} pushes answered neither 200 nor 503`, odd.map((a) => `${a.messageId}: ${a.status || 'no answer'}`));
  const all503 = attempts.filter((a) => a.status === 503);
  if (all503.length === 0) fail('no push was answered 503: the Redis outage was not exercised');
  const latencies = attempts.filter((a) => a.status !== 0).map((a) => a.answeredAt - a.sentAt).sort((a, b) => a - b);
  const late = attempts.filter((a) => a.status !== 0 && a.answeredAt - a.sentAt > LARK_DEADLINE_MS);
  if (late.length) fail(`${late.length} pushes answered after Lark's ${LARK_DEADLINE_MS} ms deadline`, late.map((a) => a.messageId));
  const neverAccepted = e.deliveries.filter((d) => !d.attempts.some((a) => a.status === 200));
  if (neverAccepted.length) fail(`${neverAccepted.length} events never answered 200`, neverAccepted.map((d) => d.event.messageId));

  // Every accepted comment: exactly one Guance comment, exactly one confirming answer in Lark.
  const comments = e.deliveries.filter((d) => d.event.kind === 'comment');
  const creates = e.guance.requests.filter((r) => r.method === 'POST' && r.path.includes('/issue/reply/create'));
  const createsByRef = countBy(creates.flatMap((r) => JSON.stringify(r.body ?? null).match(/om_[0-9a-f]+/g) ?? []));
  const repliesByIndex = countBy(
    e.guance.repliesOf(e.issueUuid).flatMap((r) => /soak comment (\d+)$/.exec(r.content)?.[1] ?? []),
  );
  const wrongCreates = comments.filter((d) => createsByRef.get(d.event.messageId) !== 1);
  if (wrongCreates.length) {
    fail(`${wrongCreates.length} comments did not reach Guance exactly once`, wrongCreates.map((d) => `${d.event.messageId}: ${createsByRef.get(d.event.messageId) ?? 0}`));
  }
  const wrongReplies = comments.filter((d) => repliesByIndex.get(String(d.event.index)) !== 1);
  if (wrongReplies.length) fail(`${wrongReplies.length} comments are not in Guance exactly once`, wrongReplies.map((d) => `#${d.event.index}`));
  const wrongAnswers = comments.filter((d) => {
    const answers = e.lark.repliesTo(d.event.messageId);
    return answers.length !== 1 || !answers[0]?.content.includes('Comment added');
  });
  if (wrongAnswers.length) {
    fail(`${wrongAnswers.length} comments did not get exactly one "Comment added" answer`, wrongAnswers.map((d) => `${d.event.messageId}: ${e.lark.repliesTo(d.event.messageId).length}`));
  }
  const answeredChatter = e.deliveries.filter((d) => d.event.kind !== 'comment' && e.lark.repliesTo(d.event.messageId).length > 0);
  if (answeredChatter.length) fail(`${answeredChatter.length} messages not for the bot were answered`, answeredChatter.map((d) => d.event.messageId));
  const extraMessages = e.lark.messages.length - e.messagesBefore - comments.length;
  if (extraMessages !== 0) fail(`the bot posted ${extraMessages} Lark messages besides one answer per comment`);
  if (creates.length !== comments.length) fail(`${creates.length} Guance comment requests for ${comments.length} comments`);

  // Every accepted event was run to completion once: one completed job per message id, none failed or left over.
  if (e.inbound.completed !== e.deliveries.length) fail(`${e.inbound.completed} inbound jobs completed for ${e.deliveries.length} events`);
  if (e.inbound.failed) fail(`${e.inbound.failed} inbound jobs failed`);
  if (e.inbound.unfinished) fail(`${e.inbound.unfinished} inbound jobs left unfinished`);

  const maxPerMinute = e.guance.maxRequestsPerMinute();
  if (maxPerMinute > e.guanceBudget) fail(`Guance saw ${maxPerMinute} requests in a minute; the budget is ${e.guanceBudget}`);
  const limited = e.guance.requests.filter((r) => r.rateLimited).length;
  if (limited) fail(`${limited} Guance requests were rate-limited`);
  if (!e.botAlive) fail('the bot process exited (recovery must not need a restart)');
  for (const [message, count] of Object.entries(e.forbiddenLogs)) if (count) fail(`the bot logged "${message}" ${count} times`);

  const firstAndLast = all503.map((a) => a.answeredAt - stopAt);
  return {
    violations,
    figures: {
      events: e.deliveries.length,
      comments: comments.length,
      pushes: attempts.length,
      answered200: attempts.filter((a) => a.status === 200).length,
      answered503: all503.length,
      resentEvents: e.deliveries.filter((d) => d.attempts.length > 1).length,
      resentComments: comments.filter((d) => d.attempts.length > 1).length,
      p99LatencyMs: latencies[Math.max(0, Math.ceil(latencies.length * 0.99) - 1)] ?? Number.NaN,
      maxLatencyMs: latencies.at(-1) ?? Number.NaN,
      first503AfterStopMs: firstAndLast.length ? Math.min(...firstAndLast) : Number.NaN,
      last503AfterStopMs: firstAndLast.length ? Math.max(...firstAndLast) : Number.NaN,
      guanceCreates: creates.length,
      guanceMaxPerMinute: maxPerMinute,
      larkAnswers: e.lark.messages.length - e.messagesBefore,
    },
  };
}

function countBy(keys: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}
