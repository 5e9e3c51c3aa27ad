import { buildHelpCard } from '../../cards/help-card.js';
import { t } from '../../cards/i18n.js';
import { buildListCard } from '../../cards/list-card.js';
import { formatTime, statusName } from '../../cards/parts.js';
import type { Ctx } from '../../src/context.js';
import { GuanceApiError, GuanceRateLimited } from '../../src/errors.js';
import { openIssuesPage, watchedChannels, workspaceLevels } from '../../src/guance/lookups.js';
import { applyIssueAction, writeBotCommentOnce, isOwnItem, levelTable, listItemOf } from '../issues/index.js';
import { assignIssue } from '../assign/index.js';
import { snoozeItem } from '../snooze/index.js';
import { openWarRoom } from '../warroom/index.js';
import type { Answer } from './answer.js';
import type { Command } from './parse.js';


export interface CommandInput {
  command: Command;
  /** The issue the message's thread belongs to, when it is an issue card's thread. */
  threadIssue: string | null;
  actorName: string;
  actorEmail: string | null;
  actorOpenId: string;
  /** People the message @mentions besides the bot (open_ids), in order: `assign @person`. */
  mentioned: string[];
  /** The Lark message id: the comment's idempotency ref. */
  messageId: string;
}

const LIST_PAGE = 50;

/** Runs one parsed command against Guance. Throws GuanceRateLimited (retry later) and retryable errors. */
export async function runCommand(ctx: Ctx, input: CommandInput): Promise<Answer> {
  const lang = ctx.config.language;
  const { command } = input;
  switch (command.kind) {
    case 'help':
      return { card: buildHelpCard(lang) };
    case 'list':
      return listOpenIssues(ctx);
    case 'comment': {
      const issue = command.issue ?? input.threadIssue;
      if (!issue) return { text: t(lang, 'answer.whichIssue') };
      return addComment(ctx, issue, command.text, input);
    }
    case 'snooze':
    case 'assign':
    case 'warroom': {
      const issue = command.issue ?? input.threadIssue;
      if (!issue) return { text: t(lang, 'answer.whichIssue') };
      return runControlCommand(ctx, command, issue, input);
    }
    case 'ack':
    case 'resolve':
    case 'reopen': {
      const issue = command.issue ?? input.threadIssue;
      if (!issue) return { text: t(lang, 'answer.whichIssue') };
      const note = command.kind === 'resolve' ? command.note : undefined;
      return changeStatus(ctx, issue, command.kind, input, note);
    }
  }
}

async function issueTitle(ctx: Ctx, issueUuid: string): Promise<string | null> {
  const snapshot = await ctx.store.links.snapshot(issueUuid);
  if (snapshot) return snapshot.title;
  if (isOwnItem(issueUuid)) return null;
  const issue = await ctx.guance.getIssue(issueUuid, 'human');
  return issue ? issue.name || issue.uuid : null;
}

const now = (ctx: Ctx) => formatTime(Date.now() / 1000, ctx.config.timeZone, ctx.config.language);

export type CommentOutcome =
  | { kind: 'added'; title: string }
  | { kind: 'unknown-issue' }
  | { kind: 'no-comments'; source: 'guance-alert' | 'sentry' | 'error-api' }
  | { kind: 'refused'; message: string; notFound: boolean };

/**
 * One comment on a Guance issue, attributed to the Lark person; `ref` (the Lark message id or the card-click
 * event id) makes it once: a retried job whose first run died after Guance answered finds its own comment.
 * The same path for thread replies, @bot comments and the card's comment box.
 */
export async function commentOnIssue(
  ctx: Ctx,
  input: { issueUuid: string; text: string; actorName: string; actorEmail: string | null; ref: string },
): Promise<CommentOutcome> {
  const { issueUuid } = input;
  const title = await issueTitle(ctx, issueUuid);
  if (title === null) return { kind: 'unknown-issue' };
  const kind = (await ctx.store.links.snapshot(issueUuid))?.kind;
  if (isOwnItem(issueUuid) && kind && kind !== 'guance-issue') return { kind: 'no-comments', source: kind };
  try {
    const content = t(ctx.config.language, 'guance.comment', { name: input.actorName, text: input.text });
    await writeBotCommentOnce(ctx, { issueUuid, content, ref: input.ref, actorName: input.actorName, actorEmail: input.actorEmail });
  } catch (error) {
    if (error instanceof GuanceApiError && !error.retryable) return { kind: 'refused', message: error.message, notFound: error.httpStatus === 404 };
    throw error;
  }
  ctx.metrics.inc('comments_total');
  return { kind: 'added', title };
}

async function addComment(ctx: Ctx, issueUuid: string, text: string, input: CommandInput): Promise<Answer> {
  const lang = ctx.config.language;
  const outcome = await commentOnIssue(ctx, { issueUuid, text, actorName: input.actorName, actorEmail: input.actorEmail, ref: input.messageId });
  switch (outcome.kind) {
    case 'added':
      return { text: t(lang, 'answer.commentAdded', { title: outcome.title, time: now(ctx) }) };
    case 'unknown-issue':
      return { text: t(lang, 'answer.unknownIssue', { issue: issueUuid }) };
    case 'no-comments':
      return { text: t(lang, 'answer.noComments', { source: t(lang, `source.${outcome.source}`) }) };
    case 'refused':
      return { text: t(lang, outcome.notFound ? 'answer.unknownIssue' : 'answer.guanceRefused', { issue: issueUuid, message: outcome.message }) };
  }
}

