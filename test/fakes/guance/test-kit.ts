/**
 * What the Guance fake's own tests share: a fake per test on a clock the test moves (so the
 * rate-limit window and the issue time windows move without sleeping), and fetch helpers.
 */
import { afterEach } from 'vitest';
import { startGuanceFake, type GuanceFake, type GuanceFakeOptions, type Issue, type PageInfo } from '../guance-server.js';

export const T0 = Date.UTC(2024, 4, 1, 8, 0, 0); // ms
export const SEC0 = T0 / 1000;

export interface Envelope<T> {
  code: number;
  content: T;
  errorCode: string;
  message: string;
  success: boolean;
  traceId: string;
  pageInfo?: PageInfo;
}

interface CallOptions {
  /** `null` sends no key at all. */
  key?: string | null;
  /** Sent as-is instead of JSON-encoding `body`. */
  raw?: string;
}

interface GuanceKit {
  /** The fake's clock, ms; starts at T0 on every start(). */
  clock: number;
  /** The fake of the running test (closed after each test). */
  fake: GuanceFake;
  start(options?: GuanceFakeOptions): Promise<GuanceFake>;
  call<T = unknown>(method: string, path: string, body?: unknown, opts?: CallOptions): Promise<{ status: number; json: Envelope<T> }>;
  listIssues(body: Record<string, unknown>): Promise<{ status: number; json: Envelope<{ data: Issue[]; pageInfo: PageInfo }> }>;
}

/** Call at the top of a test file; tests call `start()` (in beforeEach or themselves). */
export function useGuanceFake(): GuanceKit {
  let current: GuanceFake | undefined;
  const kit: GuanceKit = {
    clock: T0,
    get fake(): GuanceFake {
      if (current === undefined) throw new Error('guance test kit: start() first');
      return current;
    },
    async start(options = {}) {
      kit.clock = T0;
      current = await startGuanceFake({ now: () => kit.clock, ...options });
      return current;
    },
    async call<T = unknown>(method: string, path: string, body?: unknown, opts: CallOptions = {}) {
      const headers: Record<string, string> = { 'Content-Type': 'application/json;charset=UTF-8' };
      const key = opts.key === undefined ? kit.fake.apiKey : opts.key;
      if (key !== null) headers['DF-API-KEY'] = key;
      const payload = opts.raw ?? (body === undefined ? undefined : JSON.stringify(body));
      const res = await fetch(`${kit.fake.url}${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
      return { status: res.status, json: (await res.json()) as Envelope<T> };
    },
    listIssues: (body) => kit.call('POST', '/api/v1/issue/list', { pageIndex: 1, pageSize: 10, ...body }),
  };
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return kit;
}
