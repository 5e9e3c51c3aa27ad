import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BOT_ENTRY = resolve(ROOT, 'dist/src/main.js');

export interface LogLine {
  level?: string;
  message?: string;
  [key: string]: unknown;
}

export interface BotProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** stdout JSON lines, parsed (non-JSON lines kept as {message}). */
  logs: LogLine[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLog(predicate: (line: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): Promise<void>;
}

/** The settings every test bot gets; tests override what they exercise. */
export function botEnv(overrides: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'debug',
    LARK_APP_ID: 'cli_a1b2c3d4e5f60718',
    LARK_APP_SECRET: 'fake-secret',
    LARK_CHAT_ID: 'oc_test_chat',
    GUANCE_API_KEY: 'wsak_fake_key',
    // Storm control has its own tests; elsewhere a burst of test issues should stay cards.
    STORM_THRESHOLD: '1000',
    ...overrides,
  };
}

/** Spawns the built bot (`node dist/src/main.js`) in an empty directory, so no stray .env is read. */
export function spawnBot(env: Record<string, string>): { child: ChildProcess; logs: LogLine[]; stderr: string[] } {
  const child = spawn(process.execPath, [BOT_ENTRY], { cwd: tmpdir(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: LogLine[] = [];
  const stderr: string[] = [];
  let pending = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ message: line });
      }
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  return { child, logs, stderr };
}

export async function startBot(env: Record<string, string>, options: { waitReady?: boolean } = {}): Promise<BotProcess> {
  const { child, logs, stderr } = spawnBot(env);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  const waitForLog = (predicate: (line: LogLine) => boolean, what: string, timeoutMs = 15_000) =>
    waitFor(() => {
      if (gone && !logs.some(predicate)) throw new Error(`bot exited; stderr: ${stderr.join('')}`);
      return logs.find(predicate);
    }, what, timeoutMs);
  // With a fixed PORT the bot may run with quiet logs; readiness of the HTTP side is then the signal.
  const port =
    env.PORT && env.PORT !== '0'
      ? await waitFor(async () => {
          if (gone) throw new Error(`bot exited; stderr: ${stderr.join('')}`);
          const response = await fetch(`http://127.0.0.1:${env.PORT}/healthz`).catch(() => undefined);
          return response?.ok ? Number(env.PORT) : 0;
        }, 'the bot to serve')
      : Number((await waitForLog((l) => l.message === 'bot started', 'the bot to start')).port);
  if (options.waitReady !== false) {
    // Listening comes before Redis is connected; until then events are answered 503 (Lark would retry).
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok, 'the bot to be ready');
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    logs,
    stderr,
    exited,
    waitForLog,
    async stop() {
      if (!gone) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (!gone) child.kill('SIGKILL');
      await exited;
    },
  };
}
