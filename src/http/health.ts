import express from 'express';
import type { Ctx } from '../context.js';

export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
}

/** /healthz (the process serves), /readyz (its dependencies answer), /metrics (Prometheus text). */
export function healthRoutes(ctx: Ctx, extraChecks: ReadinessCheck[] = []): express.Router {
  const routes = express.Router();
  const checks: ReadinessCheck[] = [{ name: 'redis', check: () => ctx.store.ping() }, ...extraChecks];

  routes.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  routes.get('/readyz', async (_req, res) => {
    const results = await Promise.all(checks.map(async (c) => [c.name, await c.check().catch(() => false)] as const));
    const notReady = results.filter(([, ready]) => !ready).map(([name]) => name);
    res.status(notReady.length ? 503 : 200).json({
      status: notReady.length ? 'not ready' : 'ready',
      checks: Object.fromEntries(results.map(([name, ready]) => [name, ready ? 'ok' : 'unreachable'])),
      ...(notReady.length ? { notReady } : {}),
    });
  });

  routes.get('/metrics', async (_req, res) => {
    res.type(ctx.metrics.contentType).send(await ctx.metrics.render());
  });
  return routes;
}
