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

interface Event {
  body: string;
  headers: Record<string, string>;
}

/**
 * Pre-built signed+encrypted events, each with its own message id, handed out once each: every request the bot
 * gets in the whole run is a new event (a repeated id would be a cheap duplicate). The load generator only sends bytes.
 */
class EventSource {
  private next = 0;
  private readonly events: Event[];

  constructor(count: number) {
    this.events = Array.from({ length: count }, () => {
      const body = encryptPayload(messageEvent({ token: TOKEN }).payload, ENCRYPT_KEY);
      return { body, headers: signEvent(body, ENCRYPT_KEY) };
    });
  }

  take(): Event {
    const event = this.events[this.next++];
    if (!event) throw new Error('bench ran out of distinct events; raise the count');
    return event;
  }

  /** For the baseline, which does not care about ids. */
  any(index: number): Event {
    return this.events[index % this.events.length] as Event;
  }
}

async function load(url: string, nextEvent: () => Event, options: { seconds: number; connections: number }): Promise<Measured> {
  const result = await autocannon({
    url: `${url}/lark/events`,
    method: 'POST',
    connections: options.connections,
    duration: options.seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const event = nextEvent();
          return { ...request, method: 'POST', path: '/lark/events', headers: event.headers, body: event.body };
        },
      },
    ],
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

function medianRun(runs: Measured[]): Measured {
  const sorted = [...runs].sort((a, b) => a.rps - b.rps);
  return sorted[Math.floor(sorted.length / 2)] ?? { rps: 0, p50: 0, p99: 0, non2xx: 0, errors: 0 };
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
    const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
    // Enough for warm-up, the paced run and `rounds` runs at up to ~9k events/s.
    const events = new EventSource(2_000 * 5 + 500 * seconds + rounds * seconds * 9_000);
    const fresh = () => events.take();
    let baseline = 0;
    const reused = () => events.any(baseline++);
    await load(bot.url, fresh, { seconds: 2, connections: 10 }); // warm-up (JIT, connections)
    const paced = await pacedLoad(`${bot.url}/lark/events`, fresh, 500, seconds);
    const atRate: Measured = { rps: paced.perSecond, p50: paced.p50, p99: paced.p99, non2xx: paced.sent - paced.ok, errors: 0 };
    // Interleaved rounds, medians: on a shared 2-core machine one run each swings ±20%.
    const botRuns: Measured[] = [];
    const bareRuns: Measured[] = [];
    for (let round = 0; round < rounds; round += 1) {
      botRuns.push(await load(bot.url, fresh, { seconds, connections: 20 }));
      bareRuns.push(await load(bare.url, reused, { seconds, connections: 20 }));
    }
    const botMax = medianRun(botRuns);
    const bareMax = medianRun(bareRuns);
    const barePaced = await pacedLoad(`${bare.url}/lark/events`, reused, 500, seconds);
    const bareRate: Measured = { rps: barePaced.perSecond, p50: barePaced.p50, p99: barePaced.p99, non2xx: barePaced.sent - barePaced.ok, errors: 0 };
    const row = (name: string, m: Measured) =>
      `${name.padEnd(34)} ${m.rps.toFixed(0).padStart(8)} ${m.p50.toFixed(2).padStart(8)} ${m.p99.toFixed(2).padStart(8)} ${String(m.non2xx + m.errors).padStart(8)}`;
    console.log('\n== ingress: signed + encrypted im.message.receive_v1, distinct message ids ==');
    console.log(`${'run'.padEnd(34)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'non-2xx'.padStart(8)}`);
    console.log(row('bot @ 500 events/s (paced)', atRate));
    console.log(row('bare express @ 500 req/s (paced)', bareRate));
    console.log(row(`bot, max throughput (median of ${rounds})`, botMax));
    console.log(row(`bare express, max (median of ${rounds})`, bareMax));
    console.log(`rounds req/s: bot ${botRuns.map((m) => m.rps.toFixed(0)).join(', ')}; bare ${bareRuns.map((m) => m.rps.toFixed(0)).join(', ')}`);
    console.log(`throughput ratio bot / bare express: ${((botMax.rps / bareMax.rps) * 100).toFixed(1)}%`);
    console.log(`targets: p99 < 20 ms at 500 events/s → ${atRate.p99 < 20 ? 'met' : 'NOT met'}; ratio ≥ 50% → ${botMax.rps / bareMax.rps >= 0.5 ? 'met' : 'NOT met'}`);
  } finally {
    bare.stop();
    await bot.stop();
    await lark.close();
    await dropPrefix(prefix);
  }
}
