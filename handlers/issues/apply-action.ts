import { t } from '../../cards/i18n.js';
import type { IssueAction } from '../../cards/types.js';
import type { Ctx } from '../../src/context.js';
import { formatTime } from '../../cards/parts.js';
import { BusyError, GuanceApiError, GuanceRateLimited, errorMessage } from '../../src/errors.js';
import { FINISHED_STATUSES, STATUS, type GuanceIssue } from '../../src/guance/schemas.js';
import type { IssueSnapshot, Lock } from '../../src/store/index.js';
import { botCommentExtend } from './bot-comments.js';
import { isOwnItem } from './item-id.js';
import { postToThreads } from './thread-posts.js';
import { refreshCards } from './refresh-card.js';
import { recordResponse } from './response-times.js';
import { issueSnapshot } from './snapshot.js';

const TARGET_STATUS: Record<IssueAction, number> = { ack: STATUS.working, resolve: STATUS.resolved, reopen: STATUS.open };

export interface ActionRequest {
  issueUuid: string;
  action: IssueAction;
  actorName: string;
  actorEmail?: string | null;
  /** Resolve note, written as the comment. */
  note?: string;
  /** The Lark message id or click event id: marks the bot's comment so a retried job can find it. */
  ref: string;
}

export type ActionOutcome =
  | { kind: 'changed'; snapshot: IssueSnapshot; ackAsComment: boolean }
  | { kind: 'already'; snapshot: IssueSnapshot }
  | { kind: 'not-found' }
  | { kind: 'refused'; message: string; snapshot: IssueSnapshot | null }
  | { kind: 'rate-limited'; retryAfterMs: number };

/** Is the issue already where the action would take it (double click, stale card, a change made in Guance)? */
function alreadyDone(action: IssueAction, statusType: number): boolean {
  if (action === 'ack') return statusType === STATUS.working || FINISHED_STATUSES.has(statusType);
  if (action === 'resolve') return FINISHED_STATUSES.has(statusType);
  return statusType === STATUS.open;
}

/**
 * The per-issue lock serialises status changes (Lark actions here, Guance-side changes in sync, notifications of
 * other sources). Null when it stayed busy for 8 s.
 */
export async function waitForLock(ctx: Ctx, issueUuid: string): Promise<Lock | null> {
  const deadline = Date.now() + 8_000;
  for (;;) {
    const lock = await ctx.store.locks.tryIssue(issueUuid);
    if (lock || Date.now() > deadline) return lock;
    // Clicks wait here for each other (a double click, two people): a short poll keeps the second answer fast.
    await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20));
  }
}

/** Runs `work` holding the item's lock (waiting up to 8 s); a lock that stays busy is a BusyError (retried later). */
export async function withItemLock<T>(ctx: Ctx, key: string, work: () => Promise<T>): Promise<T> {
  const lock = await waitForLock(ctx, key);
  if (!lock) throw new BusyError(`${key} stayed busy`);
  try {
    return await work();
  } finally {
    await lock.release();
  }
}

function commentFor(ctx: Ctx, request: ActionRequest): string {
  const lang = ctx.config.language;
  const name = request.actorName;
  if (request.action === 'ack') return t(lang, 'guance.ack', { name });
  if (request.action === 'reopen') return t(lang, 'guance.reopen', { name });
  return request.note ? t(lang, 'guance.resolveNote', { name, text: request.note }) : t(lang, 'guance.resolve', { name });
}

/**
 * Changes an issue's status from Lark, once: actions on one issue are serialised by a Redis lock, and the
 * second of two concurrent clicks finds the issue already changed. The issue is read first, so a stale card
 * is refreshed to the truth rather than acted on. Every card of the issue is updated afterwards.
 */
export async function applyIssueAction(ctx: Ctx, request: ActionRequest): Promise<ActionOutcome> {
  const lock = await waitForLock(ctx, request.issueUuid);
  if (!lock) return { kind: 'rate-limited', retryAfterMs: 2_000 };
  try {
    return isOwnItem(request.issueUuid) ? await applyOwnLocked(ctx, request) : await applyLocked(ctx, request);
  } catch (error) {
    if (error instanceof GuanceRateLimited) return { kind: 'rate-limited', retryAfterMs: error.retryAfterMs };
    if (error instanceof GuanceApiError && !error.retryable) {
      return { kind: 'refused', message: error.message, snapshot: await ctx.store.links.snapshot(request.issueUuid) };
    }
    throw error;
  } finally {
    await lock.release();
  }
}

