/**
 * Sync's scan: one `issue/list` of the open issues per watched channel shows the `updateAt` and status of every
 * open followed issue at once, so with many followed issues sync checks the ones that moved instead of all.
 * (Whether a reply moves its issue's `updateAt` is unverified for real Guance; sync still checks every issue
 * now and then, and the scan only reorders.)
 */
import type { Ctx } from '../../src/context.js';
import { openIssuesPage, watchedChannels } from '../../src/guance/lookups.js';
import { FINISHED_STATUSES, type GuanceIssue } from '../../src/guance/schemas.js';
import { bumpFollowed, noticeIssue } from './follow.js';

/** With this many followed issues, one `issue/list` per minute beats checking each of them. */
const SCAN_MIN_FOLLOWED = 4;
const SCAN_EVERY_MS = 60_000;
const SCAN_PAGE_SIZE = 100;

export async function scanDue(ctx: Ctx, now: number): Promise<boolean> {
  if ((await ctx.store.followed.count()) < SCAN_MIN_FOLLOWED) return false;
  return now - (await ctx.store.cursors.lastScanAt()) >= SCAN_EVERY_MS;
}

/** Bumps the followed issues whose `updateAt` or status moved (or that left the open list). Returns how many. */
export async function scan(ctx: Ctx): Promise<number> {
  const { found } = await watchedChannels(ctx, 'sync');
  const open = new Map<string, GuanceIssue>();
  let complete = true;
  for (const channel of found) {
    const page = await openIssuesPage(ctx, channel.uuid, SCAN_PAGE_SIZE, 'sync');
    for (const issue of page.issues) open.set(issue.uuid, issue);
    if (!page.complete) complete = false;
  }
  await ctx.store.cursors.setLastScanAt(Date.now());
  ctx.metrics.inc('sync_scans_total');
  let bumped = 0;
  for (const uuid of await ctx.store.followed.all()) {
    const issue = open.get(uuid);
    if (issue) {
      if (await noticeIssue(ctx, issue)) bumped += 1;
      continue;
    }
    // Not in a complete list of the open issues: resolved or closed since the card last showed it open.
    const shown = (await ctx.store.links.snapshot(uuid))?.statusType;
    if (complete && found.length > 0 && shown !== undefined && !FINISHED_STATUSES.has(shown)) {
      if (await bumpFollowed(ctx, uuid, { statusType: 0 })) bumped += 1;
    }
  }
  if (bumped) ctx.log.debug('sync scan found moved issues', { bumped, open: open.size });
  return bumped;
}
