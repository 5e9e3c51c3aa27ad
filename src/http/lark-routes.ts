import express, { type Request, type Response } from 'express';
import type { Ctx } from '../context.js';
import { BadRequestError, VerificationError } from '../errors.js';
import { LarkRequestOpener, type OpenedRequest } from '../lark/inbound.js';
import type { Router } from '../router.js';

export const MAX_BODY_BYTES = 1024 * 1024;
const SKEW_WARN_SECONDS = 5 * 60;

/**
 * /lark/events and /lark/card. The body is read raw (signatures are over the exact bytes), verified,
 * decrypted and classified in our code; the answer never waits for Lark or Guance, only for Redis.
 */
export function larkRoutes(ctx: Ctx, router: Router): express.Router {
  const opener = new LarkRequestOpener(ctx.config.lark);
  const routes = express.Router();
  const raw = express.raw({ type: () => true, limit: MAX_BODY_BYTES });

  const handle = (open: (request: { rawBody: Buffer; header: (name: string) => string | undefined }) => OpenedRequest) =>
    async (req: Request, res: Response) => {
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      let opened: OpenedRequest;
      try {
        opened = open({ rawBody, header: (name) => req.get(name) });
      } catch (error) {
        rejectLarkRequest(ctx, req, res, error);
        return;
      }
      if (opened.kind === 'challenge') {
        ctx.log.info('answered Lark URL verification', { path: req.path });
        res.json({ challenge: opened.challenge });
        return;
      }
      if (opened.skewSeconds !== null && Math.abs(opened.skewSeconds) > SKEW_WARN_SECONDS) {
        // Lark re-pushes failed events for hours; an old timestamp on a valid signature is a retry, not an attack.
        ctx.log.warn('Lark request timestamp is far from now (accepted)', {
          skewSeconds: opened.skewSeconds,
          eventId: opened.inbound.eventId,
        });
      }
      ctx.metrics.inc('events_received_total', 'Verified Lark pushes', { type: opened.inbound.type, path: req.path });
      const answer = await router.dispatch(opened.inbound, ctx);
      res.status(answer.status).json(answer.body);
    };

  routes.post('/lark/events', raw, handle((request) => opener.openEvent(request)));
  routes.post('/lark/card', raw, handle((request) => opener.openCard(request)));
  return routes;
}

function rejectLarkRequest(ctx: Ctx, req: Request, res: Response, error: unknown): void {
  if (error instanceof VerificationError) {
    ctx.metrics.inc('events_rejected_total', 'Lark pushes rejected', { reason: 'verification', path: req.path });
    ctx.log.warn('rejected Lark request', { path: req.path, reason: error.message, ip: req.ip });
    res.status(401).json({ error: error.message });
    return;
  }
  if (error instanceof BadRequestError) {
    ctx.metrics.inc('events_rejected_total', 'Lark pushes rejected', { reason: 'bad_request', path: req.path });
    ctx.log.warn('rejected Lark request', { path: req.path, reason: error.message, ip: req.ip });
    res.status(error.status).json({ error: error.message });
    return;
  }
  throw error;
}
