import { createHash } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import { dingTalkMessage, larkWebhookCard, weComMessage } from '../../cards/robot-messages.js';
import type { Ctx } from '../../src/context.js';
import { BusyError } from '../../src/errors.js';
import { JOBS, type JobData } from '../../src/queue/jobs.js';
import { handle } from '../../src/queue/workers.js';
import type { RobotSink, RobotView } from '../../src/robots/types.js';
import { issueSnapshot } from '../issues/index.js';
import { robotViewOf } from './robot-view.js';
import { stormDigestView } from './storm.js';

type PostRobot = JobData<typeof JOBS.postRobot>;

/** Each robot's own format, cut to its own size (cards/robot-messages.ts). */
function messageFor(sink: RobotSink, view: RobotView, ctx: Ctx, jobId: string): Record<string, unknown> {
  if (sink.kind === 'dingtalk') {
    // DingTalk's idempotency key: a retry after a lost answer is not a second message.
    return dingTalkMessage(view, { msgUuid: createHash('sha256').update(jobId).digest('hex').slice(0, 40), lang: ctx.config.language });
  }
  if (sink.kind === 'wecom') return weComMessage(view, ctx.config.language);
  return larkWebhookCard(view, ctx.config.language);
}

async function viewOf(ctx: Ctx, data: PostRobot): Promise<RobotView | null> {
  if (data.digest) return stormDigestView(ctx, data.digest.target, data.digest.window);
  if (!data.itemId) return null;
  let snapshot = await ctx.store.links.snapshot(data.itemId);
  if (!snapshot && data.issue) {
    const fresh = await issueSnapshot(ctx, data.issue);
    snapshot = data.channel && !fresh.channel ? { ...fresh, channel: data.channel } : fresh;
    await ctx.store.links.saveSnapshot(snapshot);
  }
  return snapshot ? robotViewOf(snapshot, ctx.config) : null;
}

/**
 * Every documented limit of the robot, held across replicas (a rolling window per sink in Redis). Returns a step
 * that re-dates the takes to when the robot answered: sends to one sink are sequential (one queue, concurrency 1),
 * so the robot never sees more in its window than we counted in ours, however late a request reached it.
 */
async function takeSendSlot(ctx: Ctx, sink: RobotSink): Promise<() => Promise<void>> {
  const taken: (() => Promise<void>)[] = [];
  for (const limit of ctx.config.robotLimits[sink.kind]) {
    const window = ctx.store.rateWindow(limit.windowMs, limit.limit);
    const name = `robot-rate:${sink.name}:${limit.windowMs}`;
    const { waitMs, entry } = await window.tryTakeEntry(name);
    if (waitMs > 0) throw new BusyError(`${sink.name}: ${limit.limit} messages per ${limit.windowMs} ms reached`, waitMs);
    taken.push(() => window.restamp(name, entry));
  }
  return async () => {
    await Promise.all(taken.map((restamp) => restamp()));
  };
}

/**
 * One card (or storm digest) to one robot sink, exactly once where the robot allows it: the "sent" mark is set
 * after the robot said ok and checked before sending (DingTalk also gets msgUuid; WeCom and Lark robots have no
 * idempotency key, so only a crash between their "ok" and the mark can repeat a message).
 */
export const postRobot = handle(JOBS.postRobot, async (data, ctx, job) => {
  const sink = ctx.routing.current.sinks.get(data.sink);
  if (!sink) {
    ctx.log.warn('robot sink is no longer configured; message dropped', { sink: data.sink, item: data.itemId });
    return { skipped: 'no such sink' };
  }
  const jobId = job.id ?? `${data.sink}-${data.itemId ?? 'digest'}`;
  if (await ctx.store.claims.isRobotSent(jobId)) return { already: true };
  const view = await viewOf(ctx, data);
  if (!view) throw new UnrecoverableError(`nothing to send for ${jobId}: no snapshot`);
  const answered = await takeSendSlot(ctx, sink);
  try {
    await ctx.robots.send(sink, messageFor(sink, view, ctx, jobId));
  } finally {
    // A refused or lost request may have been counted by the robot too.
    await answered().catch(() => undefined);
  }
  await ctx.store.claims.markRobotSent(jobId);
  ctx.metrics.inc('robot_messages_total', { sink: data.sink, kind: data.digest ? 'digest' : 'card' });
  ctx.log.info('robot message sent', { sink: data.sink, item: data.itemId, digest: data.digest ? true : undefined, msSinceSeen: Date.now() - data.seenAt });
  return { sent: true };
});
