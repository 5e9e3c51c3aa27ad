/** Group chats and pins of the Lark fake over HTTP and through @larksuiteoapi/node-sdk. */
import { describe, expect, it } from 'vitest';
import * as lark from '@larksuiteoapi/node-sdk';
import { ALICE, BOB, at, str, useLarkFake } from './test-kit.js';

const kit = useLarkFake();
const { call, restart, send } = kit;

const CAROL = { open_id: 'ou_carol0000000000000000000000000003', name: 'Carol', resigned: true };
const CHATS = '/open-apis/im/v1/chats';
const createChat = (body: unknown, query = 'user_id_type=open_id'): ReturnType<typeof call> => call('POST', `${CHATS}?${query}`, body);
const newChatId = async (body: unknown = { name: 'War room' }): Promise<string> => str((await createChat(body)).json, 'data', 'chat_id');
const addMembers = (chatId: string, idList: string[], query = 'member_id_type=open_id'): ReturnType<typeof call> =>
  call('POST', `${CHATS}/${chatId}/members?${query}`, { id_list: idList });
const users = (n: number): string[] => Array.from({ length: n }, (_, i) => `ou_user${String(i).padStart(4, '0')}`);

describe('create a group chat', () => {
  it('creates a chat with the bot in it, leaves unknown ids out and lists them', async () => {
    kit.fake.addUser(CAROL);
    const res = await createChat({
      name: 'Issue 42 war room', description: 'prod outage', chat_mode: 'group', chat_type: 'private',
      user_id_list: [ALICE.open_id, BOB.open_id, 'ou_ghost', CAROL.open_id, ALICE.open_id], bot_id_list: ['cli_other0001', kit.fake.appId, 'not-an-app'],
    }, 'user_id_type=open_id&set_bot_manager=false');
    expect(res.status).toBe(200);
    const chatId = str(res.json, 'data', 'chat_id');
    expect(chatId).toMatch(/^oc_[0-9a-f]{32}$/);
    expect(res.json).toMatchObject({
      code: 0,
      msg: 'success',
      data: { name: 'Issue 42 war room', description: 'prod outage', chat_mode: 'group', chat_type: 'private', external: false, invalid_id_list: ['ou_ghost', CAROL.open_id, 'not-an-app'] },
    });
    expect(at(res.json, 'data', 'owner_id')).toBeUndefined(); // the bot owns it
    expect(kit.fake.chats()).toEqual([{
      chat_id: chatId, name: 'Issue 42 war room', description: 'prod outage', members: [ALICE.open_id, BOB.open_id],
      bots: [kit.fake.appId, 'cli_other0001'], chat_type: 'private', createdAt: expect.any(Number),
    }]);
    expect(kit.fake.chat(chatId)).toBe(kit.fake.chats()[0]);
    expect(kit.fake.chat('oc_unknown')).toBeUndefined();

    const owned = await createChat({ owner_id: ALICE.open_id, user_id_list: [BOB.open_id] }, 'set_bot_manager=true');
    expect(owned.json).toMatchObject({ code: 0, data: { name: '(无主题)', owner_id: ALICE.open_id, owner_id_type: 'open_id', invalid_id_list: [] } });
    expect(kit.fake.chat(str(owned.json, 'data', 'chat_id'))).toMatchObject({ owner_id: ALICE.open_id, members: [ALICE.open_id, BOB.open_id] });
    const badOwner = await createChat({ owner_id: 'ou_ghost' });
    expect([badOwner.status, at(badOwner.json, 'code')]).toEqual([400, 232030]);
  });

  it('answers the same chat for the same uuid (+ owner) for 10 hours and creates nothing new', async () => {
    let now = 1_700_000_000_000;
    await restart({ now: () => now });
    const first = await createChat({ name: 'Issue 7', user_id_list: [ALICE.open_id, 'ou_ghost'] }, 'user_id_type=open_id&uuid=issue-7');
    const again = await createChat({ name: 'Issue 7 (retry)', user_id_list: [BOB.open_id] }, 'user_id_type=open_id&uuid=issue-7');
    expect(again.json).toEqual(first.json);
    expect(kit.fake.chats()).toHaveLength(1);
    expect(kit.fake.chats()[0]).toMatchObject({ uuid: 'issue-7', name: 'Issue 7', members: [ALICE.open_id] });

    const otherOwner = await createChat({ name: 'Issue 7', owner_id: ALICE.open_id }, 'uuid=issue-7');
    expect(str(otherOwner.json, 'data', 'chat_id')).not.toBe(str(first.json, 'data', 'chat_id'));
    await createChat({ name: 'no uuid' });
    await createChat({ name: 'no uuid' });
    expect(kit.fake.chats()).toHaveLength(4);

    now += 10 * 3600 * 1000;
    kit.token = await kit.fetchToken(); // the old one expired
    const later = await createChat({ name: 'Issue 7' }, 'uuid=issue-7');
    expect(str(later.json, 'data', 'chat_id')).not.toBe(str(first.json, 'data', 'chat_id'));
    expect(kit.fake.chats()).toHaveLength(5);
  });

  it('limits a create call to 50 users and 5 bots, and checks names, uuid and enums', async () => {
    expect((await createChat({ name: 'fifty', user_id_list: users(50) })).status).toBe(200);
    const tooMany = await createChat({ name: 'fifty-one', user_id_list: users(51) });
    expect([tooMany.status, at(tooMany.json, 'code'), at(tooMany.json, 'msg')]).toEqual([400, 99992402, 'field validation failed']);
    expect(at(tooMany.json, 'error', 'field_violations', '0', 'field')).toBe('user_id_list');
    const bots = ['cli_b1', 'cli_b2', 'cli_b3', 'cli_b4', 'cli_b5', 'cli_b6'];
    expect(at((await createChat({ name: 'bots', bot_id_list: bots })).json, 'code')).toBe(99992402);
    expect((await createChat({ name: 'bots', bot_id_list: bots.slice(0, 5) })).status).toBe(200);
    expect(at((await createChat({ chat_type: 'public' })).json, 'code')).toBe(232042);
    expect(at((await createChat({ name: 'x', chat_type: 'public' })).json, 'code')).toBe(232020);
    expect(at((await createChat({ name: 'x', chat_mode: 'topic' })).json, 'code')).toBe(99992402);
    expect(at((await createChat({ name: 'x' }, `uuid=${'u'.repeat(51)}`)).json, 'code')).toBe(99992402);
    expect(at((await createChat({ name: 'x' }, 'user_id_type=email')).json, 'code')).toBe(99992402);
    expect(kit.fake.chats()).toHaveLength(2);
  });

  it('denyChatCreate answers 99991672 naming the scope; reset switches it off', async () => {
    kit.fake.denyChatCreate(true);
    const denied = await createChat({ name: 'nope' }, 'uuid=denied-1');
    expect(denied.status).toBe(400);
    expect(denied.json).toMatchObject({
      code: 99991672,
      msg: expect.stringMatching(/^Access denied\. One of the following scopes is required: \[im:chat:create, im:chat\]/),
      error: { permission_violations: [{ scope: 'im:chat:create' }, { scope: 'im:chat' }] },
    });
    expect(kit.fake.chats()).toHaveLength(0);
    kit.fake.denyChatCreate(false);
    expect((await createChat({ name: 'ok' }, 'uuid=denied-1')).status).toBe(200);
    kit.fake.denyChatCreate(true);
    kit.fake.reset();
    expect(kit.fake.chats()).toHaveLength(0);
    expect((await createChat({ name: 'after reset' })).status).toBe(200);
  });

  it('strictChatIds: unknown ids fail as the open-platform pages say', async () => {
    kit.fake.addUser(CAROL);
    kit.fake.strictChatIds(true);
    const unknown = await createChat({ name: 'strict', user_id_list: [ALICE.open_id, 'ou_ghost'] });
    expect([unknown.status, unknown.json]).toEqual([400, { code: 232043, msg: 'Your request contains unavailable ids.' }]);
    expect(at((await createChat({ name: 'strict', bot_id_list: ['bot-x'] })).json, 'code')).toBe(232043);
    expect(at((await createChat({ name: 'strict', user_id_list: [CAROL.open_id] })).json, 'code')).toBe(232022);
    expect(kit.fake.chats()).toHaveLength(0);
    const chatId = await newChatId({ name: 'strict', user_id_list: [ALICE.open_id] });
    expect(at((await addMembers(chatId, [BOB.open_id, 'ou_ghost'])).json, 'code')).toBe(232043);
    const resigned = await addMembers(chatId, [BOB.open_id, CAROL.open_id]);
    expect(at(resigned.json, 'data')).toEqual({ invalid_id_list: [CAROL.open_id], not_existed_id_list: [], pending_approval_id_list: [] });
    const lenient = await addMembers(chatId, ['ou_ghost'], 'member_id_type=open_id&succeed_type=1');
    expect(at(lenient.json, 'data', 'not_existed_id_list')).toEqual(['ou_ghost']);
    expect(kit.fake.chat(chatId)?.members).toEqual([ALICE.open_id, BOB.open_id]);
  });
});

