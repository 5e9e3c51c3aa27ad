import type { Reply } from './http-fake.js';
import type { RecordedRequest } from './request.js';

/** A fake's endpoint: method + path pattern; the pattern's groups become the handler's params. */
export interface Route<B = unknown> {
  method: string;
  /** Anchored (`^…$`); each group is one URL-decoded path parameter. */
  pattern: RegExp;
  handle(params: string[], req: RecordedRequest): Reply<B>;
}

/**
 * The first route for method + path, with its params; `'wrong-method'` when only other methods
 * serve the path (a fake that knows 405 answers it, others 404).
 */
export function findRoute<T extends Route<unknown>>(
  routes: readonly T[],
  method: string,
  path: string,
): { route: T; params: string[] } | 'wrong-method' | undefined {
  let pathKnown = false;
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (m === null) continue;
    pathKnown = true;
    if (route.method === method) return { route, params: m.slice(1).map((p) => safeDecode(p ?? '')) };
  }
  return pathKnown ? 'wrong-method' : undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
