import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Ctx } from '../context.js';
import type { Router } from '../router.js';
import { healthRoutes, type ReadinessCheck } from './health.js';
import { larkHandlers } from './lark-routes.js';
import { WebhookRegistry, webhookHandler } from './webhook-routes.js';

interface HttpError {
  status?: number;
  type?: string;
}

/**
 * The request listener without listen(), so supertest can drive it directly. POST /lark/events and /lark/card
 * (nearly all traffic) and the webhooks go straight to their raw-body handlers; express serves everything else.
 */
export function createHttpApp(ctx: Ctx, router: Router, webhooks = new WebhookRegistry(), readiness: ReadinessCheck[] = []): RequestListener {
  // In ws mode Lark pushes over the connection: /lark/* would be a second way in, and the settings that verify it
  // (encrypt key, verification token) are usually left empty there, so anyone could post events. It is off (404).
  const lark: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> =
    ctx.config.larkEventMode === 'ws' ? {} : { ...larkHandlers(ctx, router) };
  for (const [path, handler] of webhooks.routes) lark[path] = webhookHandler(ctx, path, handler);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', true);
  app.use(healthRoutes(ctx, readiness));
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  // Body-parser errors (413, aborted, bad encoding) and anything unexpected end here; nothing is queued.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const { status, type } = (error ?? {}) as HttpError;
    if (status === 413 || type === 'entity.too.large') {
      ctx.log.warn('request body too large', { path: req.path });
      res.status(413).json({ error: 'body larger than 1 MiB' });
      return;
    }
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ error: type ?? 'bad request' });
      return;
    }
    ctx.log.error('unexpected HTTP error', { path: req.path, error: error instanceof Error ? error.message : String(error) });
    res.status(500).json({ error: 'internal error' });
  });

  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?', 1)[0] ?? '';
    const handler = req.method === 'POST' ? lark[path] : undefined;
    if (!handler) {
      app(req, res);
      return;
    }
    handler(req, res).catch((error: unknown) => {
      ctx.log.error('unexpected error on a POST route', { path: req.url, error: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal error"}');
    });
  };
}