describe('members, links, pins', () => {
  it('adds members and reports unusable ids', async () => {
    kit.fake.addUser(CAROL);
    const chatId = await newChatId({ name: 'room', user_id_list: [ALICE.open_id] });
    const res = await addMembers(chatId, [BOB.open_id, ALICE.open_id, 'ou_ghost', CAROL.open_id]);
    expect([res.status, res.json]).toEqual([200, {
      code: 0, msg: 'success', data: { invalid_id_list: [CAROL.open_id], not_existed_id_list: ['ou_ghost'], pending_approval_id_list: [] },
    }]);
    expect(kit.fake.chat(chatId)?.members).toEqual([ALICE.open_id, BOB.open_id]);

    const bots = await addMembers(chatId, ['cli_helper01', 'nope'], 'member_id_type=app_id');
    expect(at(bots.json, 'data', 'not_existed_id_list')).toEqual(['nope']);
    expect(kit.fake.chat(chatId)?.bots).toEqual([kit.fake.appId, 'cli_helper01']);

    expect(at((await addMembers(chatId, [CAROL.open_id], 'succeed_type=2')).json, 'code')).toBe(232043);
    expect(at((await addMembers(chatId, ['ou_ghost'], 'succeed_type=0')).json, 'code')).toBe(232043);
    expect(at((await addMembers(chatId, [])).json, 'code')).toBe(232027);
    expect(at((await addMembers(chatId, users(51))).json, 'code')).toBe(232001);
    expect(at((await addMembers(chatId, ['cli_1', 'cli_2', 'cli_3', 'cli_4', 'cli_5', 'cli_6'], 'member_id_type=app_id')).json, 'code')).toBe(232001);
    expect(at((await addMembers('oc_not_created', [BOB.open_id])).json, 'code')).toBe(232006);
  });

  it('makes share links', async () => {
    const now = 1_700_000_000_000;
    await restart({ now: () => now });
    const chatId = await newChatId();
    const link = (body?: unknown, id = chatId): ReturnType<typeof call> => call('POST', `${CHATS}/${id}/link`, body);
    const week = await link({ validity_period: 'week' });
    expect(week.json).toEqual({
      code: 0,
      msg: 'success',
      data: { share_link: expect.stringMatching(/^https:\/\/applink\.feishu\.cn\/client\/chat\/chatter\/add_by_link\?link_token=[0-9a-f-]+$/), expire_time: String(now / 1000 + 7 * 86400), is_permanent: false },
    });
    expect(at((await link()).json, 'data', 'expire_time')).toBe(String(now / 1000 + 7 * 86400));
    expect(at((await link({ validity_period: 'year' })).json, 'data', 'expire_time')).toBe(String(now / 1000 + 365 * 86400));
    expect(at((await link({ validity_period: 'permanently' })).json, 'data')).toMatchObject({ expire_time: '0', is_permanent: true });
    expect(at((await link({ validity_period: 'forever' })).json, 'code')).toBe(232001);
    expect(at((await link({}, 'oc_not_created')).json, 'code')).toBe(232006);
  });

  it('pins messages; pinning again answers the same pin', async () => {
    let now = 1_700_000_000_000;
    await restart({ now: () => now });
    const chatId = await newChatId();
    const messageId = str((await send(chatId, 'text', '{"text":"status: investigating"}')).json, 'data', 'message_id');
    const pin = (id: string): ReturnType<typeof call> => call('POST', '/open-apis/im/v1/pins', { message_id: id });
    const first = await pin(messageId);
    const expected = { message_id: messageId, chat_id: chatId, operator_id: kit.fake.appId, operator_id_type: 'app_id', create_time: String(now) };
    expect([first.status, first.json]).toEqual([200, { code: 0, msg: 'success', data: { pin: expected } }]);
    now += 5000;
    expect(at((await pin(messageId)).json, 'data', 'pin')).toEqual(expected);
    expect(kit.fake.pins()).toEqual([{ message_id: messageId, chat_id: chatId, at: now - 5000 }]);
    expect([(await pin('om_missing')).status, at((await pin('om_missing')).json, 'code')]).toEqual([400, 230011]);
    expect(at((await call('POST', '/open-apis/im/v1/pins', {})).json, 'code')).toBe(99992402);
    for (let i = 0; i < 4; i += 1) expect((await pin(messageId)).status).toBe(200);
    expect(at((await pin(messageId)).json, 'code')).toBe(230047);
    kit.fake.reset();
    expect(kit.fake.pins()).toEqual([]);
  });

  it('takes messages and JSON 2.0 cards with form, input, selects and overflow in a created chat', async () => {
    const chatId = await newChatId({ name: 'room', user_id_list: [ALICE.open_id] });
    expect((await send(chatId, 'text', '{"text":"hello room"}')).status).toBe(200);
    const plain = (content: string): Record<string, unknown> => ({ tag: 'plain_text', content });
    const card = {
      schema: '2.0',
      header: { title: plain('Issue 42') },
      body: { elements: [
        { tag: 'form', name: 'ack_form', elements: [
          { tag: 'input', name: 'note', placeholder: plain('note') },
          { tag: 'select_static', name: 'severity', options: [{ text: plain('Critical'), value: 'critical' }, { text: plain('Low'), value: 'low' }] },
          { tag: 'select_person', name: 'assignee', options: [{ value: ALICE.open_id }] },
          { tag: 'button', name: 'submit', text: plain('Submit'), type: 'primary_filled', form_action_type: 'submit' },
        ] },
        { tag: 'input', name: 'quick_note', placeholder: plain('Enter to send') },
        { tag: 'overflow', options: [{ text: plain('Mute'), value: 'mute' }, { text: plain('Close'), value: 'close' }] },
      ] },
    };
    const res = await send(chatId, 'interactive', JSON.stringify(card));
    expect([res.status, at(res.json, 'data', 'chat_id')]).toEqual([200, chatId]);
    expect(kit.fake.cardsIn(chatId)).toHaveLength(1);
    expect(kit.fake.messages.map((m) => m.chat_id)).toEqual([chatId, chatId]);
  });
});