async function applyLocked(ctx: Ctx, request: ActionRequest): Promise<ActionOutcome> {
  const current = await ctx.guance.getIssue(request.issueUuid, 'human');
  if (!current) return { kind: 'not-found' };
  if (alreadyDone(request.action, current.statusType)) {
    const snapshot = await remember(ctx, current);
    return { kind: 'already', snapshot };
  }
  const target = TARGET_STATUS[request.action];
  let changed: GuanceIssue = current;
  let ackAsComment = false;
  try {
    changed = await ctx.guance.modifyIssue(request.issueUuid, { statusType: target }, 'human');
  } catch (error) {
    // Workspaces on the three-state model refuse Working (15): acknowledging is then the comment alone.
    if (!(request.action === 'ack' && error instanceof GuanceApiError && !error.retryable)) throw error;
    ackAsComment = true;
    ctx.log.info('workspace refused status Working; acknowledging with a comment', { issue: request.issueUuid });
  }
  await ctx.guance.createReply(
    { issueUUID: request.issueUuid, content: commentFor(ctx, request), extend: botCommentExtend({ ref: request.ref, actorName: request.actorName, actorEmail: request.actorEmail ?? null }) },
    'human',
  );
  const by = { name: request.actorName, at: Math.floor(Date.now() / 1000), via: 'lark' as const };
  const snapshot = await remember(ctx, changed, { action: request.action, statusType: changed.statusType, by });
  await recordResponse(ctx, snapshot, request.action, by.at);
  ctx.metrics.inc('issue_actions_total', { action: request.action });
  return { kind: 'changed', snapshot, ackAsComment };
}

const ACTION_KEYS = { ack: 'toast.acknowledged', resolve: 'toast.resolved', reopen: 'toast.reopened' } as const;

/**
 * A card of another source (alert, Sentry, error report): the bot keeps its state, so the change is the stored
 * snapshot's, shown on every card of it and said once in each card's thread.
 */
async function applyOwnLocked(ctx: Ctx, request: ActionRequest): Promise<ActionOutcome> {
  const current = await ctx.store.links.snapshot(request.issueUuid);
  if (!current) return { kind: 'not-found' };
  if (alreadyDone(request.action, current.statusType)) return { kind: 'already', snapshot: current };
  const by = { name: request.actorName, at: Math.floor(Date.now() / 1000), via: 'lark' as const };
  const statusType = TARGET_STATUS[request.action];
  const snapshot: IssueSnapshot = { ...current, statusType, updatedAt: by.at, lastChange: { action: request.action, statusType, by } };
  await ctx.store.links.saveSnapshot(snapshot);
  await refreshCards(ctx, snapshot.uuid);
  await recordResponse(ctx, snapshot, request.action, by.at);
  ctx.metrics.inc('issue_actions_total', { action: request.action });
  const lang = ctx.config.language;
  const line = t(lang, 'thread.ownAction', {
    action: t(lang, ACTION_KEYS[request.action]),
    name: request.actorName,
    time: formatTime(by.at, ctx.config.timeZone, lang),
  });
  try {
    await postToThreads(ctx, await ctx.store.links.cardsFor(snapshot.uuid), `own-${request.ref}`, line, 'action');
  } catch (error) {
    // The change is made and on the card; the thread line is the courtesy.
    ctx.log.warn('could not say the change in the card thread', { item: snapshot.uuid, error: errorMessage(error) });
  }
  return { kind: 'changed', snapshot, ackAsComment: false };
}

async function remember(ctx: Ctx, issue: GuanceIssue, lastChange?: IssueSnapshot['lastChange']): Promise<IssueSnapshot> {
  const snapshot = { ...(await issueSnapshot(ctx, issue)), ...(lastChange ? { lastChange } : {}) };
  await ctx.store.links.saveSnapshot(snapshot);
  await refreshCards(ctx, snapshot.uuid);
  return snapshot;
}
