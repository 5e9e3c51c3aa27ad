import { z } from 'zod';
import type { Ctx } from '../../src/context.js';
import { GuanceApiError, GuanceRateLimited, LarkApiError, UnavailableError, errorMessage } from '../../src/errors.js';
import { isGuanceNotFound } from '../../src/guance/client.js';
import type { GuanceIssue, GuanceReply } from '../../src/guance/schemas.js';
import { jobId } from '../../src/queue/jobs.js';
import type { JobDefinition } from '../../src/queue/workers.js';
import { issueSnapshotSchema, type CardLink, type IssueSnapshot } from '../../src/store/issue-links.js';
import { tryLock, withLock } from '../../src/store/locks.js';
import { refreshCards } from '../card-refresh.js';
import { scan, scanDue } from '../sync-scan.js';
import {
  FINISHED_STATUSES,
  bumpFollowed,
  dueFollowed,
  expiredFinished,
  isBumpScore,
  loadFollowed,
  markSeen,
  reschedule,
  saveFollowState,
  unfollow,
  type FollowState,
} from '../follow.js';
import { consoleLink } from '../issue-view.js';
import { issueLockKey } from '../issue-actions.js';
import { guanceLastChange, hintSaysStatusMoved, isNewEntry, oldestFirst, planEntries, replyThreadText, statusLineText } from '../sync-view.js';
import { issueSnapshot } from './post-issue-card.js';

/** One round at a time across replicas; a killed round frees the lock this quickly. */
const SYNC_LOCK_MS = 45_000;
/** A round stops taking new issues after this (a started issue finishes). */
const ROUND_MS = 25_000;
const PAGE_SIZE = 20;
const MAX_PAGES = 5;
/** "Posted" and "decided" marks outlive Lark's 14-day card window and the 30-day links. */
const MARK_TTL_SECONDS = 31 * 24 * 60 * 60;

interface RoundStats {
  checks: number;
  posted: number;
  scans: number;
  bumped: number;
}

// ---------------------------------------------------------------------------------------------
// Thread posts: exactly once per entry and chat
// ---------------------------------------------------------------------------------------------

/**
 * Posts `text` in the thread of every card, once per entry and chat: the "posted" mark is set after the post,
 * and the Lark `uuid` derives from the same key, so a post repeated after a crash between the two is a no-op.
 */
async function postToCards(ctx: Ctx, cards: readonly CardLink[], entryKey: string, text: string, kind: 'reply' | 'status'): Promise<number> {
  let posted = 0;
  for (const card of cards) {
    const mark = ctx.key('sync', 'posted', entryKey, card.chatId);
    if ((await ctx.redis.exists(mark)) === 1) continue;
    try {
      await ctx.lark.replyText(card.messageId, text, jobId('sync', entryKey, card.chatId), true, card.chatId);
      posted += 1;
      ctx.metrics.inc('sync_thread_posts_total', 'Guance replies and status changes posted in card threads', { kind });
      ctx.log.info('guance activity posted in thread', { issue: card.issueUuid, entry: entryKey, kind, chatId: card.chatId });
    } catch (error) {
      if (!(error instanceof LarkApiError) || error.retryable) throw error;
      // The card was recalled/deleted or the chat refuses threads: posting again would fail the same way.
      ctx.log.warn('thread post refused by Lark; skipped', { issue: card.issueUuid, entry: entryKey, chatId: card.chatId, error: error.message });
    }
    await ctx.redis.set(mark, '1', 'EX', MARK_TTL_SECONDS);
  }
  return posted;
}

// ---------------------------------------------------------------------------------------------
// Status changes made in Guance
// ---------------------------------------------------------------------------------------------

type StatusOutcome =
  | { kind: 'busy' }
  | { kind: 'gone' }
  | { kind: 'applied'; issue: GuanceIssue; snapshot: IssueSnapshot; line: { key: string; text: string } | undefined };

const decisionSchema = z.object({ lastChange: issueSnapshotSchema.shape.lastChange.unwrap().nullable() });

function parseJson(text: string | null): unknown {
  try {
    return text === null ? null : (JSON.parse(text) as unknown);
  } catch {
    return null;
  }
}

/** What the card should show, minus the bookkeeping field. */
const visible = (s: IssueSnapshot | null) => (s ? JSON.stringify({ ...s, updatedAt: 0 }) : '');

/**
 * Reads the issue and brings the card to it. Serialised with Lark actions on the same issue (their lock), so a
 * click and a Guance-side change never overwrite each other. Whether a thread line is due is decided once per
 * entry and stored, so a round repeated after a crash posts the line it decided on, not a second opinion.
 */
