/**
 * `npm run demo` in a real browser: headless Chromium (Debian's) driven by playwright-core, against the demo started
 * in this process (the bot, the Lark / Guance / robot stand-ins, the page) on the shared Redis under a prefix of
 * its own. Everything is found the way a screen-reader user would: by role and accessible name.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo } from '../../demo/start-demo.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/chromium.js';
import { TEST_REDIS_URL, dropPrefix, testPrefix } from '../helpers/redis.js';

/** Runs in the page: draws a card with known, unknown and malformed parts through the page's own card-render.js. */
const RENDER_CHECK = `(async () => {
  const { renderCard } = await import('/card-render.js');
  const card = {
    schema: '2.0',
    header: { title: { tag: 'plain_text', content: 'Render check' }, template: 'red' },
    body: {
      elements: [
        { tag: 'markdown', content: '**bold** [link](javascript:alert(1)) <at id=all></at>' },
        { tag: 'select_static', placeholder: { tag: 'plain_text', content: 'Pick one' }, options: [{ text: { tag: 'plain_text', content: 'A' }, value: 'a' }] },
        { tag: 'chart', chart_spec: { title: { text: 'CPU' } } },
        { tag: 'column_set', columns: 'not a list' },
        null,
      ],
    },
  };
  const node = renderCard(card, { people: [] });
  return {
    label: node.getAttribute('aria-label'),
    header: node.querySelector('header')?.className,
    selects: node.querySelectorAll('select[aria-label="Pick one"]').length,
    links: node.querySelectorAll('a').length,
    text: node.textContent,
    broken: [renderCard(null).textContent, renderCard('nonsense').textContent, renderCard({ body: { elements: 7 } }).textContent],
  };
})()`;
/** Runs in the page (as text: the test is compiled without DOM types): controls with no accessible name. */
const UNNAMED_CONTROLS = `[...document.querySelectorAll('button, input, select, a[href]')]
  .filter((node) => !(node.getAttribute('aria-label') || (node.labels && node.labels.length) || (/^(BUTTON|A)$/.test(node.tagName) && node.textContent.trim())))
  .map((node) => node.outerHTML.slice(0, 120))`;
/** Polls every 2 s, so a card is there within a few seconds; the rest is a slow shared machine. */
const SEEN_MS = 20_000;

describe('the demo page in Chromium', () => {
  const prefix = testPrefix('demo-browser');
  let demo: Demo | undefined;
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    // Not skipped when missing: `bash .ci/run` installs it, and a browser test that silently did not run proves nothing.
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (Debian), or set CHROMIUM_PATH`);
    demo = await startDemo({ redisUrl: TEST_REDIS_URL, keyPrefix: prefix, logLevel: 'error' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    await page.goto(demo.url);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    await dropPrefix(prefix);
  }, 60_000);

  it('creates an issue in Guance, shows its card, acknowledges it from the card and shows the new status in both panes; @bot help answers with the help card', async () => {
    const chat = page.getByRole('region', { name: 'Group chat' });
    const guance = page.getByRole('region', { name: 'Guance' });
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Connected' }).count(), { timeout: SEEN_MS }).toBe(1);

    // Guance pane: a new issue, as a Guance user would create it.
    const title = `Browser test issue ${Date.now()}`;
    await guance.getByLabel('Title', { exact: true }).fill(title);
    await guance.getByLabel('Level', { exact: true }).selectOption('P1');
    await guance.getByRole('button', { name: 'Create issue' }).click();
    const issue = guance.getByRole('listitem', { name: `Guance issue ${title}` });
    await issue.waitFor({ timeout: SEEN_MS });
    expect(await issue.textContent()).toContain('Status: Open');

    // The bot's poll brings it to the chat as a card with its buttons.
    const card = chat.getByRole('article', { name: new RegExp(`Card: .*${title}`) });
    await card.waitFor({ timeout: SEEN_MS });
    expect(await card.getByRole('button', { name: 'Resolve' }).count()).toBe(1);

    // Acknowledge: a real card.action.trigger; the answer's toast shows, the card changes in place.
    await card.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => page.getByRole('status', { name: 'Notifications' }).textContent(), { timeout: SEEN_MS }).toContain('Acknowledged');
    await expect.poll(async () => card.getByRole('button', { name: 'Acknowledge' }).count(), { timeout: SEEN_MS }).toBe(0);
    await expect.poll(() => card.textContent(), { timeout: SEEN_MS }).toContain('Working');
    await expect.poll(() => issue.textContent(), { timeout: SEEN_MS }).toContain('Status: Working');

    // A command: "@bot help" from the compose box; the help card arrives in the message's thread.
    await chat.getByRole('checkbox', { name: '@bot' }).check();
    await chat.getByRole('textbox', { name: 'Message' }).fill('help');
    await chat.getByRole('button', { name: 'Send', exact: true }).click();
    await chat.getByText(/@Guance Issue Bot help/).waitFor({ timeout: SEEN_MS });
    await chat.getByRole('article', { name: 'Card: Guance issue bot: commands' }).waitFor({ timeout: SEEN_MS });
  }, 90_000);

  it('another source and the robots: a Sentry issue posted from its button becomes a card in the chat and a message in every robot pane', async () => {
    const chat = page.getByRole('region', { name: 'Group chat' });
    await page.getByRole('region', { name: 'Other sources' }).getByRole('button', { name: 'Post a Sentry issue' }).click();
    // A signed Sentry webhook to the bot: its card, and one message per robot sink (each in its own format).
    await chat.getByRole('article', { name: /Card: .*ReferenceError: blooopy #1 is not defined/ }).waitFor({ timeout: SEEN_MS });
    for (const robot of ['DingTalk robot', 'WeCom robot', 'Lark custom bot']) {
      await expect.poll(() => page.getByRole('region', { name: robot }).textContent(), { timeout: SEEN_MS }).toContain('blooopy #1');
    }
  }, 60_000);

  it('card-render draws JSON 2.0 parts as controls, and anything unknown or malformed as plain text instead of failing', async () => {
    // Sent as source text: vitest would rewrite a dynamic import() inside a function it compiles.
    const drawn = (await page.evaluate(RENDER_CHECK)) as { label: string; header: string; selects: number; links: number; text: string; broken: unknown[] };
    expect(drawn.label).toBe('Card: Render check');
    expect(drawn.header).toContain('tpl-red');
    expect(drawn.selects).toBe(1);
    expect(drawn.links).toBe(0); // a javascript: link stays text
    expect(drawn.text).toContain('bold');
    expect(drawn.text).toContain('@all');
    expect(drawn.text).toContain('[chart] CPU');
    expect(drawn.broken.every((text) => typeof text === 'string')).toBe(true);
  });

  it('every control on the page has an accessible name', async () => {
    const unnamed = (await page.evaluate(UNNAMED_CONTROLS)) as string[];
    expect(unnamed).toEqual([]);
  });
});
