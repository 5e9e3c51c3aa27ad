import { z } from 'zod';
import { statusLineText } from '../../cards/thread-text.js';
import type { Ctx } from '../../src/context.js';
import type { GuanceIssue, GuanceReply } from '../../src/guance/schemas.js';
import { issueSnapshotSchema, type IssueSnapshot } from '../../src/store/index.js';
import { issueSnapshot, recordResponse, refreshCards } from '../issues/index.js';
import { guanceLastChange } from './plan.js';

export type StatusOutcome =
  | { kind: 'busy' }
  | { kind: 'gone' }
  | { kind: 'applied'; issue: GuanceIssue; snapshot: IssueSnapshot; line: { key: string; text: string } | undefined };

const decisionSchema = z.object({ lastChange: issueSnapshotSchema.shape.lastChange.unwrap().nullable() });

/** What the card should show, minus the bookkeeping field. */
const visible = (s: IssueSnapshot | null) => (s ? JSON.stringify({ ...s, updatedAt: 0 }) : '');

/**
 * Reads the issue and brings the card to it. Serialised with Lark actions on the same issue (their lock), so a
 * click and a Guance-side change never overwrite each other. Whether a thread line is due is decided once per
 * entry and stored, so a round repeated after a crash posts the line it decided on, not a second opinion.
 */
export async function applyGuanceStatus(ctx: Ctx, issueUuid: string, entry: GuanceReply | undefined): Promise<StatusOutcome> {
  const lock = await ctx.store.locks.tryIssue(issueUuid);
  if (!lock) return { kind: 'busy' };
  try {
    const issue = await ctx.guance.getIssue(issueUuid, 'sync');
    if (!issue) return { kind: 'gone' };
    const previous = await ctx.store.links.snapshot(issueUuid);
    const lineKey = entry ? entry.uuid : `status-${issueUuid}-${issue.statusType}-${issue.updateAt}`;
    const proposal = { lastChange: guanceLastChange(previous, issue, entry, ctx.config.guance.apiKey) };
    const { lastChange } = await ctx.store.claims.decideOnce(lineKey, decisionSchema, proposal);

    const fresh = await issueSnapshot(ctx, issue);
    // A Lark action newer than this Guance change keeps its attribution on the card.
    const newerLark = previous?.lastChange?.by.via === 'lark' && lastChange !== null && previous.lastChange.by.at > lastChange.by.at;
    const snapshot: IssueSnapshot = lastChange && !newerLark ? { ...fresh, lastChange } : fresh;
    await ctx.store.links.saveSnapshot(snapshot);
    if (visible(previous) !== visible(snapshot)) await refreshCards(ctx, issueUuid);
    if (lastChange) {
      ctx.metrics.inc('sync_status_changes_total');
      await recordResponse(ctx, snapshot, lastChange.action, lastChange.by.at);
    }
    const text = lastChange ? statusLineText(lastChange, ctx.config.language, ctx.config.timeZone) : undefined;
    return { kind: 'applied', issue, snapshot, line: text ? { key: `status-${lineKey}`, text } : undefined };
  } finally {
    await lock.release();
  }
}
