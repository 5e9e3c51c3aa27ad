/**
 * What every HTTP fake records of a request, how tests pick requests out (`RequestMatch`), and how
 * a raw `IncomingMessage` becomes a record.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** One request as a fake received it. */
export interface RecordedRequest {
  /** 1, 2, … in arrival order. */
  id: number;
  /** Arrival time, ms (the fake's clock). */
  at: number;
  method: string;
  /** Path without the query string, e.g. `/api/v1/issue/list`. */
  path: string;
  /** First value of each query parameter. */
  query: Record<string, string>;
  /** Lower-cased header names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** Parsed JSON body; the raw text when it was not JSON; `undefined` when there was none. */
  body: unknown;
  /** HTTP status answered; `0` until the answer is decided, and for dropped connections. */
  status: number;
}

/**
 * Picks requests for faults, latency and look-ups. A string is a substring of `"METHOD /path"`
 * (no query string), e.g. `'POST /open-apis/im/v1/messages'` or just `'quick_list'`; a RegExp is
 * tested against the same text; a function sees the whole record (query, headers, body).
 */
export type RequestMatch<R extends RecordedRequest = RecordedRequest> = string | RegExp | ((req: R) => boolean);

export function matchesRequest<R extends RecordedRequest>(match: RequestMatch<R>, req: R): boolean {
  if (typeof match === 'function') return match(req);
  const key = `${req.method} ${req.path}`;
  if (typeof match === 'string') return key.includes(match);
  match.lastIndex = 0;
  return match.test(key);
}

/** Whether two matches select the same requests for sure (so a new rule replaces the old one). */
export function sameMatch<R extends RecordedRequest>(a: RequestMatch<R>, b: RequestMatch<R>): boolean {
  if (a instanceof RegExp && b instanceof RegExp) return a.source === b.source && a.flags === b.flags;
  return a === b;
}

/** A received request: its record plus what the record cannot say. */
export interface FakeRequest<R extends RecordedRequest = RecordedRequest> {
  record: R;
  /** The body was not empty and not JSON (`record.body` holds the text). */
  invalidJson: boolean;
  /** The body was larger than the fake accepts (`record.body` is then `undefined`). */
  tooLarge: boolean;
}

/** Reads the whole body and builds the record fields (`id`, `at` and `status` are the caller's). */
export async function readRequest(
  req: IncomingMessage,
  maxBodyBytes: number,
): Promise<{ fields: Omit<RecordedRequest, 'id' | 'at' | 'status'>; invalidJson: boolean; tooLarge: boolean }> {
  const { text, tooLarge } = await readBody(req, maxBodyBytes);
  const { path, query } = splitUrl(req.url ?? '/');
  const { body, invalid } = tooLarge ? { body: undefined, invalid: false } : parseJson(text);
  const method = (req.method ?? 'GET').toUpperCase();
  return { fields: { method, path, query, headers: flattenHeaders(req.headers), body }, invalidJson: invalid, tooLarge };
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<{ text: string; tooLarge: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Keep reading past the limit (discarding) so the client is not cut off mid-upload and gets the answer.
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    const done = (): void => resolve({ text: Buffer.concat(chunks).toString('utf8'), tooLarge: size > maxBytes });
    req.on('end', done);
    req.on('error', done);
    req.on('close', done);
  });
}

/** Split without `new URL`, so that `//open-apis/...` stays a path (and 404s) instead of naming a host. */
function splitUrl(rawUrl: string): { path: string; query: Record<string, string> } {
  const q = rawUrl.indexOf('?');
  const query: Record<string, string> = {};
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(rawUrl.slice(q + 1))) if (!Object.hasOwn(query, k)) query[k] = v;
  }
  return { path: q >= 0 ? rawUrl.slice(0, q) : rawUrl, query };
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function parseJson(text: string): { body: unknown; invalid: boolean } {
  if (text.trim() === '') return { body: undefined, invalid: false };
  try {
    return { body: JSON.parse(text) as unknown, invalid: false };
  } catch {
    return { body: text, invalid: true };
  }
}
