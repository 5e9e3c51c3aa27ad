/**
 * The card controls besides the status buttons: snooze presets, un-snooze, the assignee picker, the comment box
 * and the war room. Every refusal (unknown preset, not a user, no Guance account, empty or oversize text, a stale
 * card) is a toast that changes nothing.
 */
import { t } from '../../cards/i18n.js';
import { durationLabel, formatTime } from '../../cards/parts.js';
import { failedToast, invalidToast, toast, type Toast } from '../../cards/toasts.js';
import type { CardControl } from '../../cards/types.js';
import type { Ctx } from '../../src/context.js';
import { GuanceRateLimited } from '../../src/errors.js';
import type { CardClick } from '../../src/lark/envelope.js';
import { assignIssue } from '../assign/index.js';
import { commentOnIssue } from '../commands/index.js';
import { snoozeItem, unsnoozeItem } from '../snooze/index.js';
import { openWarRoom } from '../warroom/index.js';

/** Comments longer than this are refused with a toast: the card's input allows no more (its max_length). */
export const MAX_COMMENT_CHARS = 1_000;

export interface ControlResult {
  outcome: string;
  toast: Toast;
  /** Answer with the issue's card (re-rendered: the comment box comes back empty). */
  card: boolean;
}

export interface ControlRequest {
  control: CardControl;
  issue: string;
  click: CardClick;
  eventId: string;
  actorName: string;
  actorEmail: string | null;
}

const refused = (ctx: Ctx, outcome: string, text: (l: 'zh' | 'en') => string): ControlResult => ({
  outcome,
  toast: failedToast(text, ctx.config.language),
  card: false,
});

export async function runControl(ctx: Ctx, request: ControlRequest): Promise<ControlResult> {
  const lang = ctx.config.language;
  const { click, issue } = request;
  switch (request.control) {
    case 'snooze': {
      const minutes = Number(click.option);
      if (!ctx.config.snoozePresetsMinutes.includes(minutes)) return { outcome: 'invalid', toast: invalidToast(lang), card: false };
      const outcome = await snoozeItem(ctx, { itemId: issue, minutes, actorName: request.actorName, actorOpenId: click.operatorOpenId, actorEmail: request.actorEmail, ref: request.eventId });
      if (outcome.kind === 'not-found') return refused(ctx, 'not-found', (l) => t(l, 'answer.unknownIssue', { issue }));
      if (outcome.kind !== 'snoozed') return { outcome: 'already', toast: toast('info', (l) => t(l, 'toast.notOpen'), lang), card: true };
      const until = formatTime(outcome.until, ctx.config.timeZone, lang);
      return { outcome: 'snoozed', toast: toast('success', (l) => t(l, 'toast.snoozed', { time: until, duration: durationLabel(minutes, l) }), lang), card: true };
    }
    case 'unsnooze': {
      const outcome = await unsnoozeItem(ctx, issue);
      if (outcome.kind === 'not-found') return refused(ctx, 'not-found', (l) => t(l, 'answer.unknownIssue', { issue }));
      return { outcome: outcome.kind, toast: toast('success', (l) => t(l, 'toast.unsnoozed'), lang), card: true };
    }
    case 'assign': {
      const outcome = await assignIssue(ctx, { issueUuid: issue, assigneeOpenId: click.option ?? '', actorName: request.actorName, actorEmail: request.actorEmail, ref: request.eventId });
      ctx.metrics.inc('assignments_total', { outcome: outcome.kind });
      switch (outcome.kind) {
        case 'assigned':
          return { outcome: 'assigned', toast: toast('success', (l) => t(l, 'toast.assigned', { name: outcome.assignee }), lang), card: true };
        case 'no-account':
          return refused(ctx, 'no-account', (l) => t(l, 'toast.noGuanceAccount', { name: outcome.person }));
        case 'unknown-person':
          return refused(ctx, 'invalid', (l) => t(l, 'toast.notAUser'));
        case 'not-guance':
          return refused(ctx, 'invalid', (l) => t(l, 'toast.guanceOnly'));
        case 'not-found':
          return refused(ctx, 'not-found', (l) => t(l, 'answer.unknownIssue', { issue }));
        case 'refused':
          return refused(ctx, 'refused', (l) => t(l, 'answer.guanceRefused', { message: outcome.message }));
        case 'rate-limited':
          throw new GuanceRateLimited('rate-limited while assigning', 'budget', outcome.retryAfterMs);
      }
      break;
    }
    case 'comment': {
      const raw = click.formValue?.comment ?? click.inputValue ?? '';
      const text = typeof raw === 'string' ? raw.trim() : '';
      if (text === '') return refused(ctx, 'empty', (l) => t(l, 'toast.emptyComment'));
      if ([...text].length > MAX_COMMENT_CHARS) return refused(ctx, 'too-long', (l) => t(l, 'toast.commentTooLong', { max: MAX_COMMENT_CHARS }));
      // The click's event id is the comment's ref: Lark delivering this callback again adds nothing; a new submit is a new event.
      const outcome = await commentOnIssue(ctx, { issueUuid: issue, text, actorName: request.actorName, actorEmail: request.actorEmail, ref: request.eventId });
      if (outcome.kind === 'added') return { outcome: 'commented', toast: toast('success', (l) => t(l, 'toast.commented'), lang), card: true };
      if (outcome.kind === 'refused') return refused(ctx, 'refused', (l) => t(l, 'answer.guanceRefused', { message: outcome.message }));
      return refused(ctx, 'invalid', (l) => t(l, 'toast.guanceOnly'));
    }
    case 'warroom': {
      const outcome = await openWarRoom(ctx, { itemId: issue, actorOpenId: click.operatorOpenId, actorName: request.actorName });
      if (outcome.kind === 'not-found') return refused(ctx, 'not-found', (l) => t(l, 'answer.unknownIssue', { issue }));
      if (outcome.kind === 'refused') return refused(ctx, 'refused', (l) => t(l, 'toast.warRoomRefused', { code: outcome.code }));
      const key = outcome.kind === 'opened' ? 'toast.warRoomOpened' : 'toast.warRoomExists';
      return { outcome: outcome.kind, toast: toast('success', (l) => t(l, key, { link: outcome.link }), lang), card: false };
    }
  }
  return { outcome: 'invalid', toast: invalidToast(lang), card: false };
}
