/**
 * Lark's error format and request validation, shared by the Lark fake's state modules.
 * Business errors are HTTP 400 `{code, msg, ...}` (../shared/reference/lark-platform.md §6, §9);
 * state code throws {@link LarkApiError} and the server answers it.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { Reply } from '../core/http-fake.js';

export const SECOND = 1000;
export const HOUR = 3600 * SECOND;

export class LarkApiError extends Error {
  constructor(
    readonly code: number,
    msg: string,
    readonly status = 400,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(msg);
    this.name = 'LarkApiError';
  }

  toReply(): Reply {
    return { status: this.status, body: { code: this.code, msg: this.message, ...this.extra } };
  }
}

export function fail(code: number, msg: string, status = 400): never {
  throw new LarkApiError(code, msg, status);
}

export const ok = (extra: Record<string, unknown> = {}, msg = 'success'): Reply => ({
  status: 200,
  body: { code: 0, msg, ...extra },
});

export const invalidParam = (what: string): string => `Your request contains an invalid request parameter, ext=${what}`;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const randomHex = (bytes: number): string => randomBytes(bytes).toString('hex');
/** The same id for the same seed, so derived ids (p2p chats, union ids) are stable across calls. */
export const stableHex = (seed: string, chars: number): string =>
  createHash('sha256').update(seed).digest('hex').slice(0, chars);

const fieldValidationFailed = (violations: Record<string, unknown>[]): LarkApiError =>
  new LarkApiError(99992402, 'field validation failed', 400, { error: { field_violations: violations } });

/** Validate with zod; failures become 99992402 "field validation failed", or `code` with an invalid-param text. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, code = 99992402): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const violations = result.error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || 'body',
    description: issue.message,
  }));
  if (code === 99992402) throw fieldValidationFailed(violations);
  throw new LarkApiError(code, invalidParam(violations.map((v) => `${v.field}: ${v.description}`).join('; ')));
}

export function requiredQuery<T extends string>(value: string | undefined, name: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a === value);
  if (found !== undefined) return found;
  const description = value === undefined ? `${name} is required` : `${name} must be one of ${allowed.join('|')}`;
  throw fieldValidationFailed([{ field: name, value: value ?? '', description }]);
}
