import express from 'express';
import type { Ctx } from '../context.js';

export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
  /** What /readyz shows for it (e.g. the Lark connection's state); default `ok` / `unreachable`. */
  state?(): string;
}

/** /healthz (the process serves), /readyz (its dependencies answer), /metrics (Prometheus text). */
export function healthRoutes(ctx: Ctx, extraChecks: ReadinessCheck[] = []): express.Router {
  const routes = express.Router();
  const checks: ReadinessCheck[] = [{ name: 'redis', check: () => ctx.store.ping() }, ...extraChecks];

  routes.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  routes.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      checks.map(async (c) => {
        const ready = await c.check().catch(() => false);
        return [c.name, ready, c.state?.() ?? (ready ? 'ok' : 'unreachable')] as const;
      }),
    );
    const notReady = results.filter(([, ready]) => !ready).map(([name]) => name);
    res.status(notReady.length ? 503 : 200).json({
      status: notReady.length ? 'not ready' : 'ready',
      checks: Object.fromEntries(results.map(([name, , state]) => [name, state])),
      ...(notReady.length ? { notReady } : {}),
    });
  });

  routes.get('/metrics', async (_req, res) => {
    res.type(ctx.metrics.contentType).send(await ctx.metrics.render());
  });
  return routes;
}
