import { describe, expect, it } from 'vitest';
import { buttonValueSchema, cardActionResultSchema, resultOf } from '../../../../handlers/actions/handle-card-action.js';
import type { ActionOutcome } from '../../../../handlers/issues/index.js';
import type { IssueSnapshot } from '../../../../src/store/index.js';

const ISSUE = `issue_${'ab12'.repeat(8)}`;
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
    ['an id that is not 32 hex digits', { action: 'ack', issue: 'issue_abc123' }],
    ['upper-case hex', { action: 'ack', issue: `issue_${'AB12'.repeat(8)}` }],
  ])('rejects %s', (_what, value) => {
    expect(buttonValueSchema.safeParse(value).success).toBe(false);
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
