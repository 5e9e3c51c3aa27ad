import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { GuanceRecordedRequest } from '../fakes/guance-server.js';
import { botEnv, spawnBot, startBot, type BotProcess } from '../helpers/bot-process.js';
import { messageEvent } from '../helpers/lark-signing.js';
import { freePort } from '../helpers/ports.js';
import { QueueWatch } from '../helpers/queues.js';
import { dropPrefix, testPrefix } from '../helpers/redis.js';
import { sayToBot, startStack, waitForCard } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

const offline = { LARK_DOMAIN: 'http://127.0.0.1:9', GUANCE_OPENAPI_URL: 'http://127.0.0.1:9' };
const TOKEN = 'test-verification-token';
const ALICE = { open_id: 'ou_alice000000000000000000000001', name: 'Alice' };



describe('start-up with a bad setting', () => {
  it('prints one line naming the setting and exits 1', async () => {
    const { child, stderr, logs } = spawnBot(botEnv({ LARK_APP_ID: '', ...offline }));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    const text = stderr.join('').trim();
    expect(text).toBe('Invalid setting LARK_APP_ID: required (the Lark app id, cli_…) (to try the bot without any accounts: npm run demo)');
    expect(logs).toEqual([]);
  });

  it('rejects a malformed URL the same way', async () => {
    const { child, stderr } = spawnBot(botEnv({ REDIS_URL: 'localhost:6379', ...offline }));
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(1);
    expect(stderr.join('').trim()).toMatch(/^Invalid setting REDIS_URL: [^\n]+$/);
  });
});

describe('Redis unreachable', () => {
  let bot: BotProcess | undefined;
  let redis: ChildProcess | undefined;
  const prefix = testPrefix('redisdown');
  let port = 0;

  afterAll(async () => {
    await bot?.stop();
    redis?.kill('SIGTERM');
    if (port) await dropPrefix(prefix, `redis://127.0.0.1:${port}`).catch(() => undefined);
  });

  it('keeps serving: healthz 200, readyz 503 naming redis, events 503; recovers when Redis comes', async () => {
    port = await freePort();
    bot = await startBot(botEnv({ REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_KEY_PREFIX: prefix, ...offline }), { waitReady: false });
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${bot.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'not ready', notReady: ['redis'], checks: { redis: 'unreachable' } });

    const { payload, messageId } = messageEvent();
    const send = () =>
      fetch(`${bot?.url}/lark/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
    const started = Date.now();
    expect((await send()).status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2_500);
    await bot.waitForLog((l) => l.message === 'redis unreachable, retrying', 'the outage to be logged');
    expect(bot.child.exitCode).toBeNull();

    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitFor(async () => (await fetch(`${bot?.url}/readyz`)).status === 200, 'readiness after Redis starts', 20_000, 200);
    expect((await send()).status).toBe(200);
    await bot.waitForLog((l) => l.message === 'message received' && l.messageId === messageId, 'the queued message', 20_000);
  });
});

describe('stopping while Redis is unreachable', () => {
  it('still exits with code 0, in bounded time', async () => {
    const port = await freePort();
    const bot = await startBot(botEnv({ REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_KEY_PREFIX: testPrefix('stopdown'), ...offline }), {
      waitReady: false,
    });
    await bot.waitForLog((l) => l.message === 'redis unreachable, retrying', 'the outage');
    bot.child.kill('SIGTERM');
    const { code } = await bot.exited;
    expect(code).toBe(0);
    expect(bot.logs.some((l) => l.message === 'bot stopped')).toBe(true);
  });
});

describe('graceful stop', () => {
  const prefix = testPrefix('stop');
  afterAll(() => dropPrefix(prefix));

  it.each(['SIGTERM', 'SIGINT'] as const)('%s closes cleanly with exit code 0', async (signal) => {
    const bot = await startBot(botEnv({ REDIS_KEY_PREFIX: prefix, ...offline }));
    bot.child.kill(signal);
    const { code } = await bot.exited;
    expect(code).toBe(0);
    expect(bot.logs.some((l) => l.message === 'bot stopped')).toBe(true);
  });

  /**
   * The drain: comment jobs are mid-flight (Guance slow) when SIGTERM comes. Some finish during the drain; the
   * others outlast it (Guance answers after the bot's own request timeout) and are retried by the next process.
   * Either way, each message ends with one comment in Guance and one answer in Lark.
   */
  it('SIGTERM while jobs run: exits 0 within 30 s; after a restart every comment and every answer exactly once', async () => {
    const budget = 200;
    const stack = await startStack('drain', {
      guance: { requestsPerMinute: budget },
      env: { LARK_VERIFICATION_TOKEN: TOKEN, GUANCE_REQUESTS_PER_MINUTE: String(budget), POLL_INTERVAL_SECONDS: '2' },
    });
    const watch = new QueueWatch(stack.prefix);
    try {
      stack.lark.addUser(ALICE);
      const bot = await stack.startBot();
      const issue = stack.guance.createIssue({ name: 'Drain me' });
      await waitForCard(stack, issue.uuid);
      const creates = (tag: string) => (r: GuanceRecordedRequest) => r.path.endsWith('/issue/reply/create') && JSON.stringify(r.body).includes(tag);
      stack.guance.setLatency(3_000, creates('drain-quick'));
      stack.guance.setLatency(25_000, creates('drain-slow'));
      const tags = ['drain-quick-1', 'drain-quick-2', 'drain-quick-3', 'drain-slow-1', 'drain-slow-2'];
      const messages = new Map<string, string>();
      for (const tag of tags) messages.set(tag, await sayToBot(stack, bot, `#${issue.uuid}#${tag}`, ALICE.open_id, TOKEN));
      await waitFor(() => tags.every((tag) => stack.guance.requestsMatching(creates(tag)).length > 0), 'every comment to be in flight', 20_000);

      const signalled = Date.now();
      bot.child.kill('SIGTERM');
      const { code } = await bot.exited;
      const exitMs = Date.now() - signalled;
      expect(code).toBe(0);
      expect(exitMs).toBeLessThan(30_000);
      expect(bot.logs.some((l) => l.message === 'bot stopped')).toBe(true);

      stack.guance.setLatency(0);
      await stack.startBot();
      const answered = (tag: string) => stack.lark.repliesTo(messages.get(tag) ?? '').some((m) => m.content.includes('Comment added'));
      await waitFor(() => tags.every(answered), 'an answer to every message', 40_000, 100);
      await waitFor(async () => (await watch.unfinished()) === 0, 'no job left', 20_000, 100);
      for (const tag of tags) {
        expect(stack.guance.repliesOf(issue.uuid).filter((r) => r.content.includes(tag)), tag).toHaveLength(1);
        expect(stack.lark.repliesTo(messages.get(tag) ?? ''), tag).toHaveLength(1);
      }
      expect(stack.guance.maxRequestsPerMinute()).toBeLessThanOrEqual(budget);
    } finally {
      await watch.close();
      await stack.close();
    }
  }, 90_000);
});

describe('npm start', () => {
  it('runs compiled JavaScript (dist), not TypeScript', () => {
    const result = spawnSync('node', ['-e', "const p=require('./package.json');process.stdout.write(p.scripts.start)"], {
      encoding: 'utf8',
    });
    expect(result.stdout).toBe('node dist/src/main.js');
  });
});
