import { replyThreadText } from '../../cards/thread-text.js';
import type { Ctx } from '../../src/context.js';
import { GuanceApiError, GuanceRateLimited } from '../../src/errors.js';
import { isGuanceNotFound } from '../../src/guance/client.js';
import { FINISHED_STATUSES, type GuanceReply } from '../../src/guance/schemas.js';
import type { FollowState } from '../../src/store/index.js';
import { consoleLink, postToThreads } from '../issues/index.js';
import { bumpFollowed, saveChecked } from './follow.js';
import { applyGuanceStatus, type StatusOutcome } from './guance-status.js';
import { hintSaysStatusMoved, isNewEntry, oldestFirst, planEntries, replyView } from './plan.js';
import { markSeen } from './priority.js';

const PAGE_SIZE = 20;
const MAX_PAGES = 5;

export interface RoundStats {
  checks: number;
  posted: number;
  scans: number;
  bumped: number;
}

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

/** Checks one followed issue: new replies and status changes reach every card's thread and the cards. */
export async function checkIssue(ctx: Ctx, issueUuid: string, stats: RoundStats): Promise<void> {
  const followed = await ctx.store.followed.load(issueUuid);
  const cards = await ctx.store.links.cardsFor(issueUuid);
  if (!followed || cards.length === 0) {
    await ctx.store.followed.unfollow(issueUuid);
    return;
  }
  const startedAt = Date.now();
  let state = followed.state;
  const hint = followed.bumpedAt > state.lastCheckedAt ? followed.hint : {};
  stats.checks += 1;
  ctx.metrics.inc('sync_checks_total');

  let entries: GuanceReply[];
  try {
    entries = await newEntries(ctx, issueUuid, state);
  } catch (error) {
    if (isGuanceNotFound(error)) {
      ctx.log.info('followed issue no longer exists in Guance; unfollowed', { issue: issueUuid });
      await ctx.store.followed.unfollow(issueUuid);
      return;
    }
    if (error instanceof GuanceApiError && !(error instanceof GuanceRateLimited)) {
      // Counts as checked, so one issue Guance keeps failing on cannot hold the front of every round.
      await saveChecked(ctx, issueUuid, { ...state, lastCheckedAt: startedAt });
    }
    throw error;
  }
  const plan = planEntries(entries, state, ctx.config.guance.apiKey);
  let snapshot = await ctx.store.links.snapshot(issueUuid);

  let status: StatusOutcome | undefined;
  // The issue itself changed (a scan saw its updateAt move with no new reply to explain it: an assignee, a field)
  // or a person's change is in the activity: read it and bring the cards to it. A move that came with replies is
  // their doing, and reading the issue for each would halve what sync can check within the budget.
  const issueMoved = (hint.updateAt ?? 0) > state.knownUpdateAt && entries.length === 0;
  if (plan.lastPersonChange || hintSaysStatusMoved(hint.statusType, snapshot?.statusType) || issueMoved) {
    status = await applyGuanceStatus(ctx, issueUuid, plan.lastPersonChange);
    if (status.kind === 'gone') {
      await ctx.store.followed.unfollow(issueUuid);
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
        const text = replyThreadText(replyView(item.entry), { lang: ctx.config.language, timeZone: ctx.config.timeZone, issueLink });
        stats.posted += await postToThreads(ctx, cards, item.entry.uuid, text, 'reply');
      } else if (item.kind === 'status' && line) {
        stats.posted += await postToThreads(ctx, cards, line.key, line.text, 'status');
      }
      handled.push(item.entry);
    }
    // A status change seen only through the issue itself (no activity entry of a person).
    if (line && !plan.lastPersonChange) stats.posted += await postToThreads(ctx, cards, line.key, line.text, 'status');
  } catch (error) {
    // Keep what was posted, retry the rest first thing next round (the marks make repeats no-ops).
    await ctx.store.followed.save(issueUuid, markSeen(state, handled));
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
  await saveChecked(ctx, issueUuid, state);
}
