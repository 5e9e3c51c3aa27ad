/**
 * The HTTP-fake core every platform fake (Lark, Guance, later the robot webhooks) is built on: a
 * real server on 127.0.0.1, every request recorded, faults and latency injected by the test.
 *
 * Timing model, the same for every fake: a request is recorded and decided (the fake's state
 * changes) as soon as its body has arrived; latency only delays the answer. So "timeout, then retry
 * with the same idempotency key" behaves as on the real platform. An injected fault replaces the
 * decision entirely: a faulted request changes no state, except `dropAfterWork` (the answer is lost
 * after the work was done, as when a connection breaks on the way back).
 *
 * A fake supplies only its wire format and its rules: `handle` (routes + state), `faultReply`
 * (what an injected fault looks like on its wire) and `errorReply` (what a thrown error looks like).
 */
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { matchesRequest, readRequest, type FakeRequest, type RecordedRequest, type RequestMatch } from './request.js';
import { FaultRules, LatencyRules, type CoreFault } from './rules.js';

export interface Reply<B = unknown> {
  status: number;
  /** Sent as JSON. */
  body: B;
  headers?: Record<string, string>;
  /** Sent verbatim as text/plain instead of `body` (e.g. a fault that answers something not JSON). */
  text?: string;
}

/** What a request gets: an answer, or its socket closed without one. */
export type Outcome<B = unknown> = Reply<B> | 'drop';

export interface HttpFakeOptions<R extends RecordedRequest, F extends { kind: string }, B> {
  /** Prefix of log lines, e.g. `lark-fake`. */
  name: string;
  /** Default 0: a free port. */
  port?: number;
  /** Clock of `RecordedRequest.at`; default `Date.now`. */
  now?: () => number;
  /** Larger bodies are not kept (`FakeRequest.tooLarge`). Default 8 MiB. */
  maxBodyBytes?: number;
  /** Adds the fake's own fields to a new record (filled in by `settle`). */
  newRecord(base: RecordedRequest): R;
  /** Answers a request no fault took: routing, auth, state. Synchronous, so state changes on arrival. */
  handle(req: FakeRequest<R>): Reply<B>;
  /** The fake's wire format for an injected fault (`drop` and `dropAfterWork` are the core's). */
  faultReply(fault: Exclude<F, CoreFault>, req: FakeRequest<R>): Reply<B>;
  /** The fake's wire format for an error thrown by `handle` (business errors; bugs answer 500). */
  errorReply(err: unknown): Reply<B>;
  /** Sees every decided outcome, faults included, before latency: fill own record fields, count. */
  settle?(req: FakeRequest<R>, outcome: Outcome<B>): void;
  /** Headers added to every answer. */
  replyHeaders?(): Record<string, string>;
}

/** The part of every fake's API that the core provides. */
export interface HttpFake<R extends RecordedRequest, F extends { kind: string }> {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  /** Every request in arrival order. Cleared in place by reset(). */
  requests: R[];
  /** Recorded requests the match selects. */
  requestsMatching(match: RequestMatch<R>): R[];
  /** The next `times` (default 1) requests the match selects get `fault` instead of their answer (still recorded). */
  failNext(match: RequestMatch<R>, fault: F, times?: number): void;
  /**
   * Delays answers of the requests the match selects (all without a match) by `ms`; the latest
   * matching setting wins. `ms = 0` removes the setting for that match; setLatency(0) removes all.
   */
  setLatency(ms: number, match?: RequestMatch<R>): void;
  /** Resolves with check()'s first truthy result, checked now and after every request; rejects after timeoutMs (default 5000). */
  waitFor<T>(check: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  /** Resolves with the first recorded request the match selects (already recorded or arriving later). */
  waitForRequest(match: RequestMatch<R>, timeoutMs?: number): Promise<R>;
  /** Forgets requests, faults and latency (a fake adds its own state). */
  reset(): void;
  /** Stops listening and ends delayed answers at once (their sockets are closed). Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

export async function startHttpFake<R extends RecordedRequest, F extends { kind: string }, B>(
  options: HttpFakeOptions<R, F, B>,
): Promise<HttpFake<R, F>> {
  const now = options.now ?? Date.now;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const requests: R[] = [];
  const faults = new FaultRules<F, R>();
  const latency = new LatencyRules<R>();
  /** Re-checked after every request by waitFor. */
  const waiters = new Set<() => void>();
  /** Ends delays early when the fake closes. */
  const wakers = new Set<() => void>();
  let nextId = 1;
  let closed = false;
  let closing: Promise<void> | undefined;

  const decide = (req: FakeRequest<R>): Outcome<B> => {
    const fault = faults.take(req.record);
    if (fault?.kind === 'drop') return 'drop';
    if (fault?.kind === 'dropAfterWork') {
      try {
        options.handle(req);
      } catch {
        // Whatever the handler decided, business error or not, the client is not told.
      }
      return 'drop';
    }
    try {
      return fault !== undefined ? options.faultReply(fault as Exclude<F, CoreFault>, req) : options.handle(req);
    } catch (err) {
      return options.errorReply(err);
    }
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakers.add(wake);
    });

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    res.on('error', () => undefined);
    const { fields, invalidJson, tooLarge } = await readRequest(req, maxBodyBytes);
    const record = options.newRecord({ id: nextId++, at: now(), ...fields, status: 0 });
    requests.push(record);
    const request: FakeRequest<R> = { record, invalidJson, tooLarge };
    const outcome = decide(request);
    record.status = outcome === 'drop' ? 0 : outcome.status;
    options.settle?.(request, outcome);
    for (const waiter of [...waiters]) waiter();

    const delay = latency.for(record);
    if (delay > 0) await sleep(delay);
    if (outcome === 'drop' || closed || res.destroyed) {
      req.socket.destroy();
      return;
    }
    writeReply(res, outcome, options.replyHeaders?.());
  };

  const server = http.createServer((req, res) => {
    serve(req, res).catch((err: unknown) => {
      console.error(`[${options.name}] request failed`, err);
      if (!res.headersSent && !res.destroyed) writeReply(res, options.errorReply(err));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => console.error(`[${options.name}] server error`, err));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`${options.name}: unexpected server address`);

  const waitFor = <T>(check: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        waiters.delete(waiter);
      };
      const waiter = (): void => {
        try {
          const value = check();
          if (value === undefined || value === null || value === false) return;
          finish();
          resolve(value);
        } catch (err) {
          finish();
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${options.name}: waitFor timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(waiter);
      waiter();
    });

  const requestsMatching = (match: RequestMatch<R>): R[] => requests.filter((r) => matchesRequest(match, r));

  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    requestsMatching,
    failNext: (match, fault, times) => faults.add(match, fault, times),
    setLatency: (ms, match) => latency.set(ms, match),
    waitFor,
    waitForRequest: (match, timeoutMs) => waitFor(() => requestsMatching(match)[0], timeoutMs),
    reset() {
      requests.length = 0;
      faults.clear();
      latency.clear();
    },
    close() {
      closed = true;
      closing ??= new Promise<void>((resolve) => {
        for (const wake of [...wakers]) wake();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function writeReply(res: ServerResponse, reply: Reply<unknown>, extraHeaders: Record<string, string> = {}): void {
  const payload = reply.text ?? JSON.stringify(reply.body) ?? '';
  res.writeHead(reply.status, {
    'content-type': reply.text !== undefined ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...extraHeaders,
    ...reply.headers,
  });
  res.end(payload);
}
