import { describe, it } from 'vitest';
import { CHAT, appStackForTest } from '../../helpers/app-stack.js';
import { ROBOT_WINDOW_MS, robotClock, startRobots, type Robots } from '../../helpers/robots.js';
import { cardsWith, postJson, waitForCardWith } from '../../helpers/sources.js';
import { waitFor } from '../../helpers/wait.js';

const TOKEN = 'robots-error-token-0123';
const AUTH = { authorization: `Bearer ${TOKEN}` };

async function withRobots(context: { onTestFinished: (fn: () => Promise<void>) => void }): Promise<Robots> {
  const robots = await startRobots();
  context.onTestFinished(() => robots.fake.close());
  return robots;
}

const report = (message: string, extra: Record<string, unknown> = {}) => ({ service: 'checkout', message, ...extra });
const texts = (robots: Robots, robot: string) => robots.fake.messages(robot).map((m) => JSON.stringify(m.body));

describe.concurrent('robot sinks (DingTalk, WeCom, Lark custom bot)', () => {
  it('without ROUTES_FILE every card goes to LARK_CHAT_ID and to every configured robot: one signed message each', async (context) => {
    const { expect } = context;
    const robots = await withRobots(context);
    const stack = await appStackForTest(context, 'robots-default', { env: { ERROR_API_TOKEN: TOKEN, ...robots.env }, config: robotClock });
    await postJson(stack, '/api/errors', report('Payment gateway timeout', { url: 'https://logs.example.test/1' }), AUTH);
    await waitForCardWith(stack, 'Payment gateway timeout');
    for (const robot of [robots.dingtalk, robots.wecom, robots.lark]) {
      await waitFor(() => robots.fake.messages(robot.id).length === 1 || undefined, `a message at ${robot.id}`);
    }
    // A sentinel report reaches every robot too; the first is still one message each.
    await postJson(stack, '/api/errors', report('Sentinel after'), AUTH);
    for (const robot of [robots.dingtalk, robots.wecom, robots.lark]) {
      await waitFor(() => texts(robots, robot.id).some((t) => t.includes('Sentinel after')) || undefined, `the sentinel at ${robot.id}`);
      expect(texts(robots, robot.id).filter((t) => t.includes('Payment gateway timeout'))).toHaveLength(1);
    }
    expect(texts(robots, robots.dingtalk.id)[0]).toContain('https://logs.example.test/1');
    expect(robots.fake.messages(robots.dingtalk.id)[0]?.msgUuid).toMatch(/^[0-9a-f]{40}$/);
    expect(texts(robots, robots.lark.id)[0]).not.toContain('"callback"');
  });

  it('retries 5xx and transient codes, waits out rate-limit codes, and still ends with exactly one message each', async (context) => {
    const { expect } = context;
    const robots = await withRobots(context);
    robots.fake.fail(robots.dingtalk.id, { kind: 'status', status: 500 });
    robots.fake.fail(robots.dingtalk.id, { kind: 'body', body: { errcode: -1, errmsg: 'system busy' } });
    robots.fake.fail(robots.wecom.id, { kind: 'status', status: 502 });
    robots.fake.fail(robots.wecom.id, { kind: 'body', body: { errcode: 45009, errmsg: 'api freq out of limit' } });
    robots.fake.fail(robots.lark.id, { kind: 'status', status: 500 });
    robots.fake.fail(robots.lark.id, { kind: 'body', body: { code: 11232, msg: 'frequency limited' } });
    const stack = await appStackForTest(context, 'robots-faults', { env: { ERROR_API_TOKEN: TOKEN, ...robots.env }, config: robotClock });
    await postJson(stack, '/api/errors', report('Flaky robots today'), AUTH);
    for (const robot of [robots.dingtalk, robots.wecom, robots.lark]) {
      await waitFor(() => robots.fake.messages(robot.id).length === 1 || undefined, `a message at ${robot.id}`, 20_000);
      expect(robots.fake.requestsMatching(robots.fake.matchRobot(robot.id)).length).toBe(3);
    }
    expect(cardsWith(stack, 'Flaky robots today')).toHaveLength(1);
  });

  it('30 issues at once: every robot gets all 30, DingTalk and WeCom never more than 20 per window, in order', async (context) => {
    const { expect } = context;
    const robots = await withRobots(context);
    const stack = await appStackForTest(context, 'robots-thirty', { env: { ERROR_API_TOKEN: TOKEN, STORM_THRESHOLD: '100', ...robots.env }, config: robotClock });
    for (let i = 0; i < 30; i += 1) await postJson(stack, '/api/errors', report(`Burst issue ${String(i).padStart(2, '0')}`), AUTH);
    for (const robot of [robots.dingtalk, robots.wecom, robots.lark]) {
      await waitFor(() => robots.fake.messages(robot.id).length >= 30 || undefined, `30 messages at ${robot.id}`, 30_000);
      expect(robots.fake.messages(robot.id)).toHaveLength(30);
    }
    expect(robots.fake.maxAcceptedInWindow(robots.dingtalk.id, ROBOT_WINDOW_MS)).toBeLessThanOrEqual(20);
    expect(robots.fake.maxAcceptedInWindow(robots.wecom.id, ROBOT_WINDOW_MS)).toBeLessThanOrEqual(20);
    expect(robots.fake.maxAcceptedInWindow(robots.lark.id, 1_000)).toBeLessThanOrEqual(5);
    const order = texts(robots, robots.wecom.id).map((t) => /Burst issue (\d\d)/.exec(t)?.[1]);
    expect(order).toEqual([...order].sort());
    // Nothing was refused for going too fast.
    expect(robots.fake.requests.filter((r) => [410100, 45009, 11232].includes(Number(r.code)))).toHaveLength(0);
  });

  it('a permanently broken robot does not delay the app cards; its refusal is logged with the code and not retried', async (context) => {
    const { expect } = context;
    const robots = await withRobots(context);
    robots.fake.breakRobot(robots.dingtalk.id);
    const stack = await appStackForTest(context, 'robots-broken', { env: { ERROR_API_TOKEN: TOKEN, ...robots.env }, config: robotClock });
    for (let i = 0; i < 5; i += 1) await postJson(stack, '/api/errors', report(`While DingTalk is down ${i}`), AUTH);
    await waitFor(() => (stack.lark.cardsIn(CHAT).length === 5 ? true : undefined), 'five app cards', 5_000);
    await waitFor(() => (robots.fake.messages(robots.wecom.id).length === 5 ? true : undefined), 'five WeCom messages');
    await stack.waitForLog((line) => line.message === 'robot message refused for good; not retried' && JSON.stringify(line).includes('400102'), 'the refusal');
    await waitFor(() => (robots.fake.requestsMatching(robots.fake.matchRobot(robots.dingtalk.id)).length === 5 ? true : undefined), 'five DingTalk tries');
    expect(stack.logs.filter((l) => l.message === 'robot message refused for good; not retried').length).toBe(5);
  });
});
