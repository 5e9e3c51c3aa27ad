import type { Ctx } from '../../src/context.js';
import type { GuanceIssue } from '../../src/guance/schemas.js';
import { JOBS, jobIds } from '../../src/queue/jobs.js';
import type { IssueSnapshot } from '../../src/store/index.js';
import { issueSnapshot } from '../issues/index.js';
import { targetsFor, type RoutedCard, type Targets } from './route.js';
import { scheduleEscalations } from '../escalation/index.js';
import { addToChatDigest, addToRobotDigest, digestPageOf, robotTarget, stormDecision } from './storm.js';

/** What routing looks at, from the card's snapshot. */
function routedCardOf(snapshot: IssueSnapshot, channelUuid?: string): RoutedCard {
  const fields: Record<string, string> = Object.fromEntries((snapshot.fields ?? []).map((f) => [f.name.toLowerCase(), f.value]));
  const source = snapshot.kind ?? 'guance-issue';
  // A Guance issue's resource is the service it is about.
  if (source === 'guance-issue' && snapshot.source && fields.service === undefined) fields.service = snapshot.source;
  const channel = [snapshot.channel, channelUuid].filter((c): c is string => Boolean(c));
  return { source, ...(channel.length ? { channel } : {}), ...(snapshot.level?.name ? { level: snapshot.level.name } : {}), fields };
}

const unrouted = new WeakMap<Ctx, Set<string>>();

function route(ctx: Ctx, snapshot: IssueSnapshot, channelUuid?: string): Targets {
  const card = routedCardOf(snapshot, channelUuid);
  const targets = targetsFor(ctx.routing.current, card);
  if (targets.chats.length === 0 && targets.sinks.length === 0) {
    const said = unrouted.get(ctx) ?? new Set<string>();
    unrouted.set(ctx, said);
    // Once per kind (source and level), so a flood of unrouted alerts is one line, not thousands.
    const kind = `${card.source}/${card.level ?? '-'}`;
    if (!said.has(kind)) {
      said.add(kind);
      ctx.log.warn('no route matches; the card goes nowhere (said once per source and level)', { source: card.source, level: card.level, channel: card.channel });
    }
  }
  return targets;
}

interface Deliver {
  chat(chatId: string): Promise<void>;
  sink(sink: string): Promise<void>;
}

/** Per target: its own card (or robot message), or a line on that target's storm digest. */
async function deliverEach(ctx: Ctx, snapshot: IssueSnapshot, deliver: Deliver, channelUuid?: string): Promise<number> {
  const targets = route(ctx, snapshot, channelUuid);
  let digested = false;
  const digestLine = async () => {
    // A digest renders lines from their snapshots: a Guance issue's is stored here (a card would store it itself).
    if (!digested) await ctx.store.links.saveSnapshot(snapshot);
    digested = true;
  };
  for (const chatId of targets.chats) {
    const decision = await stormDecision(ctx, chatId, snapshot.uuid);
    if (decision.kind === 'card') await deliver.chat(chatId);
    else {
      await digestLine();
      await addToChatDigest(ctx, chatId, decision.window, decision.line);
      // A P0 on a digest escalates on the digest card.
      await scheduleEscalations(ctx, snapshot, chatId, Date.now(), { window: decision.window, page: digestPageOf(decision.line) });
    }
  }
  for (const sink of targets.sinks) {
    const decision = await stormDecision(ctx, robotTarget(sink), snapshot.uuid);
    if (decision.kind === 'card') await deliver.sink(sink);
    else {
      await digestLine();
      await addToRobotDigest(ctx, sink, decision.window);
    }
  }
  return targets.chats.length + targets.sinks.length;
}

/** One job per issue per target; the ids are the claims, so pollers on every replica may find the same issue. */
export async function enqueueDeliveries(ctx: Ctx, issue: GuanceIssue, seenAt: number, watched: { name: string; uuid: string }): Promise<number> {
  const channel = watched.name;
  const fresh = await issueSnapshot(ctx, issue);
  const snapshot = fresh.channel ? fresh : { ...fresh, channel };
  return deliverEach(
    ctx,
    snapshot,
    {
      chat: (chatId) => ctx.queues.add(JOBS.postIssueCard, { chatId, issue, seenAt, channel }, jobIds.delivery(chatId, issue.uuid)),
      sink: (sink) => ctx.queues.add(JOBS.postRobot, { sink, itemId: issue.uuid, issue, channel, seenAt }, jobIds.robotDelivery(sink, issue.uuid), { robotSink: sink }),
    },
    watched.uuid,
  );
}

/** The same for a card of another source whose snapshot is stored. */
export async function enqueueCardDeliveries(ctx: Ctx, snapshot: IssueSnapshot, seenAt: number): Promise<number> {
  return deliverEach(ctx, snapshot, {
    chat: (chatId) => ctx.queues.add(JOBS.postCard, { chatId, itemId: snapshot.uuid, seenAt }, jobIds.delivery(chatId, snapshot.uuid)),
    sink: (sink) => ctx.queues.add(JOBS.postRobot, { sink, itemId: snapshot.uuid, seenAt }, jobIds.robotDelivery(sink, snapshot.uuid), { robotSink: sink }),
  });
}
