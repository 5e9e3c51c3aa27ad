/**
 * The bot in this process with LARK_EVENT_MODE=ws: one or more replicas (`buildApp` each, same settings and Redis
 * prefix, like the compose file's replicas) against the Lark, Guance and long-connection fakes. LARK_DOMAIN is the
 * long-connection fake, which serves /callback/ws/endpoint and the socket and forwards every API call to the Lark
 * fake: node-sdk derives both from one `domain` (../shared/reference/lark-platform.md §9).
 */
import supertest from 'supertest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { startGuanceFake, type GuanceFake, type GuanceFakeOptions } from '../fakes/guance-server.js';
import { startLarkFake, type LarkFake } from '../fakes/lark-server.js';
import { startWsEndpointFake, type WsEndpointFake, type WsEndpointFakeOptions } from '../fakes/lark/ws-endpoint.js';
import { CHAT, appEnv, memoryLogger } from './app-stack.js';
import type { LogLine } from './bot-process.js';
import { JobsWatch } from './jobs-watch.js';
import { messageEvent } from './lark-signing.js';
import { assertNoSecretsLogged, secretsOfEnv, tenantTokens } from './log-secrets.js';
import { dropPrefix, testPrefix } from './redis.js';
import { waitFor } from './wait.js';

export const ALICE = { open_id: 'ou_alice000000000000000000000001', name: 'Alice' };

export interface WsBot {
  app: App;
  request: ReturnType<typeof supertest>;
  logs: LogLine[];
  /** GET /readyz, reduced to what the tests read. */
  readiness(): Promise<{ status: number; checks: Record<string, string> }>;
  waitForLog(predicate: (line: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
}

export interface WsStack {
  lark: LarkFake;
  guance: GuanceFake;
  ws: WsEndpointFake;
  prefix: string;
  config: Config;
  bots: WsBot[];
  jobs: JobsWatch;
  close(): Promise<void>;
}

export interface WsStackOptions {
  replicas?: number;
  env?: Record<string, string>;
  guance?: GuanceFakeOptions;
  ws?: WsEndpointFakeOptions;
  /** Runs with the fakes up, before any bot starts (faults on the endpoint). */
  beforeStart?: (ws: WsEndpointFake) => void;
  /** Wait for every replica's /readyz to be 200 (default true). */
  ready?: boolean;
}

export async function startWsStack(label: string, options: WsStackOptions = {}): Promise<WsStack> {
  const lark = await startLarkFake({ users: [ALICE] });
  const guance = await startGuanceFake(options.guance).catch(async (error: unknown) => {
    await lark.close();
    throw error;
  });
  const ws = await startWsEndpointFake({ appId: lark.appId, appSecret: lark.appSecret, upstream: lark.url, ...options.ws }).catch(
    async (error: unknown) => {
      await Promise.all([lark.close(), guance.close()]);
      throw error;
    },
  );
  const prefix = testPrefix(label);
  const env = appEnv(lark, guance, prefix, { LARK_EVENT_MODE: 'ws', LARK_DOMAIN: ws.url, ...options.env });
  const jobs = new JobsWatch(prefix);
  const bots: WsBot[] = [];
  let config: Config | undefined;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    // As in app-stack: the fakes first, so no job outlives stop() waiting on one.
    closing ??= (async () => {
      await Promise.all([lark.close(), guance.close(), ws.close()]);
      await Promise.all(bots.map((bot) => bot.app.stop()));
      await jobs.close();
      await dropPrefix(prefix);
      const secrets = [...secretsOfEnv(env), ...tenantTokens(lark.issuedTokens())];
      for (const bot of bots) assertNoSecretsLogged(`ws bot ${prefix}`, bot.logs.map((line) => JSON.stringify(line)), secrets);
    })();
    return closing;
  };

  try {
    await jobs.start();
    options.beforeStart?.(ws);
    for (let i = 0; i < (options.replicas ?? 1); i += 1) {
      const replicaConfig = loadConfig(env);
      replicaConfig.guance.pollIntervalSeconds = 1;
      replicaConfig.guance.syncIntervalSeconds = 1;
      config ??= replicaConfig;
      const { log, lines } = memoryLogger(replicaConfig);
      const app = buildApp(replicaConfig, { log });
      const request = supertest(app.http);
      bots.push({
        app,
        request,
        logs: lines,
        async readiness() {
          const response = await request.get('/readyz');
          return { status: response.status, checks: (response.body as { checks: Record<string, string> }).checks };
        },
        waitForLog: (predicate, what, timeoutMs = 10_000) => waitFor(() => lines.find(predicate), what, timeoutMs, 25),
      });
      await app.start();
    }
    if (options.ready !== false) {
      for (const bot of bots) await waitFor(async () => (await bot.readiness()).status === 200, 'the bot to be ready', 10_000, 25);
    }
    if (!config) throw new Error('ws stack: no replica');
    return { lark, guance, ws, prefix, config, bots, jobs, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/** "@bot #<issue>#text" from Alice as Lark pushes it; the user's message also exists in the Lark fake, so replies to it work. */
export function commentEnvelope(stack: WsStack, issueUuid: string, text: string): { payload: Record<string, unknown>; messageId: string } {
  const mentions = [{ key: '@_user_1', id: { open_id: stack.lark.botOpenId }, name: 'IssueBot', mentioned_type: 'bot' }];
  const { payload, messageId } = messageEvent({ text: `@_user_1 #${issueUuid}#${text}`, mentions, senderOpenId: ALICE.open_id });
  stack.lark.addIncomingMessage({ chat_id: CHAT, message_id: messageId });
  return { payload, messageId };
}
