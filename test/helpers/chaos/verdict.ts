/**
 * The end of a chaos run: whether the work has drained (a positive signal to wait for before
 * counting), then the guarantees of ../shared/SPEC.md checked one by one, and the figures.
 */
import type { LogLine } from '../bot-process.js';
import { cardsFor, CHAT, type Stack } from '../stack.js';
import type { FaultCounts } from './faults.js';
import type { ChaosEvent, Workload } from './workload.js';

/** In BOT_LANGUAGE=en (the stack's): the answer to a comment, and the card shown while Guance's limit is spent. */
const COMMENT_ADDED = 'Comment added to';
const WAITING = "Waiting for Guance's limit";

const answersTo = (stack: Stack, event: ChaosEvent) => stack.lark.repliesTo(event.messageId);
const commentsOf = (stack: Stack, event: ChaosEvent) => stack.guance.repliesOf(event.issueUuid).filter((r) => r.content.includes(event.tag));

/** Every effect the run expects has appeared at least once (exactly-once is checked afterwards). */
export function effectsSeen(stack: Stack, workload: Workload): boolean {
  return (
    workload.issues.every((issue) => cardsFor(stack, issue.uuid).length > 0) &&
    workload.events.every((event) => commentsOf(stack, event).length > 0 && answersTo(stack, event).some((m) => !m.content.includes(WAITING)))
  );
}

export interface ChaosFigures {
  seconds: { faults: number; drain: number; total: number };
  replicas: number;
  kills: number;
  restarts: number;
  cards: { expected: number; seen: number; issuesWithExactlyOne: number };
  events: { count: number; deliveriesEach: number; deliveriesAccepted: number; attempts: Record<string, number> };
  comments: { expected: number; seen: number; eventsWithExactlyOne: number };
  answers: { expected: number; seen: number; eventsWithExactlyOne: number; viaWaitingCard: number };
  faults: FaultCounts & { total: number };
  guance: { requests: number; byEndpoint: Record<string, number>; budgetPerMinute: number; maxPerMinute: number; rateLimitedByItsLimiter: number };
  jobsFailedForGood: Record<string, number>;
}

export interface Verdict {
  figures: ChaosFigures;
  /** Broken guarantees, one line each; empty when the run held. */
  violations: string[];
}

export interface VerdictInput {
  stack: Stack;
  workload: Workload;
  faults: FaultCounts;
  logs: LogLine[];
  budget: number;
  replicas: { count: number; kills: number; restarts: number };
  seconds: ChaosFigures['seconds'];
  drained: boolean;
}

export function judge(input: VerdictInput): Verdict {
  const { stack, workload, budget } = input;
  const violations: string[] = [];
  if (!input.drained) violations.push('the work did not drain in time (see below what is missing)');

  const cardCounts = workload.issues.map((issue) => [issue.uuid, cardsFor(stack, issue.uuid).length] as const);
  for (const [uuid, n] of cardCounts) if (n !== 1) violations.push(`issue ${uuid}: ${n} cards (want exactly 1)`);
  const cardsSeen = stack.lark.cardsIn(CHAT).length;
  if (cardsSeen !== workload.issues.length) violations.push(`chat holds ${cardsSeen} cards for ${workload.issues.length} issues`);

  let viaWaitingCard = 0;
  const perEvent = workload.events.map((event) => {
    const comments = commentsOf(stack, event).length;
    const answers = answersTo(stack, event);
    viaWaitingCard += answers.filter((m) => m.patches.length > 0).length;
    if (event.lost > 0) violations.push(`event ${event.tag}: ${event.lost} deliveries never answered 200`);
    if (comments !== 1) violations.push(`event ${event.tag}: ${comments} Guance comments (want exactly 1)`);
    if (answers.length !== 1) violations.push(`event ${event.tag}: ${answers.length} answers (want exactly 1)`);
    const last = answers.at(-1)?.content ?? '';
    if (answers.length > 0 && !last.includes(COMMENT_ADDED)) violations.push(`event ${event.tag}: the answer is not the result: ${last.slice(0, 160)}`);
    return { comments, answers: answers.length };
  });

  const maxPerMinute = stack.guance.maxRequestsPerMinute();
  if (maxPerMinute > budget) violations.push(`Guance saw ${maxPerMinute} requests in one rolling minute (budget ${budget})`);

  const failedForGood: Record<string, number> = {};
  for (const line of input.logs) {
    if (line.message !== 'job failed for good') continue;
    const key = `${String(line.queue)}/${String(line.job)}`;
    failedForGood[key] = (failedForGood[key] ?? 0) + 1;
  }
  const faultsTotal = Object.values(input.faults).reduce((a, b) => a + b, 0);
  const limited = stack.guance.requests.filter((r) => r.rateLimited).length;

  return {
    violations,
    figures: {
      seconds: input.seconds,
      replicas: input.replicas.count,
      kills: input.replicas.kills,
      restarts: input.replicas.restarts,
      cards: { expected: workload.issues.length, seen: cardsSeen, issuesWithExactlyOne: cardCounts.filter(([, n]) => n === 1).length },
      events: {
        count: workload.events.length,
        deliveriesEach: workload.events.length ? Math.max(...workload.events.map((e) => e.accepted + e.lost)) : 0,
        deliveriesAccepted: workload.events.reduce((sum, e) => sum + e.accepted, 0),
        attempts: Object.fromEntries(workload.delivery.outcomes),
      },
      comments: { expected: workload.events.length, seen: perEvent.reduce((s, e) => s + e.comments, 0), eventsWithExactlyOne: perEvent.filter((e) => e.comments === 1).length },
      answers: {
        expected: workload.events.length,
        seen: perEvent.reduce((s, e) => s + e.answers, 0),
        eventsWithExactlyOne: perEvent.filter((e) => e.answers === 1).length,
        viaWaitingCard,
      },
      faults: { ...input.faults, total: faultsTotal },
      guance: {
        requests: stack.guance.requests.length,
        byEndpoint: byEndpoint(stack),
        budgetPerMinute: budget,
        maxPerMinute,
        rateLimitedByItsLimiter: Math.max(0, limited - input.faults.guanceRateLimited),
      },
      jobsFailedForGood: failedForGood,
    },
  };
}

