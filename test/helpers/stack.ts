import { startGuanceFake, type GuanceFake, type GuanceFakeOptions } from '../fakes/guance-server.js';
import { startLarkFake, type LarkFake, type LarkFakeOptions } from '../fakes/lark-server.js';
import { assertNoSecretsLogged, secretsOfEnv, tenantTokens } from './log-secrets.js';
import { messageEvent } from './lark-signing.js';
import { botEnv, startBot, type BotProcess } from './bot-process.js';
import { dropPrefix, testPrefix } from './redis.js';
import { CHAT } from './cards.js';

export { CHAT, buttonLabels, cardOf, cardText, cardsFor, waitForCard } from './cards.js';

/** Both fakes, a Redis prefix of our own, and the settings that point a bot at them. */
export interface Stack {
  lark: LarkFake;
  guance: GuanceFake;
  prefix: string;
  env: Record<string, string>;
  bots: BotProcess[];
  startBot(overrides?: Record<string, string>): Promise<BotProcess>;
  close(): Promise<void>;
}

export async function startStack(
  label: string,
  options: { lark?: LarkFakeOptions; guance?: GuanceFakeOptions; env?: Record<string, string> } = {},
): Promise<Stack> {
  const lark = await startLarkFake(options.lark);
  const guance = await startGuanceFake(options.guance);
  const prefix = testPrefix(label);
  const env = botEnv({
    REDIS_KEY_PREFIX: prefix,
    LARK_DOMAIN: lark.url,
    LARK_APP_ID: lark.appId,
    LARK_APP_SECRET: lark.appSecret,
    LARK_CHAT_ID: CHAT,
    GUANCE_OPENAPI_URL: guance.url,
    GUANCE_API_KEY: guance.apiKey,
    GUANCE_CONSOLE_URL: 'https://console.example.test',
    BOT_LANGUAGE: 'en',
    ...options.env,
  });
  const bots: BotProcess[] = [];
  return {
    lark,
    guance,
    prefix,
    env,
    bots,
    async startBot(overrides = {}) {
      const bot = await startBot({ ...env, ...overrides });
      bots.push(bot);
      return bot;
    },
    async close() {
      await Promise.all(bots.map((bot) => bot.stop()));
      const secrets = [...secretsOfEnv(env), ...tenantTokens(lark.issuedTokens())];
      const lines = bots.flatMap((bot) => [...bot.logs.map((line) => JSON.stringify(line)), ...bot.stderr]);
      await Promise.all([lark.close(), guance.close()]);
      await dropPrefix(prefix);
      // Checked last, so a leak fails the suite without leaving keys or servers behind.
      assertNoSecretsLogged(`bots of ${prefix}`, lines, secrets);
    },
  };
}

/**
 * An @bot message from `senderOpenId`, POSTed to `bot` as Lark delivers it (token in the body, no encryption);
 * the message also exists in the Lark fake, so the bot can answer it. Returns its message id.
 */
export async function sayToBot(stack: Stack, bot: BotProcess, text: string, senderOpenId: string, token = 'test-verification-token'): Promise<string> {
  const { payload, messageId } = messageEvent({
    token,
    text: `@_user_1 ${text}`,
    mentions: [{ key: '@_user_1', id: { open_id: stack.lark.botOpenId }, name: 'IssueBot', mentioned_type: 'bot' }],
    senderOpenId,
  });
  stack.lark.addIncomingMessage({ chat_id: CHAT, message_id: messageId });
  const response = await fetch(`${bot.url}/lark/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
  if (response.status !== 200) throw new Error(`the event was answered ${response.status}`);
  return messageId;
}
