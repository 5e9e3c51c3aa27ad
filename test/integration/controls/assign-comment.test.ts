import { describe, it } from 'vitest';
import { appStackForTest, type AppStack } from '../../helpers/app-stack.js';
import { waitForCard } from '../../helpers/cards.js';
import { cardActionEvent } from '../../helpers/lark-signing.js';
import { waitFor } from '../../helpers/wait.js';

const ALICE = { open_id: 'ou_asg_alice000000000000000000001', name: 'Alice Chen', email: 'alice@example.com' };
const BOB = { open_id: 'ou_asg_bob00000000000000000000002', name: 'Bob Li', email: 'bob@example.com' };
const PER_MINUTE = 300;
const opts = { guance: { requestsPerMinute: PER_MINUTE }, env: { GUANCE_REQUESTS_PER_MINUTE: String(PER_MINUTE) } };

async function issueCard(stack: AppStack, name: string, extend?: Record<string, unknown>) {
  const issue = stack.guance.createIssue({ name, level: 'P1', ...(extend ? { extend } : {}) });
  return { issue, card: await waitForCard(stack, issue.uuid, 10_000) };
}
const modifies = (stack: AppStack, uuid: string) => stack.guance.requestsMatching(`POST /api/v1/issue/${uuid}/modify`);
const replies = (stack: AppStack, uuid: string) =>
  stack.guance.requests.filter((r) => r.path === '/api/v1/issue/reply/create' && (r.body as { issueUUID?: string }).issueUUID === uuid);

describe.concurrent('assign from the card, and the comment box', () => {
  it('assigns the picked person by e-mail to their Guance account, keeping the rest of extend; an unknown person changes nothing', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'assign', opts, PER_MINUTE);
    stack.lark.addUser(ALICE);
    stack.lark.addUser(BOB);
    const member = stack.guance.addMember({ email: BOB.email, name: 'Bob (Guance)' });
    const { issue, card } = await issueCard(stack, 'Assign me', { keep: 'this', text: 'original text' });
    expect(card.content).toContain('"tag":"select_person"');
    const pick = (person: string) =>
      stack.postEvent(cardActionEvent({ messageId: card.message_id, value: { action: 'assign', issue: issue.uuid }, operatorOpenId: ALICE.open_id, option: person, tag: 'select_person' }).payload);

    const nobody = await pick(ALICE.open_id); // Alice has no Guance account
    expect(JSON.stringify(nobody.json)).toContain('no Guance account');
    const ghost = await pick('ou_not_a_user_at_all00000000000001');
    expect(JSON.stringify(ghost.json)).toContain('not a Lark user');
    expect(modifies(stack, issue.uuid)).toHaveLength(0);

    const assigned = await pick(BOB.open_id);
    expect(JSON.stringify(assigned.json)).toContain('Assigned to Bob (Guance)');
    const [modify] = modifies(stack, issue.uuid);
    expect((modify?.body as { extend: Record<string, unknown> }).extend).toMatchObject({ keep: 'this', text: 'original text', manager: [member.uuid] });
    await waitFor(() => replies(stack, issue.uuid).some((r) => JSON.stringify(r.body).includes('assigned this to Bob')) || undefined, 'the comment');
    // The card shows the assignee in place, @mentioned (Lark knows Bob's e-mail).
    await waitFor(() => ((stack.lark.getMessage(card.message_id)?.patches ?? []).some((p) => p.includes(`<at id=${BOB.open_id}></at>`)) ? true : undefined), 'the card shows the assignee');
  });

  it('the comment box adds one attributed comment per submit, never two for one callback; empty and oversize are refused', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'comment-box', opts, PER_MINUTE);
    stack.lark.addUser(ALICE);
    const { issue, card } = await issueCard(stack, 'Comment on me');
    expect(card.content).toContain('"tag":"form"');
    const submit = (text: string, eventId?: string) =>
      stack.postEvent(
        cardActionEvent({ messageId: card.message_id, value: { action: 'comment', issue: issue.uuid }, operatorOpenId: ALICE.open_id, formValue: { comment: text }, ...(eventId ? { eventId } : {}) }).payload,
      );
    const first = await submit('Restarted the pods', 'ev-comment-once');
    expect(JSON.stringify(first.json)).toContain('Comment added');
    expect(first.json.card).toBeDefined(); // the card again, its box empty
    await submit('Restarted the pods', 'ev-comment-once'); // Lark delivers the same callback again
    await submit('Restarted the pods'); // the person submits again on purpose
    expect(JSON.stringify((await submit('   ')).json)).toContain('Write something first');
    expect(JSON.stringify((await submit('x'.repeat(1_001))).json)).toContain('Too long');
    await waitFor(() => (replies(stack, issue.uuid).length >= 2 ? true : undefined), 'two comments');
    const bodies = replies(stack, issue.uuid).map((r) => r.body as { content: string; extend: { extra: { creator: unknown } } });
    expect(bodies).toHaveLength(2);
    expect(bodies[0]?.content).toContain('Alice Chen');
    expect(bodies[0]?.extend.extra.creator).toEqual({ name: 'Alice Chen', email: ALICE.email });
  });
});