/** `issue/reply/issue_…/list` → `issue/reply/:uuid/list`. */
function byEndpoint(stack: Stack): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of stack.guance.requests) {
    const key = `${r.method} ${r.path.replace('/api/v1/', '').replace(/issue_[A-Za-z0-9]+/g, ':uuid')}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** The figures as lines for a terminal. */
export function report(verdict: Verdict): string[] {
  const f = verdict.figures;
  const kv = (record: Record<string, number>) => Object.entries(record).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  return [
    `time: faults ${f.seconds.faults.toFixed(1)} s, drain ${f.seconds.drain.toFixed(1)} s, total ${f.seconds.total.toFixed(1)} s`,
    `replicas: ${f.replicas}; SIGKILLs: ${f.kills}; restarts: ${f.restarts}`,
    `cards: expected ${f.cards.expected}, seen ${f.cards.seen}, issues with exactly one ${f.cards.issuesWithExactlyOne}/${f.cards.expected}`,
    `events: ${f.events.count} × ${f.events.deliveriesEach} deliveries, accepted ${f.events.deliveriesAccepted}; delivery attempts by outcome: ${kv(f.events.attempts)}`,
    `comments: expected ${f.comments.expected}, seen ${f.comments.seen}, events with exactly one ${f.comments.eventsWithExactlyOne}/${f.comments.expected}`,
    `answers: expected ${f.answers.expected}, seen ${f.answers.seen}, events with exactly one ${f.answers.eventsWithExactlyOne}/${f.answers.expected} (${f.answers.viaWaitingCard} via a "waiting" card updated in place)`,
    `faults injected: ${f.faults.total} (Lark 500 ${f.faults.larkServerError}, Lark answers lost after the work ${f.faults.larkLostAnswer}, Lark 429 ${f.faults.larkRateLimited}, Guance 5xx ${f.faults.guanceServerError}, Guance rate-limited ${f.faults.guanceRateLimited})`,
    `Guance: ${f.guance.requests} requests, max ${f.guance.maxPerMinute} in any rolling minute (budget ${f.guance.budgetPerMinute}); answered by its own limiter: ${f.guance.rateLimitedByItsLimiter}`,
    `  by endpoint: ${kv(f.guance.byEndpoint)}`,
    `jobs failed for good: ${kv(f.jobsFailedForGood)}`,
    verdict.violations.length === 0 ? 'guarantees: all held' : `guarantees BROKEN (${verdict.violations.length}):`,
    ...verdict.violations.slice(0, 40).map((v) => `  - ${v}`),
  ];
}
