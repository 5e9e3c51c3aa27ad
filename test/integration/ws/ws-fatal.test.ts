/**
 * A fatal answer from the long-connection endpoint (../shared/reference/lark-platform.md §3: any non-zero code but
 * 1000040343, as HTTP 200 `{code,msg,data:{}}`) is one clear error line and a non-ready bot, not a crash or a
 * reconnect loop; health, metrics and the HTTP routes stay up.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LogLine } from '../../helpers/bot-process.js';
import { startWsStack, type WsStack } from '../../helpers/ws-stack.js';

const FAILED = 'Lark long connection failed for good';
let stack: WsStack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Waits for the failure line, then for a poll well after it (polls run every second; the SDK's retry interval is 0.2 s here). */
async function failedOnce(current: WsStack): Promise<LogLine> {
  const bot = current.bots[0]!;
  const line = await bot.waitForLog((l) => String(l.message).startsWith(FAILED), 'the failure line');
  const failedAt = Date.parse(String(line.timestamp));
  await current.guance.waitFor(() => current.guance.requests.find((r) => r.path === '/api/v1/issue/list' && r.at > failedAt + 600), 5_000);
  expect(current.ws.endpointRequests).toHaveLength(1);
  expect(current.ws.connectionsOpened()).toBe(0);
  expect(bot.logs.filter((l) => String(l.message).startsWith(FAILED))).toHaveLength(1);
  expect(line.level).toBe('error');
  expect(await bot.readiness()).toEqual({ status: 503, checks: { redis: 'ok', 'lark-connection': 'failed' } });
  expect((await bot.request.get('/healthz')).status).toBe(200);
  expect((await bot.request.get('/metrics')).status).toBe(200);
  return line;
}

describe('fatal long-connection errors', () => {
  it('bad credentials (514 auth failed): one line naming LARK_APP_SECRET, not ready, no retry', async () => {
    stack = await startWsStack('ws-auth', { ws: { appSecret: 'the-secret-lark-knows' }, ready: false });
    const line = await failedOnce(stack);
    expect(line.message).toContain('LARK_APP_ID and LARK_APP_SECRET');
    expect(line).toMatchObject({ larkCode: 514 });
    expect(stack.ws.endpointRequests[0]?.code).toBe(514);
  });

  it('too many connections (1000040350): one line saying so, not ready, no retry', async () => {
    stack = await startWsStack('ws-limit', { beforeStart: (ws) => ws.failEndpoint(1000040350, 'exceed conn limit'), ready: false });
    const line = await failedOnce(stack);
    expect(line.message).toContain('too many long connections');
    expect(line).toMatchObject({ larkCode: 1000040350 });
  });
});
