/** Messages of the Lark fake over HTTP: send (uuid, chat rate), reply in threads, PATCH of shared cards, urgent. */
import { describe, expect, it } from 'vitest';
import { ALICE, BOB, CHAT, at, sharedCard, str, useLarkFake, v2Card } from './test-kit.js';

const kit = useLarkFake();
const { call, restart, send, sendText, reply } = kit;

describe('send', () => {
  it('creates messages in the real response shape and honours uuid idempotency', async () => {
    const first = await sendText('hello', { uuid: 'dedup-1' });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      code: 0,
      msg: 'success',
      data: {
        message_id: expect.stringMatching(/^om_/),
        chat_id: CHAT,
        msg_type: 'text',
        create_time: expect.stringMatching(/^\d{13}$/),
        deleted: false,
        updated: false,
        sender: { id: kit.fake.appId, id_type: 'app_id', sender_type: 'app' },
        body: { content: '{"text":"hello"}' },
      },
    });
    const again = await sendText('hello again', { uuid: 'dedup-1' });
    expect(str(again.json, 'data', 'message_id')).toBe(str(first.json, 'data', 'message_id'));
    expect(kit.fake.messages).toHaveLength(1);
    expect(kit.fake.messages[0]).toMatchObject({ chat_id: CHAT, msg_type: 'text', content: '{"text":"hello"}', uuid: 'dedup-1' });

    const other = await sendText('hello', { uuid: 'dedup-2' });
    expect(str(other.json, 'data', 'message_id')).not.toBe(str(first.json, 'data', 'message_id'));

    const card = await send(CHAT, 'interactive', sharedCard('Issue 1'));
    expect(card.status).toBe(200);
    expect(kit.fake.cardsIn(CHAT)).toHaveLength(1);
    expect(kit.fake.cardsIn(CHAT)[0]?.card).toMatchObject({ config: { update_multi: true } });

    const dm = await send(ALICE.open_id, 'text', '{"text":"hi"}', {}, 'open_id');
    expect(str(dm.json, 'data', 'chat_id')).toMatch(/^oc_[0-9a-f]{32}$/);
  });

  it('rejects bad receive ids, bad content and oversized content', async () => {
    const badChat = await send('chat-123', 'text', '{"text":"x"}');
    expect([badChat.status, at(badChat.json, 'code')]).toEqual([400, 230034]);
    const badContent = await send(CHAT, 'text', 'plain text');
    expect(at(badContent.json, 'code')).toBe(230001);
    const badCard = await send(CHAT, 'interactive', '{"elements":[');
    expect([badCard.status, at(badCard.json, 'code')]).toEqual([400, 230099]);
    const huge = await send(CHAT, 'interactive', JSON.stringify({ elements: [{ tag: 'markdown', content: 'x'.repeat(31 * 1024) }] }));
    expect(at(huge.json, 'code')).toBe(230025);
    expect(kit.fake.messages).toHaveLength(0);
  });

  it('limits each chat to 5 messages per second (send + reply)', async () => {
    let now = 1_700_000_000_000;
    await restart({ now: () => now });
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push(await sendText(`m${i}`));
    const root = str(results[0]?.json, 'data', 'message_id');
    results.push(await reply(root, 'fifth'));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const sixth = await sendText('m6');
    expect(sixth.status).toBe(400);
    expect(at(sixth.json, 'code')).toBe(230020);
    expect(str(sixth.json, 'msg')).toMatch(/rate limit/);
    expect(kit.fake.messages).toHaveLength(5);
    expect((await send('oc_another_chat', 'text', '{"text":"x"}')).status).toBe(200);
    now += 1001;
    expect((await sendText('later')).status).toBe(200);

    await restart({ chatRatePerSecond: 0, now: () => now });
    for (let i = 0; i < 8; i += 1) expect((await sendText(`x${i}`)).status).toBe(200);
  });
});

