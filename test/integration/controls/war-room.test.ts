import supertest from 'supertest';
import { describe, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { CHAT, appStackForTest, memoryLogger } from '../../helpers/app-stack.js';
import { waitForCard } from '../../helpers/cards.js';
import { cardActionEvent, messageEvent } from '../../helpers/lark-signing.js';
import { waitFor } from '../../helpers/wait.js';

const ALICE = { open_id: 'ou_war_alice000000000000000000001', name: 'Alice Chen', email: 'alice@example.com' };
const BOB = { open_id: 'ou_war_bob00000000000000000000002', name: 'Bob Li', email: 'bob@example.com' };
const CAROL = { open_id: 'ou_war_carol00000000000000000003', name: 'Carol Wu', mobile: '+8613011113333' };
const PER_MINUTE = 300;

describe('war room', () => {
  it('one group per issue under concurrent clicks on two replicas, with the right members, the card pinned and in step, messages becoming comments', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(
      context,
      'war-room',
      { guance: { requestsPerMinute: PER_MINUTE }, env: { GUANCE_REQUESTS_PER_MINUTE: String(PER_MINUTE), ONCALL: `${CAROL.mobile},nobody@example.com` } },
      PER_MINUTE,
    );
    for (const user of [ALICE, BOB, CAROL]) stack.lark.addUser(user);
    const issue = stack.guance.createIssue({ name: 'Payments down', level: 'P0', manager: [BOB.email] });
    const card = await waitForCard(stack, issue.uuid, 10_000);
    const replica = buildApp(stack.config, { log: memoryLogger(stack.config).log });
    await replica.start();
    try {
      await waitFor(async () => (await supertest(replica.http).get('/readyz')).status === 200 || undefined, 'the replica');
      const press = (http: typeof stack.request) =>
        http.post('/lark/events').set('content-type', 'application/json').send(JSON.stringify(
          cardActionEvent({ messageId: card.message_id, value: { action: 'warroom', issue: issue.uuid }, operatorOpenId: ALICE.open_id }).payload,
        ));
      const answers = await Promise.all([press(stack.request), press(supertest(replica.http)), press(stack.request), press(supertest(replica.http))]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      const room = await waitFor(() => stack.lark.chats()[0], 'the war room');
      await waitFor(() => (stack.lark.pins().length > 0 ? true : undefined), 'the pinned card');
      expect(stack.lark.chats()).toHaveLength(1);
      expect(room.name).toBe('[P0] Payments down');
      expect([...room.members].sort()).toEqual([ALICE.open_id, BOB.open_id, CAROL.open_id].sort());
      const copy = stack.lark.cardsIn(room.chat_id)[0];
      expect(copy?.content).toContain('Payments down');
      expect(stack.lark.pins()).toEqual([expect.objectContaining({ message_id: copy?.message_id, chat_id: room.chat_id })]);
      const line = await waitFor(() => stack.lark.repliesTo(card.message_id).find((m) => m.content.includes('opened a war room')), 'the line in the thread');
      expect(line.content).toContain('Alice Chen');
      expect(line.content).toContain('https://');
      // A second click answers with the existing group.
      const again = await press(stack.request);
      expect(JSON.stringify(again.body)).toContain('already exists');

      // An action on the war-room card updates both cards.
      await stack.postEvent(cardActionEvent({ messageId: copy?.message_id ?? '', chatId: room.chat_id, value: { action: 'ack', issue: issue.uuid }, operatorOpenId: ALICE.open_id }).payload);
      for (const messageId of [card.message_id, copy?.message_id ?? '']) {
        await waitFor(() => ((stack.lark.getMessage(messageId)?.patches ?? []).some((p) => p.includes('Acknowledged by Alice Chen')) ? true : undefined), `card ${messageId} acknowledged`);
      }
      // A message in the war room, without an id or a mention, becomes a comment.
      const said = messageEvent({ text: 'rolling back 1.4.2 now', mentions: [], senderOpenId: BOB.open_id, chatId: room.chat_id });
      stack.lark.addIncomingMessage({ chat_id: room.chat_id, message_id: said.messageId });
      await stack.postEvent(said.payload);
      await waitFor(
        () => stack.guance.requests.find((r) => r.path === '/api/v1/issue/reply/create' && JSON.stringify(r.body).includes('rolling back 1.4.2 now')),
        'the comment in Guance',
      );
      expect(stack.lark.cardsIn(CHAT)).toHaveLength(1);
    } finally {
      await replica.stop();
    }
  });

  it('without im:chat:create: a clear toast, nothing half-made', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'war-room-denied');
    stack.lark.addUser(ALICE);
    stack.lark.denyChatCreate(true);
    const issue = stack.guance.createIssue({ name: 'No permission', level: 'P1' });
    const card = await waitForCard(stack, issue.uuid, 10_000);
    const answer = await stack.postEvent(cardActionEvent({ messageId: card.message_id, value: { action: 'warroom', issue: issue.uuid }, operatorOpenId: ALICE.open_id }).payload);
    expect(answer.status).toBe(200);
    expect(JSON.stringify(answer.json)).toContain('im:chat:create');
    expect(stack.lark.chats()).toHaveLength(0);
    expect(stack.lark.pins()).toHaveLength(0);
    await stack.waitForLog((l) => l.message === 'Lark refused to create the war room' && JSON.stringify(l).includes('99991672'), 'the log line');
  });
});
