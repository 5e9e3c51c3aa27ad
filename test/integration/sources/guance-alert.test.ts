import { describe, it } from 'vitest';
import { CHAT, appStackForTest } from '../../helpers/app-stack.js';
import { messageEvent } from '../../helpers/lark-signing.js';
import { cardsWith, currentCard, fixtureJson, fixtureText, postJson, waitForCardShowing, waitForCardWith } from '../../helpers/sources.js';

const TOKEN = 'alert-token-0123456789';
const PATH = `/webhooks/guance-alert?token=${TOKEN}`;
/** The published sample's title, as Guance sends it (`\uXXXX`) and as people read it. */
const SAMPLE_TITLE = '实例名称为 share 磁盘使用率过高';
const env = { GUANCE_ALERT_TOKEN: TOKEN };
const ALICE = { open_id: 'ou_alice00000000000000000000000001', name: 'Alice Chen' };

const alert = (overrides: Record<string, unknown>) => ({ ...fixtureJson('guance/alert-webhook-custom-payload.json'), ...overrides });

describe.concurrent('POST /webhooks/guance-alert', () => {
  it('turns the published sample, sent as Guance sends it, into exactly one card; three identical posts at once are one card', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'alert-sample', { env });
    const raw = fixtureText('guance/alert-webhook-custom-payload.json');
    expect(raw).toContain('\\u5b9e\\u4f8b'); // non-ASCII as \uXXXX, numbers as numbers and strings
    const answers = await Promise.all([1, 2, 3].map(() => postJson(stack, PATH, raw)));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    const card = await waitForCardWith(stack, SAMPLE_TITLE);
    expect(card.content).toContain('"template":"red"'); // critical → P0
    expect(card.content).toContain('Open alert');
    // The same event again later is still the same card: a later, different alert is carded, and still one card.
    expect((await postJson(stack, PATH, raw)).status).toBe(202);
    await postJson(stack, PATH, alert({ df_event_id: 'event-after', df_fault_id: 'fault-after', df_title: 'Sentinel alert' }));
    await waitForCardWith(stack, 'Sentinel alert');
    expect(cardsWith(stack, SAMPLE_TITLE)).toHaveLength(1);
    expect(stack.jobs.list('inbound', { name: 'ingest-notification' })).toHaveLength(2);
  });

  it('refuses a missing or wrong token with no effect at all; the same alert correctly sent afterwards gets its card', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'alert-token', { env });
    const body = alert({ df_event_id: 'event-token-1', df_title: 'Token check alert' });
    expect((await postJson(stack, '/webhooks/guance-alert', body)).status).toBe(401);
    expect((await postJson(stack, '/webhooks/guance-alert?token=nope', body)).status).toBe(403);
    expect((await postJson(stack, PATH, '{not json')).status).toBe(400);
    const wrongShape = await postJson(stack, PATH, { df_title: 'no event id', df_status: 'critical' });
    expect(wrongShape.status).toBe(422);
    expect(String(wrongShape.json.error)).toContain('df_event_id');
    expect((await postJson(stack, PATH, { ...body, df_message: 'x'.repeat(1024 * 1024 + 10) })).status).toBe(413);
    expect((await postJson(stack, PATH, body)).status).toBe(202);
    await waitForCardWith(stack, 'Token check alert');
    expect(cardsWith(stack, 'Token check alert')).toHaveLength(1);
    // Only the good request was queued: the refused ones claimed nothing.
    expect(stack.jobs.list('inbound', { name: 'ingest-notification' })).toHaveLength(1);
  });

  it('a recovery patches the card of its fault round to recovered; a recovery with nothing to match is a small green card', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'alert-recovery', { env });
    const fault = { df_fault_id: 'fault-a1', df_title: 'CPU high on web01', df_status: 'warning', df_event_id: 'event-a1' };
    await postJson(stack, PATH, alert(fault));
    const card = await waitForCardWith(stack, 'CPU high on web01');
    expect(card.content).toContain('"template":"yellow"');
    await postJson(stack, PATH, alert({ ...fault, df_event_id: 'event-a2', df_status: 'ok', df_fault_status: 'ok', df_title: 'CPU back to normal' }));
    const recovered = await waitForCardShowing(stack, card.message_id, '"template":"green"');
    expect(recovered).toContain('Resolved');
    expect(cardsWith(stack, 'CPU back to normal')).toHaveLength(0);

    // No df_fault_id (like the published sample): the check and its dimensions find the card.
    await postJson(stack, PATH, alert({ df_event_id: 'event-b1', df_title: 'Disk full on share' }));
    const disk = await waitForCardWith(stack, 'Disk full on share');
    await postJson(stack, PATH, alert({ df_event_id: 'event-b2', df_status: 'ok', df_title: 'Disk fine on share' }));
    await waitForCardShowing(stack, disk.message_id, '"template":"green"');

    await postJson(stack, PATH, alert({ df_event_id: 'event-c1', df_monitor_checker_id: 'rul_other', df_fault_id: 'fault-zz', df_status: 'ok', df_title: 'Recovered alone' }));
    const alone = await waitForCardWith(stack, 'Recovered alone');
    expect(alone.content).toContain('"template":"green"');
    expect(stack.lark.cardsIn(CHAT)).toHaveLength(3);
  });

  it('takes the text/plain body (title, blank line, message) when the notification object sends no JSON', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'alert-text', { env });
    const answer = await stack.post(PATH, 'Queue backlog growing\n\nbacklog 12000 > 10000', { 'content-type': 'text/plain' });
    expect(answer.status).toBe(202);
    const card = await waitForCardWith(stack, 'Queue backlog growing');
    expect(currentCard(stack, card.message_id)).toContain('backlog 12000');
  });
});

describe('commands in the thread of an alert card', () => {
  it('ack in the thread acknowledges the alert card; other text is answered that comments go to Guance issues only', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'alert-thread', { env });
    stack.lark.addUser(ALICE);
    await postJson(stack, PATH, alert({ df_event_id: 'event-thread', df_fault_id: 'fault-thread', df_title: 'Thread alert' }));
    const card = await waitForCardWith(stack, 'Thread alert');
    const say = async (text: string) => {
      const { payload, messageId } = messageEvent({
        text: `@_user_1 ${text}`,
        mentions: [{ key: '@_user_1', id: { open_id: stack.lark.botOpenId }, name: 'IssueBot', mentioned_type: 'bot' }],
        senderOpenId: ALICE.open_id,
        rootId: card.message_id,
      });
      stack.lark.addIncomingMessage({ chat_id: CHAT, message_id: messageId, root_id: card.message_id, parent_id: card.message_id });
      expect((await stack.postEvent(payload)).status).toBe(200);
      await stack.jobs.waitFor('inbound', { name: 'message', id: messageId });
      return stack.lark.repliesTo(messageId)[0]?.content ?? '';
    };
    expect(JSON.parse(await say('ack'))).toMatchObject({ text: expect.stringContaining('Acknowledged "Thread alert"') });
    await waitForCardShowing(stack, card.message_id, 'Acknowledged by Alice Chen');
    expect(await say('disk cleaned up on share')).toContain('Comments go to Guance issues only');
    expect(stack.guance.requests.filter((r) => r.method === 'POST' && r.path.includes('/reply/create'))).toHaveLength(0);
  });
});
