/**
 * What the robots fake's tests share: a fake per test on a clock the test moves (rate windows and
 * signature timestamps move without sleeping), a POST helper and the fixtures.
 */
import { readFileSync } from 'node:fs';
import { afterEach } from 'vitest';
import { startRobotsFake, type RobotsFake, type RobotsFakeOptions } from '../robots-server.js';

/** The DingTalk sign vector's timestamp (ms). */
export const T0 = 1_700_000_000_000;

export type Json = Record<string, unknown>;

export const fixture = (path: string): Json =>
  JSON.parse(readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8')) as Json;

export const dingText = (content: string, extra: Json = {}): Json => ({ msgtype: 'text', text: { content }, ...extra });
export const weComText = (content: string): Json => ({ msgtype: 'text', text: { content } });
export const larkText = (text: string, extra: Json = {}): Json => ({ msg_type: 'text', content: { text }, ...extra });

interface PostOptions {
  /** Sent as is instead of JSON-encoding the body. */
  raw?: string;
  /** Default `application/json; charset=utf-8`; null sends none (fetch then sends text/plain). */
  contentType?: string | null;
}

interface RobotsKit {
  /** The fake's clock, ms; T0 on every start(). */
  clock: number;
  fake: RobotsFake;
  start(options?: RobotsFakeOptions & { realClock?: boolean }): Promise<RobotsFake>;
  post(url: string, body?: unknown, opts?: PostOptions): Promise<{ status: number; json: Json }>;
  /** POSTs and returns the answer's code (`errcode`, `code` or `StatusCode`). */
  code(url: string, body?: unknown, opts?: PostOptions): Promise<unknown>;
}

/** Call at the top of a test file; tests call `start()`. */
export function useRobotsFake(): RobotsKit {
  let current: RobotsFake | undefined;
  const kit: RobotsKit = {
    clock: T0,
    get fake(): RobotsFake {
      if (current === undefined) throw new Error('robots test kit: start() first');
      return current;
    },
    async start({ realClock = false, ...options } = {}) {
      kit.clock = T0;
      current = await startRobotsFake({ ...(realClock ? {} : { now: () => kit.clock }), ...options });
      return current;
    },
    async post(url, body, opts = {}) {
      const contentType = opts.contentType === undefined ? 'application/json; charset=utf-8' : opts.contentType;
      const payload = opts.raw ?? (body === undefined ? undefined : JSON.stringify(body));
      const res = await fetch(url, {
        method: 'POST',
        headers: contentType === null ? {} : { 'content-type': contentType },
        ...(payload !== undefined ? { body: payload } : {}),
      });
      return { status: res.status, json: (await res.json()) as Json };
    },
    async code(url, body, opts) {
      const { json } = await kit.post(url, body, opts);
      return json.errcode ?? json.code ?? json.StatusCode;
    },
  };
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return kit;
}
