import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startLarkFake } from '../test/fakes/lark-server.js';
import { botEnv, startBot } from '../test/helpers/bot-process.js';
import { encryptPayload, messageEvent, signEvent } from '../test/helpers/lark-signing.js';
import { freePort } from '../test/helpers/ports.js';
import { dropPrefix, testPrefix } from '../test/helpers/redis.js';
import { pacedLoad } from './paced.js';

const ENCRYPT_KEY = 'bench-encrypt-key';
const TOKEN = 'bench-token';

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

/** Pre-built signed+encrypted events, each with its own message id, so the load generator only sends bytes. */
function buildEvents(count: number): { body: string; headers: Record<string, string> }[] {
  return Array.from({ length: count }, () => {
    const body = encryptPayload(messageEvent({ token: TOKEN }).payload, ENCRYPT_KEY);
    return { body, headers: signEvent(body, ENCRYPT_KEY) };
  });
}

async function load(url: string, events: { body: string; headers: Record<string, string> }[], options: { seconds: number; connections: number }): Promise<Measured> {
  let next = 0;
  const result = await autocannon({
    url: `${url}/lark/events`,
    method: 'POST',
    connections: options.connections,
    duration: options.seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const event = events[next++ % events.length];
          return { ...request, method: 'POST', path: '/lark/events', headers: event?.headers ?? {}, body: event?.body ?? '{}' };
        },
      },
    ],
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

async function startBareExpress(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./bare-express.mjs', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout?.once('data', (chunk: Buffer) => resolve(Number(JSON.parse(chunk.toString()).port))));
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

export async function benchIngress(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const prefix = testPrefix('bench-ingress');
  // A Lark fake, as in production the worker may ask Lark who the bot is; Guance is never called here.
  const lark = await startLarkFake();
  const bot = await startBot(
    botEnv({
      PORT: String(await freePort()),
      REDIS_KEY_PREFIX: prefix,
      LARK_ENCRYPT_KEY: ENCRYPT_KEY,
      LARK_VERIFICATION_TOKEN: TOKEN,
      LOG_LEVEL: 'warn',
      LARK_DOMAIN: lark.url,
      LARK_APP_ID: lark.appId,
      LARK_APP_SECRET: lark.appSecret,
      GUANCE_OPENAPI_URL: 'http://127.0.0.1:9',
    }),
  );
  const bare = await startBareExpress();
  try {
    const events = buildEvents(Math.max(20_000, seconds * 3_000));
    await load(bot.url, events.slice(0, 500), { seconds: 2, connections: 10 }); // warm-up (JIT, connections)
    const paced = await pacedLoad(`${bot.url}/lark/events`, events, 500, seconds);
    const atRate: Measured = { rps: paced.perSecond, p50: paced.p50, p99: paced.p99, non2xx: paced.sent - paced.ok, errors: 0 };
    const botMax = await load(bot.url, events, { seconds, connections: 20 });
    const barePaced = await pacedLoad(`${bare.url}/lark/events`, events, 500, seconds);
    const bareRate: Measured = { rps: barePaced.perSecond, p50: barePaced.p50, p99: barePaced.p99, non2xx: barePaced.sent - barePaced.ok, errors: 0 };
    const bareMax = await load(bare.url, events, { seconds, connections: 20 });
    const row = (name: string, m: Measured) =>
      `${name.padEnd(34)} ${m.rps.toFixed(0).padStart(8)} ${m.p50.toFixed(2).padStart(8)} ${m.p99.toFixed(2).padStart(8)} ${String(m.non2xx + m.errors).padStart(8)}`;
    console.log('\n== ingress: signed + encrypted im.message.receive_v1, distinct message ids ==');
    console.log(`${'run'.padEnd(34)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'non-2xx'.padStart(8)}`);
    console.log(row('bot @ 500 events/s (paced)', atRate));
    console.log(row('bare express @ 500 req/s (paced)', bareRate));
    console.log(row('bot, max throughput', botMax));
    console.log(row('bare express, max throughput', bareMax));
    console.log(`throughput ratio bot / bare express: ${((botMax.rps / bareMax.rps) * 100).toFixed(1)}%`);
    console.log(`targets: p99 < 20 ms at 500 events/s → ${atRate.p99 < 20 ? 'met' : 'NOT met'}; ratio ≥ 50% → ${botMax.rps / bareMax.rps >= 0.5 ? 'met' : 'NOT met'}`);
  } finally {
    bare.stop();
    await bot.stop();
    await lark.close();
    await dropPrefix(prefix);
  }
}
