/**
 * LARK_EVENT_MODE=ws: Lark's events and card callbacks over node-sdk's long connection (`WSClient`), fed into the
 * same path as POST /lark/events (src/http/lark-routes.ts): `parseEventEnvelope` → `router.dispatch`, so dedupe,
 * queue and handlers are shared. Facts: ../shared/reference/lark-platform.md §3.
 *
 * - No signature or token check: the connection itself is authenticated by the app secret (§3). The SDK hands
 *   `invoke` the unflattened envelope (node_modules/@larksuiteoapi/node-sdk/lib/index.js, `handleEventData`), so the
 *   §3 gotcha of the card token overwriting `header.token` does not reach us; we ignore `header.token` anyway.
 * - What `invoke` returns is the ack: a value becomes `{"code":200,"data":base64(JSON)}` (a card click's toast and
 *   card), a throw becomes `{"code":500}` and Lark re-pushes (used when the event could not be stored).
 * - Delivery is one random connected client per event (§3 "cluster mode"): every replica holds a connection.
 */
import * as lark from '@larksuiteoapi/node-sdk';
import type { Ctx } from '../context.js';
import { withDeadline } from '../deadline.js';
import { BadRequestError, BotError, errorMessage } from '../errors.js';
import type { IngressAnswer, Router } from '../router.js';
import { parseEventEnvelope, type Inbound } from './envelope.js';
import { httpInstance, sdkLogger } from './sdk-plumbing.js';

/** `idle` before start, `closed` after close; the rest mirror the SDK's `getConnectionStatus().state`. */
export type LarkConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

/** The `path` label of events_received_total / events_rejected_total for pushes over the connection. */
export const WS_PATH_LABEL = 'ws';

/** WSClient.start() returns silently for any other app id (§3 test gotchas), leaving the bot "connecting" forever. */
const WS_APP_ID = /^cli_[0-9a-fA-F]{16}$/;

/** After a failure that is not final: first try again after this long, doubling up to the maximum. */
const RETRY_FIRST_MS = 5_000;
const RETRY_MAX_MS = 5 * 60_000;

/** The SDK posts the endpoint request with this timeout itself; ours only bounds a hung socket. */
const ENDPOINT_TIMEOUT_MS = 15_000;

/** The only part of `lark.EventDispatcher` the WSClient calls (lib/index.js `handleEventData`). */
export interface EnvelopeDispatcher {
  invoke(data: unknown): Promise<unknown>;
}

/** Thrown into the SDK when the event was not stored (Redis away): the ack says 500 and Lark pushes it again. */
export class RetryLaterError extends BotError {
  constructor(status: number) {
    super(`event not stored (status ${status}); Lark will re-push it`, 'ws_retry_later', { retryable: true });
  }
}

/** What the ack should carry for a router answer (pure, so the three cases are unit-tested without a socket). */
export function ackFor(inbound: Inbound, answer: IngressAnswer): { kind: 'answer'; body: unknown } | { kind: 'empty' } | { kind: 'retry' } {
  if (answer.status >= 500) return { kind: 'retry' };
  // A 4xx fails the same way on every re-push: acknowledge it (code 200) so Lark stops; the router logged why.
  if (answer.status >= 400) return { kind: 'empty' };
  return inbound.type === 'card.action.trigger' ? { kind: 'answer', body: answer.body } : { kind: 'empty' };
}

/**
 * One line an operator can act on, from the SDK's onError (codes: lib/index.js `ErrorCode`; 50 connections per
 * app and the fatal codes: §3 "Limits" and "Protocol"). `final`: only a change of settings (or of other clients)
 * helps, so trying again would be a loop; anything else (busy, reconnects used up) is tried again later.
 */
