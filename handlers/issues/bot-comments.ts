import { z } from 'zod';
import type { Ctx } from '../../src/context.js';
import type { GuanceReply } from '../../src/guance/schemas.js';

/** The mark on every comment the bot writes into Guance, so sync never posts it back to the chat. */
export const BOT_MARK = 'lark-guance-bot';

export interface BotCommentOrigin {
  /** What caused the comment: the Lark message id, or the card-click event id. */
  ref: string;
  actorName: string;
  /** The person's e-mail when Lark gives it (contact:user.email:readonly): how Guance knows who they are. */
  actorEmail?: string | null;
}

/** Our part of a reply's `extend`; anything else there (or an odd shape) reads as "not ours". */
const botMarkSchema = z.object({ larkBot: z.object({ mark: z.unknown(), ref: z.unknown() }).partial().catch({}) }).partial();

/** `extend` for a bot-written reply: our mark and ref, plus the author as Guance expects it (`extra.creator`). */
export function botCommentExtend(origin: BotCommentOrigin): Record<string, unknown> {
  const creator = { name: origin.actorName, ...(origin.actorEmail ? { email: origin.actorEmail } : {}) };
  return { larkBot: { mark: BOT_MARK, ref: origin.ref }, extra: { creator } };
}

function markOf(reply: Pick<GuanceReply, 'extend'>): { mark?: unknown; ref?: unknown } {
  return botMarkSchema.parse(reply.extend).larkBot ?? {};
}

/** Ours when it carries our mark, or when our API key wrote it (marks can be lost if a workspace strips `extend`). */
export function isBotComment(reply: Pick<GuanceReply, 'extend' | 'creator'>, apiKeyId: string): boolean {
  return markOf(reply).mark === BOT_MARK || (apiKeyId !== '' && reply.creator === apiKeyId);
}

export function botCommentRef(reply: Pick<GuanceReply, 'extend'>): string | undefined {
  const { ref } = markOf(reply);
  return typeof ref === 'string' ? ref : undefined;
}

/**
 * Writes one bot comment per `ref`, whatever retries happen: the first attempt claims the ref; a retry whose first
 * attempt may have died after Guance answered looks for its own marked comment before writing again.
 */
export async function writeBotCommentOnce(
  ctx: Ctx,
  input: { issueUuid: string; content: string; ref: string; actorName: string; actorEmail?: string | null },
): Promise<void> {
  const first = await ctx.store.claims.claimComment(input.ref);
  if (!first) {
    const { replies } = await ctx.guance.listReplies(input.issueUuid, { pageIndex: 1, pageSize: 50, ordering: '-createAt' }, 'human');
    if (replies.some((reply) => botCommentRef(reply) === input.ref)) return;
  }
  await ctx.guance.createReply(
    { issueUUID: input.issueUuid, content: input.content, extend: botCommentExtend({ ref: input.ref, actorName: input.actorName, actorEmail: input.actorEmail ?? null }) },
    'human',
  );
}
