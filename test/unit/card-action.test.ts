import { describe, expect, it } from 'vitest';
import { callbackAnswer } from '../../handlers/events/card-action.js';
import type { ActionOutcome } from '../../handlers/issue-actions.js';
import {
  buttonValueSchema,
  cardActionResultSchema,
  invalidToast,
  resultOf,
  workingToast,
} from '../../handlers/jobs/handle-card-action.js';
import type { LarkCard } from '../../cards/types.js';
import type { IssueSnapshot } from '../../src/store/issue-links.js';

const ISSUE = 'issue_abc123';
const snapshot = (statusType: number): IssueSnapshot => ({
  uuid: ISSUE,
  title: 'Checkout returns 500',
  level: { name: 'P1' },
  statusType,
  source: 'checkout',
  createdAt: 1_700_000_000,
  updatedAt: 1_700_000_000,
  assignees: [],
  description: '',
  link: 'https://console.example.test/x',
});

describe('button value schema', () => {
  it('accepts exactly {action, issue}', () => {
    for (const action of ['ack', 'resolve', 'reopen']) expect(buttonValueSchema.safeParse({ action, issue: ISSUE }).success).toBe(true);
  });

  it.each([
    ['an unknown action', { action: 'delete', issue: ISSUE }],
    ['an extra key', { action: 'ack', issue: ISSUE, chat: 'oc_x' }],
    ['a non-issue id', { action: 'ack', issue: 'acnt_123' }],
    ['punctuation in the id', { action: 'ack', issue: 'issue_a b' }],
    ['a number as id', { action: 'ack', issue: 7 }],
    ['a missing issue', { action: 'ack' }],
    ['a string value', 'ack'],
    ['null', null],
    ['an array', [{ action: 'ack', issue: ISSUE }]],
    ['a very long id', { action: 'ack', issue: `issue_${'a'.repeat(200)}` }],
  ])('rejects %s', (_what, value) => {
    expect(buttonValueSchema.safeParse(value).success).toBe(false);
  });
});

describe('callback answer shapes', () => {
  const card: LarkCard = { schema: '2.0', config: { update_multi: true }, body: { elements: [] } };
  const toast = workingToast('en');

  it('new style: toast and card {type: raw, data}', () => {
    expect(callbackAnswer('v2', toast, card)).toEqual({ toast, card: { type: 'raw', data: card } });
  });

  it('legacy: the 2.0 card at the top level beside the toast', () => {
    expect(callbackAnswer('legacy', toast, card)).toEqual({ toast, schema: '2.0', config: { update_multi: true }, body: { elements: [] } });
  });

  it('toast only when there is no card', () => {
    expect(callbackAnswer('v2', toast)).toEqual({ toast });
    expect(callbackAnswer('legacy', toast)).toEqual({ toast });
  });

  it('toasts carry both Lark locales, content in the bot language', () => {
    expect(invalidToast('zh')).toEqual({ type: 'error', content: '无效的按钮', i18n: { zh_cn: '无效的按钮', en_us: 'Invalid button' } });
    expect(workingToast('en')).toEqual({ type: 'info', content: 'Working on it…', i18n: { zh_cn: '正在处理…', en_us: 'Working on it…' } });
  });
});

describe('outcome → result', () => {
  const value = { action: 'resolve', issue: ISSUE } as const;
  const cases: [ActionOutcome & { kind: Exclude<ActionOutcome['kind'], 'rate-limited'> }, string, string][] = [
    [{ kind: 'changed', snapshot: snapshot(20), ackAsComment: false }, 'success', 'Resolved'],
    [{ kind: 'already', snapshot: snapshot(20) }, 'info', 'Already Resolved'],
    [{ kind: 'not-found' }, 'error', `Could not change the issue: Unknown issue ${ISSUE}`],
    [{ kind: 'refused', message: 'no permission', snapshot: null }, 'error', 'Could not change the issue: Guance refused: no permission'],
  ];
  it.each(cases)('%o', (outcome, type, content) => {
    const result = resultOf(outcome, value, 'en');
    expect(cardActionResultSchema.parse(result)).toEqual(result);
    expect(result.toast).toMatchObject({ type, content });
    expect(result.cardIssue).toBe(ISSUE);
  });

  it('"already" names the status in both languages', () => {
    expect(resultOf({ kind: 'already', snapshot: snapshot(15) }, value, 'zh').toast.i18n).toEqual({
      zh_cn: '已经是处理中状态',
      en_us: 'Already Working',
    });
  });
});
