import type { LarkCard } from '../../cards/types.js';
import type { Ctx } from '../../src/context.js';
import { LarkApiError, errorMessage } from '../../src/errors.js';
import type { IssueSnapshot } from '../../src/store/index.js';
import { renderIssueCard } from './snapshot.js';

/**
 * The people a card names (assignees, an alert's or a Sentry issue's people) with the open_ids Lark has for their
 * e-mails (batch_get_id, cached an hour). Whoever Lark does not know is shown by name, never as a mention: a bad
 * mention must not cost the card.
 */
export async function resolveMentions(ctx: Ctx, snapshot: IssueSnapshot): Promise<IssueSnapshot> {
  const base = snapshot.mentions ?? (snapshot.people ?? []).map((email) => ({ name: email, email, openId: null }));
  const missing = base.filter((m) => m.openId === null && m.email).map((m) => m.email as string);
  if (missing.length === 0) return base.length ? { ...snapshot, mentions: base } : snapshot;
  try {
    const found = await ctx.lark.openIdsFor({ emails: missing });
    return { ...snapshot, mentions: base.map((m) => (m.openId === null && m.email ? { ...m, openId: found.get(m.email) ?? null } : m)) };
  } catch (error) {
    ctx.log.warn('could not look people up in Lark; the card names them without mentions', { item: snapshot.uuid, error: errorMessage(error) });
    return { ...snapshot, mentions: base };
  }
}

const withoutMentions = (snapshot: IssueSnapshot): IssueSnapshot => ({
  ...snapshot,
  mentions: (snapshot.mentions ?? []).map((m) => ({ ...m, openId: null })),
});

/**
 * Sends or PATCHes the card; if Lark refuses it for good while it @mentions people (the anchors lose whole alerts
 * to "invalid at user"), once more with plain names.
 */
export async function withMentionFallback<T>(ctx: Ctx, snapshot: IssueSnapshot, send: (card: LarkCard) => Promise<T>): Promise<T> {
  try {
    return await send(renderIssueCard(snapshot, ctx.config));
  } catch (error) {
    const mentions = (snapshot.mentions ?? []).some((m) => m.openId !== null);
    if (!mentions || !(error instanceof LarkApiError) || error.retryable) throw error;
    ctx.log.warn('Lark refused the card with mentions; sending it with names only', { item: snapshot.uuid, code: error.larkCode });
    return send(renderIssueCard(withoutMentions(snapshot), ctx.config));
  }
}
