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
