import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { CHAT, appStackForTest } from '../../helpers/app-stack.js';
import { robotClock, startRobots } from '../../helpers/robots.js';
import { postJson, waitForCardWith } from '../../helpers/sources.js';
import { waitFor } from '../../helpers/wait.js';

const TOKEN = 'routes-error-token-0123';
const AUTH = { authorization: `Bearer ${TOKEN}` };

function routesFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'routes-')), 'routes.yaml');
  writeFileSync(file, text);
  return file;
}

describe.concurrent('routes and storms', () => {
  it('routes by level and service to their own chats and sinks only; commands and buttons work in every routed chat', async (context) => {
    const { expect } = context;
    const robots = await startRobots();
    context.onTestFinished(() => robots.fake.close());
    const file = routesFile(`
sinks:
  oncall-ding: { type: dingtalk, url: "${robots.dingtalk.url}", secret: "${robots.dingtalk.secret}" }
routes:
  - match: { level: [P0] }
    to: { chats: [oc_oncall], sinks: [oncall-ding] }
  - match: { service: "pay-*" }
    to: { chats: [oc_payments] }
    continue: true
  - to: { chats: [${CHAT}], sinks: [wecom] }
`);
    const stack = await appStackForTest(context, 'routes', {
      env: { ERROR_API_TOKEN: TOKEN, ROUTES_FILE: file, WECOM_WEBHOOK_URL: robots.wecom.url },
      config: robotClock,
    });
    await postJson(stack, '/api/errors', { service: 'search', message: 'P0 outage', level: 'P0' }, AUTH);
    await postJson(stack, '/api/errors', { service: 'pay-api', message: 'Payments slow', level: 'P2' }, AUTH);
    await postJson(stack, '/api/errors', { service: 'search', message: 'Search warning', level: 'warning' }, AUTH);
    await waitFor(() => stack.lark.cardsIn(CHAT).length === 2 || undefined, 'two cards in the main chat');
    await waitFor(() => robots.fake.messages(robots.wecom.id).length === 2 || undefined, 'two WeCom messages');
    await waitFor(() => robots.fake.messages(robots.dingtalk.id).length === 1 || undefined, 'one DingTalk message');
    const titles = (chat: string) => stack.lark.cardsIn(chat).map((m) => (/"title":\{"tag":"plain_text","content":"([^"]+)"/.exec(m.content) ?? [])[1]);
    expect(titles('oc_oncall')).toEqual(['P0 outage']);
    expect(titles('oc_payments')).toEqual(['Payments slow']);
    expect(titles(CHAT).sort()).toEqual(['Payments slow', 'Search warning']);
    expect(JSON.stringify(robots.fake.messages(robots.dingtalk.id))).toContain('P0 outage');

    // A button in the routed chat acts on its card, and every card of the issue shows it.
    const [oncallCard] = stack.lark.cardsIn('oc_oncall');
    const issue = /"issue":"(error_[0-9a-f]{32})"/.exec(oncallCard?.content ?? '')?.[1] ?? '';
    const { cardActionEvent } = await import('../../helpers/lark-signing.js');
    stack.lark.addUser({ open_id: 'ou_routes_alice000000000000000001', name: 'Alice Chen' });
    const click = await stack.postEvent(cardActionEvent({ messageId: oncallCard?.message_id ?? '', value: { action: 'ack', issue }, operatorOpenId: 'ou_routes_alice000000000000000001' }).payload);
    expect(JSON.stringify(click.json)).toContain('Acknowledged');
  });

  it('a storm of 50 becomes 10 cards and one digest listing the other 40 (none lost, none twice), within 5 messages/s per chat', async (context) => {
    const { expect } = context;
    const robots = await startRobots();
    context.onTestFinished(() => robots.fake.close());
    const stack = await appStackForTest(context, 'storm', {
      env: { ERROR_API_TOKEN: TOKEN, STORM_THRESHOLD: '10', WECOM_WEBHOOK_URL: robots.wecom.url },
      config: (config) => {
        robotClock(config);
        config.stormWindowMs = 6_000;
      },
    });
    // All 50 inside one storm window: start right after a window begins.
    await new Promise((resolve) => setTimeout(resolve, 6_000 - (Date.now() % 6_000) + 50));
    const titles = Array.from({ length: 50 }, (_, i) => `Storm issue ${String(i).padStart(2, '0')}`);
    await Promise.all(titles.map((message) => postJson(stack, '/api/errors', { service: 'checkout', message }, AUTH)));
    const digest = await waitForCardWith(stack, 'new issues in the last minute');
    await waitFor(() => stack.lark.cardsIn(CHAT).length === 11 || undefined, '10 cards and the digest');
    // The digest is closed after its window, listing 40.
    const closed = await waitFor(() => {
      const text = stack.lark.getMessage(digest.message_id)?.patches.at(-1) ?? '';
      return text.includes('Storm over: 40 issues') ? text : undefined;
    }, 'the closed digest', 15_000);
    const cards = stack.lark.cardsIn(CHAT).filter((m) => m.message_id !== digest.message_id).map((m) => m.content);
    for (const title of titles) {
      const asCard = cards.filter((c) => c.includes(`"${title}"`)).length;
      const asLine = closed.includes(`${title}](`) || closed.includes(`${title}\\n`) || closed.includes(` ${title}`) ? 1 : 0;
      expect(asCard + asLine, title).toBe(1);
    }
    // Lark's per-chat limit was never hit, and WeCom got 10 messages and one digest message.
    expect(stack.lark.requests.filter((r) => r.path === '/open-apis/im/v1/messages' && r.status === 400)).toHaveLength(0);
    const sent = stack.lark.cardsIn(CHAT).map((m) => m.create_time);
    expect(Math.max(...sent.map((t) => sent.filter((u) => u >= t && u < t + 1_000).length))).toBeLessThanOrEqual(5);
    await waitFor(() => robots.fake.messages(robots.wecom.id).length === 11 || undefined, '11 WeCom messages', 15_000);
    expect(JSON.stringify(robots.fake.messages(robots.wecom.id).at(-1)?.body)).toContain('40');
  });
});