async function applyGuanceStatus(ctx: Ctx, issueUuid: string, entry: GuanceReply | undefined): Promise<StatusOutcome> {
  const lock = await tryLock(ctx.redis, issueLockKey(ctx, issueUuid), 15_000);
  if (!lock) return { kind: 'busy' };
  try {
    const issue = await ctx.guance.getIssue(issueUuid, 'sync');
    if (!issue) return { kind: 'gone' };
    const previous = await ctx.links.snapshot(issueUuid);
    const lineKey = entry ? entry.uuid : `status-${issueUuid}-${issue.statusType}-${issue.updateAt}`;
    const decisionKey = ctx.key('sync', 'decision', lineKey);
    const proposal = { lastChange: guanceLastChange(previous, issue, entry, ctx.config.guance.apiKey) };
    await ctx.redis.set(decisionKey, JSON.stringify(proposal), 'EX', MARK_TTL_SECONDS, 'NX');
    const stored = decisionSchema.safeParse(parseJson(await ctx.redis.get(decisionKey)));
    const lastChange = stored.success ? stored.data.lastChange : proposal.lastChange;

    const fresh = await issueSnapshot(ctx, issue);
    // A Lark action newer than this Guance change keeps its attribution on the card.
    const newerLark = previous?.lastChange?.by.via === 'lark' && lastChange !== null && previous.lastChange.by.at > lastChange.by.at;
    const snapshot: IssueSnapshot = lastChange && !newerLark ? { ...fresh, lastChange } : fresh;
    await ctx.links.saveSnapshot(snapshot);
    if (visible(previous) !== visible(snapshot)) await refreshCards(ctx, issueUuid);
    if (lastChange) ctx.metrics.inc('sync_status_changes_total', 'Status changes made in Guance applied to cards');
    const text = lastChange ? statusLineText(lastChange, ctx.config.language, ctx.config.timeZone) : undefined;
    return { kind: 'applied', issue, snapshot, line: text ? { key: `status-${lineKey}`, text } : undefined };
  } finally {
    await lock.release();
  }
}

// ---------------------------------------------------------------------------------------------
// One issue
// ---------------------------------------------------------------------------------------------

/** New entries, oldest first. Pages further only while a whole page is new. */
async function newEntries(ctx: Ctx, issueUuid: string, state: FollowState): Promise<GuanceReply[]> {
  const fresh: GuanceReply[] = [];
  for (let pageIndex = 1; pageIndex <= MAX_PAGES; pageIndex += 1) {
    const { replies, totalCount } = await ctx.guance.listReplies(issueUuid, { pageIndex, pageSize: PAGE_SIZE, ordering: '-createAt' }, 'sync');
    const news = replies.filter((reply) => isNewEntry(reply, state));
    fresh.push(...news);
    if (news.length < replies.length || replies.length < PAGE_SIZE || pageIndex * PAGE_SIZE >= totalCount) return oldestFirst(fresh);
  }
  ctx.log.warn('more new Guance replies than one check reads; the oldest are skipped', { issue: issueUuid, read: fresh.length });
  return oldestFirst(fresh);
}

