import type { Ctx } from '../../src/context.js';
import type { BumpHint, FollowState } from '../../src/store/index.js';
import { initialFollowState, nextCheckAt, type FollowedIssue } from './priority.js';

/** Starts following an issue (its card was posted). Idempotent: an issue already followed keeps its state. */
export async function startFollowing(ctx: Ctx, issue: FollowedIssue, now = Date.now()): Promise<void> {
  await ctx.store.followed.follow(issue.uuid, initialFollowState(issue, now), now);
}

/**
 * Moves a followed issue to the front of the next sync round (no-op for issues not followed). Call it when
 * you see an issue's `updateAt` or status move; sync's own scan does the same.
 */
export function bumpFollowed(ctx: Ctx, issueUuid: string, hint: BumpHint = {}, now = Date.now()): Promise<boolean> {
  return ctx.store.followed.bump(issueUuid, hint, now);
}

/**
 * Call with an issue you just read from Guance (a scan, `list`): bumps it when it is followed and its `updateAt`
 * or status moved since sync last looked. Not right after the bot changed the issue itself: that costs sync a
 * check for nothing.
 */
export async function noticeIssue(ctx: Ctx, issue: { uuid: string; updateAt: number; statusType: number }): Promise<boolean> {
  const followed = await ctx.store.followed.load(issue.uuid);
  if (!followed) return false;
  const shown = (await ctx.store.links.snapshot(issue.uuid))?.statusType;
  const moved = issue.updateAt > followed.state.knownUpdateAt || (shown !== undefined && issue.statusType !== shown);
  return moved && (await bumpFollowed(ctx, issue.uuid, { updateAt: issue.updateAt, statusType: issue.statusType }));
}

/** Saves the state after a check that started at `state.lastCheckedAt` and sets when the issue is next due. */
export async function saveChecked(ctx: Ctx, issueUuid: string, state: FollowState, now = Date.now()): Promise<void> {
  await ctx.store.followed.save(issueUuid, state);
  await ctx.store.followed.reschedule(issueUuid, nextCheckAt(state, 0, now), state.lastCheckedAt);
}