describe('reply, patch, urgent', () => {
  it('replies in a thread and keeps later replies in it', async () => {
    await restart({ chatRatePerSecond: 0 }); // more than 5 messages to CHAT below
    const root = str((await sendText('root')).json, 'data', 'message_id');
    const first = await reply(root, 'in thread', { reply_in_thread: true });
    expect(first.status).toBe(200);
    const threadId = str(first.json, 'data', 'thread_id');
    expect(threadId).toMatch(/^omt_/);
    expect(first.json).toMatchObject({ data: { root_id: root, parent_id: root, chat_id: CHAT } });
    const firstId = str(first.json, 'data', 'message_id');

    const second = await reply(firstId, 'still in thread');
    expect(second.json).toMatchObject({ data: { root_id: root, parent_id: root, thread_id: threadId } });
    expect(kit.fake.repliesTo(root)).toHaveLength(2);
    expect(kit.fake.getMessage(root)?.thread_id).toBe(threadId);

    const plainRoot = str((await sendText('other root')).json, 'data', 'message_id');
    const plain = await reply(plainRoot, 'plain reply');
    expect(at(plain.json, 'data', 'thread_id')).toBeUndefined();
    expect(plain.json).toMatchObject({ data: { root_id: plainRoot, parent_id: plainRoot } });

    const dupA = await reply(plainRoot, 'dup', { uuid: 'reply-uuid' });
    const dupB = await reply(plainRoot, 'dup', { uuid: 'reply-uuid' });
    expect(str(dupB.json, 'data', 'message_id')).toBe(str(dupA.json, 'data', 'message_id'));

    const unknown = await reply('om_does_not_exist', 'x');
    expect([unknown.status, at(unknown.json, 'code')]).toEqual([400, 230011]);

    const incoming = kit.fake.addIncomingMessage({ chat_id: 'oc_user_chat', content: '{"text":"@bot help"}' });
    const toUser = await reply(incoming.message_id, 'here to help', { reply_in_thread: true });
    expect(toUser.json).toMatchObject({ code: 0, data: { chat_id: 'oc_user_chat', root_id: incoming.message_id } });
    expect(kit.fake.messages.filter((m) => m.chat_id === 'oc_user_chat')).toHaveLength(1);
  });

  it('patches shared cards only, records patches and limits 5 per second per message', async () => {
    let now = 1_700_000_000_000;
    await restart({ now: () => now });
    const id = str((await send(CHAT, 'interactive', sharedCard('v0'))).json, 'data', 'message_id');
    const patch = (content: string, messageId = id) => call('PATCH', `/open-apis/im/v1/messages/${messageId}`, { content });

    const ok = await patch(sharedCard('v1'));
    expect([ok.status, ok.json]).toEqual([200, { code: 0, data: {}, msg: 'ok' }]);
    expect(kit.fake.getMessage(id)?.patches).toEqual([sharedCard('v1')]);
    expect(kit.fake.getMessage(id)?.card).toMatchObject({ elements: [{ content: 'v1' }] });

    const notShared = await patch(JSON.stringify({ elements: [{ tag: 'markdown', content: 'x' }] }));
    expect([notShared.status, at(notShared.json, 'code')]).toEqual([400, 230099]);
    expect(at((await patch('{broken')).json, 'code')).toBe(230099);
    expect(at((await patch(sharedCard('x'), 'om_missing')).json, 'code')).toBe(230011);
    const textId = str((await sendText('plain')).json, 'data', 'message_id');
    expect(at((await patch(sharedCard('x'), textId)).json, 'code')).toBe(230001);

    for (let i = 2; i <= 5; i += 1) expect((await patch(sharedCard(`v${i}`))).status).toBe(200);
    const limited = await patch(sharedCard('v6'));
    expect([limited.status, at(limited.json, 'code')]).toEqual([400, 230020]);
    expect(kit.fake.getMessage(id)?.patches).toHaveLength(5);
    now += 1000;
    expect((await patch(sharedCard('v6'))).status).toBe(200);

    const v2 = str((await send(CHAT, 'interactive', v2Card('two'))).json, 'data', 'message_id');
    expect((await patch(v2Card('two b'), v2)).status).toBe(200);
    expect(kit.fake.getMessage(v2)?.content).toBe(v2Card('two b'));
  });

  it('sends urgent notifications and reports invalid ids', async () => {
    const id = str((await sendText('urgent!')).json, 'data', 'message_id');
    const path = `/open-apis/im/v1/messages/${id}/urgent_app?user_id_type=open_id`;
    const res = await call('PATCH', path, { user_id_list: [ALICE.open_id, 'ou_unknown'] });
    expect([res.status, res.json]).toEqual([200, { code: 0, msg: 'success', data: { invalid_user_id_list: ['ou_unknown'] } }]);
    expect(kit.fake.getMessage(id)?.urgents).toMatchObject([{ kind: 'app', user_ids: [ALICE.open_id], invalid_user_ids: ['ou_unknown'] }]);

    const phone = await call('PATCH', `/open-apis/im/v1/messages/${id}/urgent_phone?user_id_type=open_id`, { user_id_list: [BOB.open_id] });
    expect(phone.status).toBe(200);
    expect(kit.fake.getMessage(id)?.urgents.map((u) => u.kind)).toEqual(['app', 'phone']);

    const allInvalid = await call('PATCH', path, { user_id_list: ['ou_nobody'] });
    expect([allInvalid.status, at(allInvalid.json, 'code')]).toEqual([400, 230001]);
    const noType = await call('PATCH', `/open-apis/im/v1/messages/${id}/urgent_sms`, { user_id_list: [ALICE.open_id] });
    expect([noType.status, at(noType.json, 'code')]).toEqual([400, 230001]);
    expect(kit.fake.getMessage(id)?.urgents).toHaveLength(2);
  });
});
