import { describe, it } from 'vitest';
import { CHAT, appStackForTest } from '../../helpers/app-stack.js';
import { waitForCard } from '../../helpers/cards.js';
import { messageEvent } from '../../helpers/lark-signing.js';
import { fixtureJson, postJson, waitForCardWith } from '../../helpers/sources.js';
import { waitFor } from '../../helpers/wait.js';

const ALICE = { open_id: 'ou_id_alice0000000000000000000001', name: 'Alice Chen', email: 'alice@example.com' };
const NOMAIL = { open_id: 'ou_id_nomail000000000000000000002', name: 'No Mail' };
const SENDS = /^POST \/open-apis\/im\/v1\/messages$/;

describe.concurrent('Lark people ↔ Guance people, by e-mail', () => {
  it('a comment written from Lark carries the author’s e-mail in extend.extra.creator; without an e-mail, the name only', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'identity-comment');
    stack.lark.addUser(ALICE);
    stack.lark.addUser(NOMAIL);
    const issue = stack.guance.createIssue({ name: 'Identity issue', level: 'P2' });
    const card = await waitForCard(stack, issue.uuid, 10_000);
    const reply = async (sender: string, text: string) => {
      const said = messageEvent({ text, mentions: [], senderOpenId: sender, rootId: card.message_id });
      stack.lark.addIncomingMessage({ chat_id: CHAT, message_id: said.messageId, root_id: card.message_id, parent_id: card.message_id });
      await stack.postEvent(said.payload);
      await stack.jobs.waitFor('inbound', { name: 'message', id: said.messageId });
    };
    await reply(ALICE.open_id, 'looking at the logs');
    await reply(NOMAIL.open_id, 'me too');
    const creators = stack.guance.requests.filter((r) => r.path === '/api/v1/issue/reply/create').map((r) => (r.body as { extend: { extra: { creator: unknown } } }).extend.extra.creator);
    expect(creators).toEqual([{ name: 'Alice Chen', email: 'alice@example.com' }, { name: 'No Mail' }]);
    expect(stack.logs.filter((l) => String(l.message).includes('contact:user.email:readonly'))).toHaveLength(1);
  });

  it('assignees Lark knows are @mentioned on the card, the unknown one by name, and Lark accepts the card', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'identity-mentions');
    stack.lark.addUser(ALICE);
    const issue = stack.guance.createIssue({ name: 'Assigned issue', level: 'P1', manager: [ALICE.email, 'stranger@example.com'] });
    const card = await waitForCard(stack, issue.uuid, 10_000);
    expect(card.content).toContain(`<at id=${ALICE.open_id}></at>`);
    expect(card.content).toContain('stranger@example.com');
    expect(card.content).not.toContain('<at id=null');
  });

  it('a card Lark refuses while it @mentions people is sent again with names only', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'identity-fallback', {
      env: { GUANCE_ALERT_TOKEN: 'tok-identity-0123' },
    });
    stack.lark.addUser(ALICE);
    stack.lark.failNext(SENDS, { kind: 'status', status: 400, code: 230099, msg: 'Failed to create card content, ext=ErrCode: 11246; ErrMsg: invalid at user' });
    const alert = { ...fixtureJson('guance/alert-webhook-custom-payload.json'), df_event_id: 'event-mention', df_title: 'Mentioned alert', df_at_accounts: [{ email: ALICE.email }] };
    await postJson(stack, '/webhooks/guance-alert?token=tok-identity-0123', alert);
    const card = await waitForCardWith(stack, 'Mentioned alert');
    expect(card.content).not.toContain('<at id=');
    expect(card.content).toContain(ALICE.email);
    await waitFor(() => stack.logs.find((l) => l.message === 'Lark refused the card with mentions; sending it with names only'), 'the fallback log');
  });
});
