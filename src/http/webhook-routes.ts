import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Ctx } from '../context.js';
import { BadRequestError, UnavailableError, errorMessage } from '../errors.js';
import { readRawBody } from './raw-body.js';

const MAX_BODY_BYTES = 1024 * 1024;

/** What a webhook handler sees: the raw bytes (signatures are over them) and where they came from. */
export interface WebhookRequest {
  rawBody: Buffer;
  header(name: string): string | undefined;
  query: URLSearchParams;
  /** The media type without parameters, lower-cased (`application/json`, `text/plain`, or ''). */
  contentType: string;
}

export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
}

export type WebhookHandler = (request: WebhookRequest, ctx: Ctx) => Promise<WebhookAnswer>;

/** Path → handler, filled by handlers/index.ts. */
export class WebhookRegistry {
  readonly routes = new Map<string, WebhookHandler>();

  on(path: `/${string}`, handler: WebhookHandler): this {
    this.routes.set(path, handler);
    return this;
  }
}

/**
 * The transport half of every inbound webhook (Sentry, Guance alerts and push hints, the error API): raw body
 * within 1 MiB (413), then the handler verifies, parses and enqueues. Redis being away is a 503 so the sender
 * retries; nothing here waits for Lark or Guance.
 */
export function webhookHandler(ctx: Ctx, path: string, handler: WebhookHandler) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let answer: WebhookAnswer;
    try {
      const rawBody = await readRawBody(req, MAX_BODY_BYTES);
      const url = new URL(req.url ?? '/', 'http://local');
      answer = await handler(
        {
          rawBody,
          header: (name) => {
            const value = req.headers[name.toLowerCase()];
            return Array.isArray(value) ? value[0] : value;
          },
          query: url.searchParams,
          contentType: (req.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '',
        },
        ctx,
      );
    } catch (error) {
      answer = failure(ctx, path, error);
    }
    const kind = answer.status < 300 ? 'accepted' : answer.status === 503 ? 'unavailable' : 'rejected';
    ctx.metrics.inc('webhooks_total', { path, outcome: kind });
    const text = JSON.stringify(answer.body);
    res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
}

function failure(ctx: Ctx, path: string, error: unknown): WebhookAnswer {
  if (error instanceof BadRequestError) {
    ctx.log.warn('rejected webhook', { path, status: error.status, reason: error.message });
    return { status: error.status, body: { error: error.message } };
  }
  if (error instanceof UnavailableError) {
    ctx.log.warn('webhook not stored, asking the sender to retry', { path, error: error.message });
    return { status: 503, body: { error: 'temporarily unavailable, retry later' } };
  }
  ctx.log.error('unexpected error on a webhook', { path, error: errorMessage(error) });
  return { status: 500, body: { error: 'internal error' } };
}