export function fatalConnectionHint(message: string): { code: number | undefined; hint: string; final: boolean } {
  const match = /code=(-?\d+)/.exec(message);
  const code = match?.[1] !== undefined ? Number(match[1]) : undefined;
  if (code === 514) return { code, final: true, hint: 'Lark refused the app credentials (auth failed): check LARK_APP_ID and LARK_APP_SECRET' };
  if (code === 1000040350) {
    return { code, final: true, hint: 'too many long connections for this app (Lark allows 50): stop stale replicas or old processes, then restart this one' };
  }
  if (code === 403) {
    return { code, final: true, hint: 'Lark forbade the long connection: it is for self-built Feishu apps with "receive events through persistent connection" chosen in the developer console' };
  }
  if (/exhausted/.test(message)) return { code, final: false, hint: "reconnects used up (Lark's ReconnectCount): is LARK_DOMAIN reachable from here?" };
  return { code, final: false, hint: 'Lark did not open the long connection' };
}

/** The endpoint's URL carries a short-lived `ticket` (§3 sample); the SDK logs that URL at debug. */
export function scrubTicket(text: string): string {
  return text.replace(/([?&]ticket=)[^&\s"']+/g, '$1[redacted]');
}

/** The SDK's LoggerProxy hands its arguments over as one array (see sdk-plumbing.ts), hence the walk into arrays. */
function ticketFree(part: unknown): unknown {
  if (typeof part === 'string') return scrubTicket(part);
  return Array.isArray(part) ? part.map(ticketFree) : part;
}

function ticketFreeLogger(inner: lark.Logger): lark.Logger {
  const wrap =
    (write: (...msg: unknown[]) => void) =>
    (...msg: unknown[]): void => {
      write(...msg.map(ticketFree));
    };
  return { error: wrap(inner.error), warn: wrap(inner.warn), info: wrap(inner.info), debug: wrap(inner.debug), trace: wrap(inner.trace) };
}

export interface LarkWsIngressOptions {
  /** Values the SDK's log lines must never show (src/app.ts `secretsOf`). */
  secrets: string[];
}

/** One WSClient per process, feeding the router; its state is the `lark-connection` readiness check. */
export class LarkWsIngress {
  private readonly client: lark.WSClient;
  private state: LarkConnectionState = 'idle';
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Set by close(): new pushes are refused (code 500) so Lark gives them to another replica. */
  private draining = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs = RETRY_FIRST_MS;

  constructor(
    private readonly ctx: Ctx,
    private readonly router: Router,
    options: LarkWsIngressOptions,
  ) {
    const { appId, appSecret, baseUrl } = ctx.config.lark;
    this.client = new lark.WSClient({
      appId,
      appSecret,
      // Any string is used verbatim, so tests point it at a fake (§9); config.ts already dropped a trailing slash.
      domain: baseUrl,
      httpInstance: httpInstance(ENDPOINT_TIMEOUT_MS),
      logger: ticketFreeLogger(sdkLogger(ctx.log, options.secrets)),
      loggerLevel: lark.LoggerLevel.debug,
      onReady: () => this.onConnected(false),
      onReconnected: () => this.onConnected(true),
      onReconnecting: () => this.onReconnecting(),
      onError: (error) => this.onFatal(error),
    });
  }

  get connectionState(): LarkConnectionState {
    return this.state;
  }

  /** Ready only with an open socket: our state from the callbacks, and the SDK's own view of the socket. */
  isConnected(): boolean {
    return this.state === 'connected' && this.client.getConnectionStatus().state === 'connected';
  }

  /** For /readyz: `connected` only when ready; a socket that closed before the SDK said so reads `reconnecting`. */
  readinessState(): LarkConnectionState {
    if (this.isConnected()) return 'connected';
    return this.state === 'connected' ? 'reconnecting' : this.state;
  }

  /** Starts connecting and returns at once (the SDK does not wait for the socket; `onReady` says when). */
  start(): void {
    const { appId } = this.ctx.config.lark;
    if (!WS_APP_ID.test(appId)) {
      this.fail(`LARK_APP_ID is not a cli_ + 16 hex digits app id; node-sdk will not open a long connection for it`, undefined);
      return;
    }
    this.state = 'connecting';
    this.ctx.log.info('connecting to Lark over the long connection', { larkBaseUrl: this.ctx.config.lark.baseUrl });
    this.connect();
  }

  private connect(): void {
    const dispatcher: EnvelopeDispatcher = { invoke: (data) => this.track(this.handle(data)) };
    // WSClient types its parameter as the EventDispatcher class but calls only `invoke` (see EnvelopeDispatcher).
    void this.client.start({ eventDispatcher: dispatcher as unknown as lark.EventDispatcher });
  }

  /**
   * Refuses new pushes first (Lark re-pushes them to another replica), lets the running ones finish and send their
   * acks (a card click's answer goes back in its ack, and the SDK sends acks only on an open socket), then closes.
   */
  async close(timeoutMs = 3_000): Promise<void> {
    this.draining = true;
    clearTimeout(this.retryTimer);
    await withDeadline(Promise.allSettled([...this.inFlight]), Date.now() + timeoutMs);
    if (this.state !== 'idle') this.client.close({ force: true });
    this.state = 'closed';
  }

  /** The envelope's way through the bot; what it resolves to (or throws) is the ack. */
  async handle(data: unknown): Promise<unknown> {
    if (this.draining) throw new RetryLaterError(503);
    let inbound: Inbound;
    try {
      inbound = parseEventEnvelope(data);
    } catch (error) {
      if (!(error instanceof BadRequestError)) throw error;
      // Malformed pushes fail the same way every time: acknowledged (no endless re-push), one warning.
      this.ctx.metrics.inc('events_rejected_total', { reason: 'bad_request', path: WS_PATH_LABEL });
      this.ctx.log.warn('rejected Lark push on the long connection', { reason: error.message });
      return undefined;
    }
    this.ctx.metrics.inc('events_received_total', { type: inbound.type, path: WS_PATH_LABEL });
    const answer = await this.router.dispatch(inbound, this.ctx);
    const ack = ackFor(inbound, answer);
    if (ack.kind === 'retry') throw new RetryLaterError(answer.status);
    if (answer.status >= 400) this.ctx.metrics.inc('events_rejected_total', { reason: 'unstorable', path: WS_PATH_LABEL });
    return ack.kind === 'answer' ? ack.body : undefined;
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    const done = () => this.inFlight.delete(work);
    work.then(done, done);
    return work;
  }

  private onConnected(reconnected: boolean): void {
    if (this.state === 'closed') return;
    this.state = 'connected';
    this.retryDelayMs = RETRY_FIRST_MS;
    if (reconnected) this.ctx.log.info('Lark long connection re-established');
    else this.ctx.log.info('Lark long connection ready');
  }

  private onReconnecting(): void {
    if (this.state === 'closed' || this.state === 'reconnecting') return;
    this.state = 'reconnecting';
    this.ctx.log.warn('Lark long connection lost; reconnecting (not ready until it is back)');
  }

  private onFatal(error: Error): void {
    const { code, hint, final } = fatalConnectionHint(errorMessage(error));
    if (final) {
      this.fail(hint, code, errorMessage(error));
      return;
    }
    if (this.state === 'closed' || this.draining) return;
    // Not a settings problem: start again later (the SDK itself has given up), growing the wait each time.
    const delayMs = this.retryDelayMs;
    this.retryDelayMs = Math.min(RETRY_MAX_MS, delayMs * 2);
    this.state = 'reconnecting';
    this.ctx.log.warn(`Lark long connection failed: ${hint}; starting it again in ${Math.round(delayMs / 1000)} s (not ready until then)`, {
      ...(code !== undefined ? { larkCode: code } : {}),
      error: errorMessage(error),
    });
    this.retryTimer = setTimeout(() => {
      if (!this.draining) this.connect();
    }, delayMs);
    this.retryTimer.unref();
  }

  /** Once: the SDK gives up after a fatal error and so do we (no restart loop); HTTP, health and metrics stay up. */
  private fail(hint: string, code: number | undefined, error?: string): void {
    if (this.state === 'closed' || this.state === 'failed') return;
    this.state = 'failed';
    this.ctx.log.error(`Lark long connection failed for good: ${hint}. Not retrying; /readyz stays 503 until a restart`, {
      ...(code !== undefined ? { larkCode: code } : {}),
      ...(error !== undefined ? { error } : {}),
    });
  }
}
