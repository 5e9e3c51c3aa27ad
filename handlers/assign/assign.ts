/**
 * Assign from Lark: the chosen Lark person → their e-mail (Lark contact) → the Guance workspace member with that
 * e-mail (workspace/members/list, cached) → the issue's `extend.manager`. Guance replaces `extend` wholesale on
 * modify (../shared/reference/guance-openapi.md §2.2.5), so the issue is read, its extend merged, and written
 * back under the issue's lock; a comment says who assigned whom.
 */
import { z } from 'zod';
import { t } from '../../cards/i18n.js';
import type { Ctx } from '../../src/context.js';
import { GuanceApiError, GuanceRateLimited } from '../../src/errors.js';
import { isIssueUuid, type GuanceMember } from '../../src/guance/schemas.js';
import type { IssueSnapshot } from '../../src/store/index.js';
import { issueSnapshot, refreshCards, waitForLock, writeBotCommentOnce } from '../issues/index.js';

const MEMBER_CACHE_SECONDS = 10 * 60;
const cachedMember = z.object({ member: z.object({ uuid: z.string(), name: z.string().nullish(), email: z.string().nullish() }).nullable() });

export type AssignOutcome =
  | { kind: 'assigned'; snapshot: IssueSnapshot; assignee: string }
  | { kind: 'not-found' }
  | { kind: 'not-guance' }
  | { kind: 'unknown-person' }
  | { kind: 'no-account'; person: string }
  | { kind: 'refused'; message: string }
  | { kind: 'rate-limited'; retryAfterMs: number };

export interface AssignRequest {
  issueUuid: string;
  assigneeOpenId: string;
  actorName: string;
  actorEmail?: string | null;
  ref: string;
}

async function memberByEmail(ctx: Ctx, email: string): Promise<Pick<GuanceMember, 'uuid' | 'name' | 'email'> | null> {
  const key = `guance:member:${email.toLowerCase()}`;
  const cached = await ctx.store.cache.get(key, cachedMember);
  if (cached) return cached.member;
  const members = await ctx.guance.listMembers({ search: email, pageIndex: 1, pageSize: 100 }, 'human');
  const member = members.find((m) => m.email?.toLowerCase() === email.toLowerCase()) ?? null;
  await ctx.store.cache.set(key, { member: member ? { uuid: member.uuid, name: member.name ?? null, email: member.email ?? null } : null }, MEMBER_CACHE_SECONDS);
  return member;
}

export async function assignIssue(ctx: Ctx, request: AssignRequest): Promise<AssignOutcome> {
  if (!isIssueUuid(request.issueUuid)) return { kind: 'not-guance' };
  if (!/^ou_[A-Za-z0-9_-]{1,64}$/.test(request.assigneeOpenId)) return { kind: 'unknown-person' };
  const person = await ctx.lark.person(request.assigneeOpenId);
  if (person.name === null && person.email === null) return { kind: 'unknown-person' };
  const label = person.name ?? request.assigneeOpenId;
  if (!person.email) return { kind: 'no-account', person: label };
  const lock = await waitForLock(ctx, request.issueUuid);
  if (!lock) return { kind: 'rate-limited', retryAfterMs: 2_000 };
  try {
    const member = await memberByEmail(ctx, person.email);
    if (!member) return { kind: 'no-account', person: label };
    const issue = await ctx.guance.getIssue(request.issueUuid, 'human');
    if (!issue) return { kind: 'not-found' };
    const extend = { ...(issue.extend && typeof issue.extend === 'object' ? (issue.extend as Record<string, unknown>) : {}), manager: [member.uuid] };
    const changed = await ctx.guance.modifyIssue(request.issueUuid, { extend }, 'human');
    const lang = ctx.config.language;
    await writeBotCommentOnce(ctx, {
      issueUuid: request.issueUuid,
      content: t(lang, 'guance.assigned', { name: request.actorName, assignee: member.name || label }),
      ref: `assign-${request.ref}`,
      actorName: request.actorName,
      actorEmail: request.actorEmail ?? null,
    });
    // The modify answer may not name the assignee (managerInfos): read the issue as Guance now shows it.
    const snapshot = await issueSnapshot(ctx, (await ctx.guance.getIssue(request.issueUuid, 'human')) ?? changed);
    await ctx.store.links.saveSnapshot(snapshot);
    await refreshCards(ctx, request.issueUuid);
    return { kind: 'assigned', snapshot, assignee: member.name || label };
  } catch (error) {
    if (error instanceof GuanceRateLimited) return { kind: 'rate-limited', retryAfterMs: error.retryAfterMs };
    if (error instanceof GuanceApiError && !error.retryable) return { kind: 'refused', message: error.message };
    throw error;
  } finally {
    await lock.release();
  }
}
