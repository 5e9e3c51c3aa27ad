import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { botEnv, spawnBot } from '../helpers/bot-process.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

const offline = { LARK_DOMAIN: 'http://127.0.0.1:9', GUANCE_OPENAPI_URL: 'http://127.0.0.1:9' };
const TOKEN = 'e2e-routes-token-0123';

const dir = mkdtempSync(join(tmpdir(), 'routes-e2e-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function exitLine(env: Record<string, string>): Promise<{ code: number | null; text: string }> {
  const { child, stderr } = spawnBot(botEnv({ ...offline, ...env }));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, text: stderr.join('').trim() };
}

describe.concurrent('routes at start-up: one line naming the file, the place and the problem, exit 1', () => {
  it('a YAML error, an unknown sink, a chat id without oc_, a bad pattern', async () => {
    const cases: [string, RegExp][] = [
      ['routes:\n  - to: { chats: [oc_a }\n', /^Invalid setting ROUTES_FILE: .*bad-yaml\.yaml:2:\d+: /],
      ['routes:\n  - to: { sinks: [nope] }\n', /^Invalid setting ROUTES_FILE: .*unknown-sink\.yaml:2:\d+: routes\[0\]\.to\.sinks\[0\]: unknown sink "nope"/],
      ['routes:\n  - to: { chats: [chat-1] }\n', /^Invalid setting ROUTES_FILE: .*bad-chat\.yaml:2:\d+: routes\[0\]\.to\.chats\[0\]: a Lark chat id starts with oc_/],
      ['routes:\n  - match: { service: "pay-[0-9]" }\n    to: { chats: [oc_a] }\n', /^Invalid setting ROUTES_FILE: .*bad-pattern\.yaml:2:\d+: routes\[0\]\.match\.service\[0\]: a pattern is/],
    ];
    const names = ['bad-yaml', 'unknown-sink', 'bad-chat', 'bad-pattern'];
    const results = await Promise.all(cases.map(([text], i) => exitLine({ ROUTES_FILE: file(`${names[i]}.yaml`, text) })));
    results.forEach((result, i) => {
      expect(result.code).toBe(1);
      expect(result.text.split('\n')).toHaveLength(1);
      expect(result.text).toMatch(cases[i]![1]);
    });
  });

  it('a malformed sink URL in the environment', async () => {
    const ding = await exitLine({ DINGTALK_WEBHOOK_URL: 'https://oapi.dingtalk.com/robot/send' });
    expect(ding).toEqual({ code: 1, text: 'Invalid setting DINGTALK_WEBHOOK_URL: must have an access_token query parameter' });
    const wecom = await exitLine({ WECOM_WEBHOOK_URL: 'http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' });
    expect(wecom.code).toBe(1);
    expect(wecom.text).toMatch(/^Invalid setting WECOM_WEBHOOK_URL: must use https/);
  });
});

describe('SIGHUP reloads ROUTES_FILE', () => {
  let stack: Stack;
  afterAll(async () => stack?.close());

  it('a valid new file takes effect; an invalid one is refused with its line in the log and the old routes stay', async () => {
    stack = await startStack('routes-hup', { env: { ERROR_API_TOKEN: TOKEN } });
    const routes = file('live.yaml', 'routes:\n  - to: { chats: [oc_first] }\n');
    const bot = await stack.startBot({ ROUTES_FILE: routes });
    const report = (message: string) =>
      fetch(`${bot.url}/api/errors`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ service: 's', message }) });
    await report('before reload');
    await waitFor(() => stack.lark.cardsIn('oc_first').length === 1 || undefined, 'a card in oc_first');

    writeFileSync(routes, 'routes:\n  - to: { chats: [oc_second] }\n');
    bot.child.kill('SIGHUP');
    await bot.waitForLog((l) => l.message === 'routes reloaded', 'the reload');
    await report('after reload');
    await waitFor(() => stack.lark.cardsIn('oc_second').length === 1 || undefined, 'a card in oc_second');

    writeFileSync(routes, 'routes:\n  - to: { chats: [not-a-chat] }\n');
    bot.child.kill('SIGHUP');
    const refused = await bot.waitForLog((l) => String(l.message).startsWith('routes not reloaded'), 'the refusal');
    expect(String(refused.message)).toMatch(/live\.yaml:2:\d+: routes\[0\]\.to\.chats\[0\]: a Lark chat id starts with oc_/);
    await report('after a bad reload');
    await waitFor(() => stack.lark.cardsIn('oc_second').length === 2 || undefined, 'a second card in oc_second');
    expect(stack.lark.cardsIn('oc_first')).toHaveLength(1);
  });
});
