import { z } from 'zod';
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
