import type { z } from 'zod';

/** The one lenient JSON reader: text that is empty or not JSON reads as `undefined`, never a throw. */
export function parseJson(text: string | null | undefined): unknown {
  if (text === null || text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** JSON text of the schema's shape, else null (missing, not JSON, or another shape). */
export function parseJsonAs<T>(schema: z.ZodType<T>, text: string | null | undefined): T | null {
  const parsed = schema.safeParse(parseJson(text));
  return parsed.success ? parsed.data : null;
}

export interface JsonBounds {
  maxDepth: number;
  /** Values (objects, arrays, scalars) in all. */
  maxNodes: number;
  maxStringLength: number;
}

/**
 * Is `value` a small JSON value: no deeper, larger or longer than `bounds`? Iterative (no recursion), so a
 * hostile 10 000-level array is measured, not a stack overflow; it stops at the first bound crossed.
 */
export function jsonWithin(value: unknown, bounds: JsonBounds): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  let nodes = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    nodes += 1;
    if (nodes > bounds.maxNodes || depth > bounds.maxDepth) return false;
    if (typeof node === 'string') {
      if (node.length > bounds.maxStringLength) return false;
    } else if (Array.isArray(node)) {
      if (nodes + stack.length + node.length > bounds.maxNodes) return false;
      for (const item of node) stack.push([item, depth + 1]);
    } else if (node !== null && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) {
        if (key.length > bounds.maxStringLength) return false;
        stack.push([item, depth + 1]);
      }
    } else if (typeof node !== 'number' && typeof node !== 'boolean' && node !== null && node !== undefined) {
      return false;
    }
  }
  return true;
}