async function checkIssue(ctx: Ctx, issueUuid: string, stats: RoundStats): Promise<void> {
  const followed = await loadFollowed(ctx, issueUuid);
  const cards = await ctx.links.cardsFor(issueUuid);
  if (!followed || cards.length === 0) {
    await unfollow(ctx, issueUuid);
    return;
  }
  const startedAt = Date.now();
  let state = followed.state;
  const hint = followed.bumpedAt > state.lastCheckedAt ? followed.hint : {};
  stats.checks += 1;
  ctx.metrics.inc('sync_checks_total', 'Followed issues checked for new Guance replies');

  let entries: GuanceReply[];
  try {
    entries = await newEntries(ctx, issueUuid, state);
  } catch (error) {
    if (isGuanceNotFound(error)) {
      ctx.log.info('followed issue no longer exists in Guance; unfollowed', { issue: issueUuid });
      await unfollow(ctx, issueUuid);
      return;
    }
    if (error instanceof GuanceApiError && !(error instanceof GuanceRateLimited)) {
      // Counts as checked, so one issue Guance keeps failing on cannot hold the front of every round.
      const checked = { ...state, lastCheckedAt: startedAt };
      await saveFollowState(ctx, issueUuid, checked);
      await reschedule(ctx, issueUuid, checked);
    }
    throw error;
  }
  const plan = planEntries(entries, state, ctx.config.guance.apiKey);
  let snapshot = await ctx.links.snapshot(issueUuid);

  let status: StatusOutcome | undefined;
  if (plan.lastPersonChange || hintSaysStatusMoved(hint.statusType, snapshot?.statusType)) {
    status = await applyGuanceStatus(ctx, issueUuid, plan.lastPersonChange);
    if (status.kind === 'gone') {
      await unfollow(ctx, issueUuid);
      return;
    }
    if (status.kind === 'busy') {
      // A Lark action is changing this issue right now: look again next round, nothing handled yet.
      await bumpFollowed(ctx, issueUuid);
      return;
    }
    snapshot = status.snapshot;
  }
  const line = status?.kind === 'applied' ? status.line : undefined;
  const issueLink = snapshot?.link ?? consoleLink(ctx.config.guance.consoleUrl, issueUuid);

  const handled: GuanceReply[] = [];
  try {
    for (const item of plan.items) {
      if (item.kind === 'reply') {
        const text = replyThreadText(item.entry, { lang: ctx.config.language, timeZone: ctx.config.timeZone, issueLink });
        stats.posted += await postToCards(ctx, cards, item.entry.uuid, text, 'reply');
      } else if (item.kind === 'status' && line) {
        stats.posted += await postToCards(ctx, cards, line.key, line.text, 'status');
      }
      handled.push(item.entry);
    }
    // A status change seen only through the issue itself (no activity entry of a person).
    if (line && !plan.lastPersonChange) stats.posted += await postToCards(ctx, cards, line.key, line.text, 'status');
  } catch (error) {
    // Keep what was posted, retry the rest first thing next round (the marks make repeats no-ops).
    await saveFollowState(ctx, issueUuid, markSeen(state, handled));
    await bumpFollowed(ctx, issueUuid);
    throw error;
  }

  state = markSeen(state, entries);
  const active = plan.items.some((item) => item.byPerson);
  const issue = status?.kind === 'applied' ? status.issue : undefined;
  const finished = snapshot !== null && FINISHED_STATUSES.has(snapshot.statusType);
  state = {
    ...state,
    lastCheckedAt: startedAt,
    lastActivityAt: active ? startedAt : state.lastActivityAt,
    knownUpdateAt: Math.max(state.knownUpdateAt, hint.updateAt ?? 0, issue?.updateAt ?? 0, ...entries.map((e) => e.createAt)),
    finishedAt: finished ? (state.finishedAt ?? startedAt) : null,
  };
  await saveFollowState(ctx, issueUuid, state);
  await reschedule(ctx, issueUuid, state);
}

// ---------------------------------------------------------------------------------------------
// The round
// ---------------------------------------------------------------------------------------------

async function syncRound(ctx: Ctx, stats: RoundStats): Promise<void> {
  const started = Date.now();
  const stopAfterMs = ctx.config.guance.syncStopAfterHours * 3_600_000;
  for (const uuid of await expiredFinished(ctx, started, stopAfterMs)) {
    await unfollow(ctx, uuid);
    ctx.log.info('stopped following a resolved/closed issue', { issue: uuid });
  }
  const visited = new Set<string>();
  let scanConsidered = false;
  while (Date.now() - started < ROUND_MS) {
    const now = Date.now();
    const due = await dueFollowed(ctx, now, visited.size + 10);
    const next = due.find((d) => !visited.has(d.uuid));
    // Bumped issues first (something is known to have happened), then the scan, then whatever is due.
    if (!scanConsidered && !(next && isBumpScore(next.score, now))) {
      scanConsidered = true;
      if (await scanDue(ctx, now)) {
        stats.scans += 1;
        stats.bumped += await scan(ctx);
        continue;
      }
    }
    if (!next) return;
    visited.add(next.uuid);
    await checkIssue(ctx, next.uuid, stats);
  }
}

export const syncIssues: JobDefinition<Record<string, unknown>> = {
  queue: 'schedule',
  name: 'sync-issues',
  schema: z.looseObject({}),
  async run(_data, ctx) {
    const stats: RoundStats = { checks: 0, posted: 0, scans: 0, bumped: 0 };
    try {
      const ran = await withLock(ctx.redis, ctx.key('sync-lock'), SYNC_LOCK_MS, async () => {
        await syncRound(ctx, stats);
        return true;
      });
      if (!ran) ctx.log.debug('sync skipped: another replica is syncing');
    } catch (error) {
      // The budget said no, Lark said wait, or Redis is away: stop here; the next round picks up by priority.
      if (error instanceof GuanceRateLimited) {
        ctx.log.debug('sync round stopped: Guance budget has no room', { retryAfterMs: error.retryAfterMs, ...stats });
        ctx.metrics.inc('sync_rounds_deferred_total', 'Sync rounds cut short by the Guance budget or Lark limits');
        return stats;
      }
      if (error instanceof GuanceApiError || error instanceof LarkApiError || error instanceof UnavailableError) {
        ctx.log.warn('sync round stopped; will continue next round', { error: errorMessage(error), ...stats });
        ctx.metrics.inc('sync_rounds_deferred_total', 'Sync rounds cut short by the Guance budget or Lark limits');
        return stats;
      }
      throw error;
    }
    if (stats.checks || stats.scans) ctx.log.debug('sync round done', { ...stats });
    return stats;
  },
};