async function changeStatus(
  ctx: Ctx,
  issueUuid: string,
  action: 'ack' | 'resolve' | 'reopen',
  input: CommandInput,
  note?: string,
): Promise<Answer> {
  const lang = ctx.config.language;
  const outcome = await applyIssueAction(ctx, { issueUuid, action, actorName: input.actorName, actorEmail: input.actorEmail, ref: input.messageId, ...(note ? { note } : {}) });
  switch (outcome.kind) {
    case 'changed': {
      const key = action === 'ack' ? 'answer.acknowledged' : action === 'resolve' ? 'answer.resolved' : 'answer.reopened';
      return { text: t(lang, key, { title: outcome.snapshot.title, time: now(ctx) }) };
    }
    case 'already':
      return { text: t(lang, 'answer.already', { title: outcome.snapshot.title, status: statusName(outcome.snapshot.statusType, lang) }) };
    case 'not-found':
      return { text: t(lang, 'answer.unknownIssue', { issue: issueUuid }) };
    case 'refused':
      return { text: t(lang, 'answer.guanceRefused', { message: outcome.message }) };
    case 'rate-limited':
      throw new GuanceRateLimited('rate-limited while changing the issue', 'budget', outcome.retryAfterMs);
  }
}

/** snooze / assign / warroom from the chat: the same steps as the card's controls, answered in words. */
async function runControlCommand(ctx: Ctx, command: Extract<Command, { kind: 'snooze' | 'assign' | 'warroom' }>, issue: string, input: CommandInput): Promise<Answer> {
  const lang = ctx.config.language;
  if (command.kind === 'snooze') {
    const outcome = await snoozeItem(ctx, { itemId: issue, minutes: command.minutes, actorName: input.actorName, actorOpenId: input.actorOpenId, actorEmail: input.actorEmail, ref: input.messageId });
    if (outcome.kind === 'not-found') return { text: t(lang, 'answer.unknownIssue', { issue }) };
    if (outcome.kind !== 'snoozed') return { text: t(lang, 'toast.notOpen') };
    return { text: t(lang, 'answer.snoozed', { title: outcome.snapshot.title, time: formatTime(outcome.until, ctx.config.timeZone, lang) }) };
  }
  if (command.kind === 'assign') {
    const person = input.mentioned[0];
    if (!person) return { text: t(lang, 'toast.notAUser') };
    const outcome = await assignIssue(ctx, { issueUuid: issue, assigneeOpenId: person, actorName: input.actorName, actorEmail: input.actorEmail, ref: input.messageId });
    ctx.metrics.inc('assignments_total', { outcome: outcome.kind });
    switch (outcome.kind) {
      case 'assigned':
        return { text: t(lang, 'answer.assigned', { title: outcome.snapshot.title, name: outcome.assignee }) };
      case 'no-account':
        return { text: t(lang, 'toast.noGuanceAccount', { name: outcome.person }) };
      case 'unknown-person':
        return { text: t(lang, 'toast.notAUser') };
      case 'not-guance':
        return { text: t(lang, 'toast.guanceOnly') };
      case 'not-found':
        return { text: t(lang, 'answer.unknownIssue', { issue }) };
      case 'refused':
        return { text: t(lang, 'answer.guanceRefused', { message: outcome.message }) };
      case 'rate-limited':
        throw new GuanceRateLimited('rate-limited while assigning', 'budget', outcome.retryAfterMs);
    }
  }
  const outcome = await openWarRoom(ctx, { itemId: issue, actorOpenId: input.actorOpenId, actorName: input.actorName });
  if (outcome.kind === 'not-found') return { text: t(lang, 'answer.unknownIssue', { issue }) };
  if (outcome.kind === 'refused') return { text: t(lang, 'toast.warRoomRefused', { code: outcome.code }) };
  return { text: t(lang, outcome.kind === 'opened' ? 'toast.warRoomOpened' : 'toast.warRoomExists', { link: outcome.link }) };
}

async function listOpenIssues(ctx: Ctx): Promise<Answer> {
  const lang = ctx.config.language;
  const { found } = await watchedChannels(ctx, 'human');
  const levels = levelTable(await workspaceLevels(ctx, 'human'));
  const open = new Map<string, ReturnType<typeof listItemOf>>();
  let total = 0;
  for (const channel of found) {
    const page = await openIssuesPage(ctx, channel.uuid, LIST_PAGE, 'human');
    total = Math.max(total, page.totalCount);
    for (const issue of page.issues) open.set(issue.uuid, listItemOf(issue, levels, ctx.config.guance.consoleUrl));
  }
  if (open.size === 0) return { text: t(lang, 'answer.noOpenIssues') };
  return { card: buildListCard([...open.values()], lang, { total: Math.max(total, open.size), timeZone: ctx.config.timeZone }) };
}
