/**
 * Guance exception-tracking push hints (`POST /webhooks/guance-issue`, ../shared/SPEC.md "HTTP endpoints"):
 * the body a notification strategy sends is not documented (../shared/reference/guance-openapi.md §3.1, §6),
 * so it is read as "any shape that names issues": every `issue_<32 hex>` anywhere in it is checked now.
 * Pure: no HTTP, no Redis.
 */

/** The most ids one hint may name; the poller stays the safety net for anything beyond. */
const MAX_IDS = 200;
const MAX_KEYS = 30;
/** Bounds on the walk of the parsed body, so a hostile body costs little. */
const MAX_NODES = 20_000;
const MAX_NESTED_JSON = 100;
const MAX_NESTED_JSON_LENGTH = 1_000_000;

/**
 * `issue_` + 32 lower-case hex, as a whole word: a longer hex run, an upper-case id or `xissue_…` is not
 * an issue id (every id in ../shared/reference/samples/guance/, e.g. issue-get-response.json, is that shape).
 */
const ISSUE_ID = /\bissue_[0-9a-f]{32}\b/g;

/**
 * Every issue id the hint names, deduped, in order of first appearance, at most 200. The raw text is
 * scanned first; then the parsed body is walked (keys and values, and JSON held in strings), because an id
 * written with escapes (`\u0069ssue_…`) or after an escape (`\nissue_…`) only reads as one once parsed.
 */
export function issueUuidsIn(body: unknown, rawText: string): string[] {
  const found = new Set<string>();
  const scan = (text: string): boolean => {
    for (const match of text.matchAll(ISSUE_ID)) {
      found.add(match[0]);
      if (found.size >= MAX_IDS) return false;
    }
    return true;
  };
  if (!scan(rawText)) return [...found];
  const stack: unknown[] = [body];
  let nodes = 0;
  let nestedJson = 0;
  while (stack.length > 0 && nodes < MAX_NODES) {
    const node = stack.pop();
    nodes += 1;
    if (typeof node === 'string') {
      if (!scan(node)) break;
      const trimmed = node.trim();
      if (
        (trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed.startsWith('"')) &&
        trimmed.length <= MAX_NESTED_JSON_LENGTH &&
        nestedJson < MAX_NESTED_JSON
      ) {
        nestedJson += 1;
        const nested = parseOrUndefined(trimmed);
        if (nested !== undefined) stack.push(nested);
      }
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i -= 1) stack.push(node[i]);
    } else if (node !== null && typeof node === 'object') {
      const entries = Object.entries(node as Record<string, unknown>);
      // Pushed in reverse so the walk visits keys and values in document order.
      for (let i = entries.length - 1; i >= 0; i -= 1) {
        const [key, value] = entries[i] as [string, unknown];
        stack.push(value, key);
      }
    }
  }
  return [...found];
}

/** The body's top-level keys (at most 30, each cut to 64 characters), to log the shape of unknown hints. */
export function topLevelKeys(body: unknown): string[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return [];
  return Object.keys(body)
    .slice(0, MAX_KEYS)
    .map((key) => (key.length > 64 ? `${key.slice(0, 63)}…` : key));
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
