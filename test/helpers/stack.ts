import { startGuanceFake, type GuanceFake, type GuanceFakeOptions } from '../fakes/guance-server.js';
import { startLarkFake, type LarkFake, type LarkFakeOptions } from '../fakes/lark-server.js';
import { botEnv, startBot, type BotProcess } from './bot-process.js';
import { dropPrefix, testPrefix } from './redis.js';
import { waitFor } from './wait.js';

export const CHAT = 'oc_test_chat';

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
      await Promise.all([lark.close(), guance.close()]);
      await dropPrefix(prefix);
    },
  };
}

/** The issue cards posted to the chat for an issue (interactive sends, not replies). */
export const cardsFor = (stack: Stack, issueUuid: string) => stack.lark.cardsIn(CHAT).filter((m) => m.content.includes(issueUuid));
export const cardOf = (stack: Stack, issueUuid: string) => cardsFor(stack, issueUuid)[0];
/** Waits for the poller to post the issue's card, and returns it. */
export const waitForCard = (stack: Stack, issueUuid: string, timeoutMs = 30_000) =>
  waitFor(() => cardOf(stack, issueUuid), `a card for ${issueUuid}`, timeoutMs, 100);

/** Texts of a card (header title and every element content), for assertions on what people see. */
export function cardText(card: unknown): string {
  return JSON.stringify(card);
}

export function buttonLabels(card: unknown): string[] {
  const labels: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.tag === 'button') {
        const text = record.text as { content?: string } | undefined;
        if (text?.content) labels.push(text.content);
      }
      Object.values(record).forEach(walk);
    }
  };
  walk(card);
  return labels;
}
