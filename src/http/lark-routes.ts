import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Ctx } from '../context.js';
import { BadRequestError, VerificationError } from '../errors.js';
import { LarkRequestOpener, type OpenedRequest } from '../lark/inbound.js';
import type { Router } from '../router.js';
import { readRawBody } from './raw-body.js';

const MAX_BODY_BYTES = 1024 * 1024;
const SKEW_WARN_SECONDS = 5 * 60;

export type LarkPath = '/lark/events' | '/lark/card';

/**
 * POST /lark/events and /lark/card. The body is read raw (signatures are over the exact bytes), verified,
 * decrypted and classified in our code; the answer never waits for Lark or Guance, only for Redis.
 * Plain Node request/response: nearly all traffic comes here, and express's routing and res.json cost a
 * fifth of the CPU of each event for nothing these two routes use.
 */
export function larkHandlers(ctx: Ctx, router: Router): Record<LarkPath, (req: IncomingMessage, res: ServerResponse) => Promise<void>> {
  const opener = new LarkRequestOpener(ctx.config.lark);

  const handle = (path: LarkPath, open: (request: { rawBody: Buffer; header: (name: string) => string | undefined }) => OpenedRequest) =>
    async (req: IncomingMessage, res: ServerResponse) => {
      let opened: OpenedRequest;
      try {
        const rawBody = await readRawBody(req, MAX_BODY_BYTES);
        opened = open({ rawBody, header: (name) => header(req, name) });
      } catch (error) {
        rejectLarkRequest(ctx, path, req, res, error);
        return;
      }
      if (opened.kind === 'challenge') {
        ctx.log.info('answered Lark URL verification', { path });
        sendJson(res, 200, { challenge: opened.challenge });
        return;
      }
      if (opened.skewSeconds !== null && Math.abs(opened.skewSeconds) > SKEW_WARN_SECONDS) {
        // Lark re-pushes failed events for hours; an old timestamp on a valid signature is a retry, not an attack.
        ctx.log.warn('Lark request timestamp is far from now (accepted)', {
          skewSeconds: opened.skewSeconds,
          eventId: opened.inbound.eventId,
        });
      }
      ctx.metrics.inc('events_received_total', { type: opened.inbound.type, path });
      const answer = await router.dispatch(opened.inbound, ctx);
      if (answer.status >= 400 && answer.status < 500) ctx.metrics.inc('events_rejected_total', { reason: 'unstorable', path });
      sendJson(res, answer.status, answer.body);
    };

  return {
    '/lark/events': handle('/lark/events', (request) => opener.openEvent(request)),
    '/lark/card': handle('/lark/card', (request) => opener.openCard(request)),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The hot path answers with a plain write: express's res.json adds an ETag hash and content negotiation we do not need. */
function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body ?? {});
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function rejectLarkRequest(ctx: Ctx, path: LarkPath, req: IncomingMessage, res: ServerResponse, error: unknown): void {
  if (error instanceof VerificationError) {
    ctx.metrics.inc('events_rejected_total', { reason: 'verification', path });
    ctx.log.warn('rejected Lark request', { path, reason: error.message, ip: req.socket.remoteAddress });
    sendJson(res, 401, { error: error.message });
    return;
  }
  if (error instanceof BadRequestError) {
    ctx.metrics.inc('events_rejected_total', { reason: 'bad_request', path });
    ctx.log.warn('rejected Lark request', { path, reason: error.message, ip: req.socket.remoteAddress });
    sendJson(res, error.status, { error: error.message });
    return;
  }
  throw error;
}