describe('@larksuiteoapi/node-sdk against the fake', () => {
  it('creates a chat, adds members, makes a link and pins through the SDK', async () => {
    await restart({ appId: 'cli_sdk_chat_test_01', appSecret: 'sdk-secret' });
    const silentLogger = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };
    const client = new lark.Client({
      appId: kit.fake.appId, appSecret: kit.fake.appSecret, domain: kit.fake.url, logger: silentLogger, cache: new lark.DefaultCache(),
    });
    const created = await client.im.chat.create({
      params: { user_id_type: 'open_id', set_bot_manager: true, uuid: 'sdk-chat-1' },
      data: { name: 'SDK room', owner_id: ALICE.open_id, user_id_list: [ALICE.open_id], chat_mode: 'group', chat_type: 'private' },
    });
    const chatId = created.data?.chat_id ?? '';
    expect([created.code, chatId]).toEqual([0, expect.stringMatching(/^oc_/)]);
    expect(kit.fake.requests.at(-1)).toMatchObject({ path: '/open-apis/im/v1/chats', query: { uuid: 'sdk-chat-1', set_bot_manager: 'true' } });

    const added = await client.im.chatMembers.create({ path: { chat_id: chatId }, params: { member_id_type: 'open_id' }, data: { id_list: [BOB.open_id] } });
    expect(added.data?.invalid_id_list).toEqual([]);
    const link = await client.im.chat.link({ path: { chat_id: chatId }, data: { validity_period: 'week' } });
    expect(link.data?.share_link).toMatch(/link_token=/);
    const sent = await client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: chatId, msg_type: 'text', content: '{"text":"hi"}' } });
    const pinned = await client.im.pin.create({ data: { message_id: sent.data?.message_id ?? '' } });
    expect(pinned.data?.pin).toMatchObject({ chat_id: chatId, operator_id: kit.fake.appId });
    expect(kit.fake.chat(chatId)?.members).toEqual([ALICE.open_id, BOB.open_id]);

    kit.fake.denyChatCreate(true);
    const err: unknown = await client.im.chat.create({ data: { name: 'denied' } }).then(() => undefined, (e: unknown) => e);
    expect(at(err, 'response', 'data', 'code')).toBe(99991672);
  });
});
