/**
 * Writes docs/demo.png: starts the demo (REDIS_URL if it answers, else a private redis-server), opens it in
 * headless Chromium, asks `@bot help`, creates two issues, acknowledges one from its card, comments "in Guance",
 * and screenshots the page. Not a test: run it by hand with `node --import tsx scripts/demo-screenshot.ts`.
 */
import { chromium, type Locator, type Page } from 'playwright-core';
import { chooseRedis } from '../demo/redis.js';
import { startDemo } from '../demo/start-demo.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/helpers/chromium.js';

const OUT = new URL('../docs/demo.png', import.meta.url);
const WAIT = { timeout: 20_000 };

async function createIssue(page: Page, title: string, level: string): Promise<Locator> {
  const guance = page.getByRole('region', { name: 'Guance' });
  await guance.getByLabel('Title', { exact: true }).fill(title);
  await guance.getByLabel('Level', { exact: true }).selectOption(level);
  await guance.getByRole('button', { name: 'Create issue' }).click();
  const card = page.getByRole('region', { name: 'Group chat' }).getByRole('article', { name: new RegExp(`Card: .*${title}`) });
  await card.waitFor(WAIT);
  return card;
}

async function main(): Promise<void> {
  const redis = await chooseRedis(process.env.REDIS_URL);
  if (!redis) throw new Error('no Redis: set REDIS_URL or install redis-server');
  const demo = await startDemo({ redisUrl: redis.url, keyPrefix: redis.prefix, logLevel: 'error' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 2000 } });
    await page.goto(demo.url);
    await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor(WAIT);
    const chat = page.getByRole('region', { name: 'Group chat' });
    await chat.getByRole('textbox', { name: 'Message' }).fill('help');
    await chat.getByRole('button', { name: 'Send', exact: true }).click();
    await chat.getByRole('article', { name: 'Card: Guance issue bot: commands' }).waitFor(WAIT);
    await createIssue(page, 'Payment callback returns 500', 'P1');
    const ack = await createIssue(page, 'Checkout latency above 2 s', 'P2');
    await ack.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByRole('status', { name: 'Notifications' }).getByText('Acknowledged').waitFor(WAIT);
    const issue = page.getByRole('listitem', { name: 'Guance issue Payment callback returns 500' });
    await issue.getByRole('textbox').fill('Rolled back the payment gateway to v2.3.1');
    await issue.getByRole('button', { name: /^Comment in Guance/ }).click();
    // The Guance comment comes back through the bot's sync round (every 2 s) into the card's thread.
    await chat.getByText('Rolled back the payment gateway', { exact: false }).first().waitFor(WAIT);
    await page.screenshot({ path: OUT.pathname, fullPage: true });
    console.log(`wrote ${OUT.pathname}`);
  } finally {
    await browser.close();
    await demo.stop();
    await redis.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
