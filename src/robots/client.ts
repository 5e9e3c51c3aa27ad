/**
 * Posts one message to one robot webhook: sign (fresh timestamp each call, so a retry re-signs), POST the JSON,
 * read the body even on HTTP 200 (all three robots report failures there), classify, throw `RobotApiError`.
 * Pacing and retries are the caller's: `ROBOT_LIMITS` (./urls.ts) and the job's attempts.
 * Wire facts: ../shared/reference/sources-and-sinks.md §3–4, §6 and lark-platform.md §8.1.
 * The URL is the credential: it never reaches a log line or an error message (`redactSinkUrl` at most).
 */
import { errorMessage } from '../errors.js';
import { parseJson } from '../json.js';
import type { Logger } from '../logger.js';
import { RobotApiError, classifyRobotAnswer, robotErrorFrom, robotTransportError } from './errors-map.js';
import { dingTalkSign, larkWebhookSign } from './sign.js';
import type { RobotSink } from './types.js';
import { redactSinkUrl } from './urls.js';

export interface RobotClientOptions {
  log: Logger;
  /** Per request, body included, ms. Default 10 000. */
  timeoutMs?: number;
  /** Tests pass a fake; default the global `fetch`. */
  fetchImpl?: typeof fetch;
  /** Clock for the signatures (ms since the epoch). Default `Date.now`. */
  now?: () => number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** What goes on the wire for a sink: the URL (DingTalk's signature is in the query) and the body. */
export function signedRequest(
  sink: RobotSink,
  body: Record<string, unknown>,
  nowMs: number,
): { url: URL; body: Record<string, unknown> } {
  // Not `new URL()`: its error carries the input (the credential) as `input`.
  const url = URL.canParse(sink.url) ? new URL(sink.url) : undefined;
  if (url === undefined) {
    throw new RobotApiError(`${sink.kind} sink ${sink.name}: the URL does not parse`, sink.kind, 'bad_url', undefined, false);
  }
  if (!sink.secret) return { url, body };
  if (sink.kind === 'dingtalk') {
    // §3: `&timestamp=<ms>&sign=<urlencoded base64>`; URLSearchParams does the encoding.
    url.searchParams.set('timestamp', String(nowMs));
    url.searchParams.set('sign', dingTalkSign(sink.secret, nowMs));
    return { url, body };
  }
  if (sink.kind === 'lark-webhook') {
    // §8.1: `timestamp` (seconds, as a string) and `sign` at the top level of the body.
    const seconds = Math.floor(nowMs / 1000);
    return { url, body: { ...body, timestamp: String(seconds), sign: larkWebhookSign(sink.secret, seconds) } };
  }
  return { url, body };
}

export class RobotClient {
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;

  constructor(options: RobotClientOptions) {
    this.log = options.log;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetchImpl = options.fetchImpl ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? Date.now;
  }

  /** Sends `body` (a message built by cards/robot-messages.ts) to `sink`; resolves when the robot said ok. */
  async send(sink: RobotSink, body: Record<string, unknown>): Promise<void> {
    const started = this.now();
    let request: ReturnType<typeof signedRequest>;
    try {
      request = signedRequest(sink, body, started);
    } catch (error) {
      throw error instanceof RobotApiError ? this.failed(sink, error, started) : error;
    }
    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      const response = await this.fetchImpl(request.url, {
        method: 'POST',
        // DingTalk answers 43004 to another Content-Type (§3 Responses).
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
        body: JSON.stringify(request.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      text = await response.text();
    } catch (error) {
      throw this.failed(sink, robotTransportError(sink.kind, error, this.timeoutMs), started);
    }
    const verdict = classifyRobotAnswer(sink.kind, status, parseJson(text), retryAfter);
    if (!verdict.ok) throw this.failed(sink, robotErrorFrom(sink.kind, verdict, status), started);
    this.log.debug('robot message sent', { sink: sink.name, kind: sink.kind, status, ms: this.now() - started });
  }

  /** Notes a failure (never the URL itself); returns the error to throw. */
  private failed(sink: RobotSink, error: RobotApiError, started: number): RobotApiError {
    // `detail`, not `message`: winston would merge a `message` key into the log line's text.
    // Debug only: the robot worker logs the outcome once (retry or give up), with this error's message and code.
    this.log.debug('robot message failed', {
      sink: sink.name,
      kind: sink.kind,
      target: redactSinkUrl(sink.url),
      code: error.robotCode,
      status: error.httpStatus,
      retryable: error.retryable,
      dead: error.dead,
      ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
      ms: this.now() - started,
      detail: errorMessage(error),
    });
    return error;
  }
}
