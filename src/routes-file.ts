/**
 * The routes file (ROUTES_FILE, YAML or JSON: JSON is read as the YAML it is a subset of, so both get line numbers
 * in errors). Validated whole at start and on SIGHUP: the first problem is one line naming the file, the place
 * and what is wrong; a bad file never replaces good routes.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import type { RobotSink } from './robots/types.js';
import { validateSinkUrl } from './robots/urls.js';

export const ROUTE_SOURCES = ['guance-issue', 'guance-alert', 'sentry', 'error-api'] as const;
export type MatchKey = 'source' | 'channel' | 'level' | 'service' | 'project' | 'environment';

export type RouteMatch = Partial<Record<MatchKey, string[]>>;

export interface Route {
  match: RouteMatch;
  chats: string[];
  sinks: string[];
  continue: boolean;
  /** `routes[2]` (file:line), for logs. */
  place: string;
}

export interface Routing {
  /** The file the routes came from; null = the default (LARK_CHAT_ID and every sink from the environment). */
  file: string | null;
  sinks: ReadonlyMap<string, RobotSink>;
  routes: readonly Route[];
}

export class RoutesFileError extends Error {}

/** `*` any run of characters, `?` one character; nothing else is special. Brackets and braces are refused (not globs here). */
export const GLOB = /^[^[\]{}]{1,200}$/;

/** One value or a list of them (any of); errors name the item (`level[1]`). */
const oneOrMany = <T extends z.ZodType<string>>(item: T) => z.preprocess((v) => (Array.isArray(v) ? v : [v]), z.array(item).min(1).max(100));
const pattern = z.string().trim().regex(GLOB, { error: 'a pattern is 1–200 characters of text, `*` and `?` (no brackets or braces)' });

const matchSchema = z.strictObject({
  source: oneOrMany(z.enum(ROUTE_SOURCES, { error: `source is one of ${ROUTE_SOURCES.join(', ')}` })).optional(),
  channel: oneOrMany(pattern).optional(),
  level: oneOrMany(pattern).optional(),
  service: oneOrMany(pattern).optional(),
  project: oneOrMany(pattern).optional(),
  environment: oneOrMany(pattern).optional(),
});

const routeSchema = z.strictObject({
  match: matchSchema.optional(),
  to: z.strictObject({
    chats: z.array(z.string().regex(/^oc_[A-Za-z0-9_-]+$/, { error: 'a Lark chat id starts with oc_' })).max(50).optional(),
    sinks: z.array(z.string().min(1)).max(50).optional(),
  }),
  continue: z.boolean().optional(),
});

const fileSchema = z.strictObject({
  sinks: z
    .record(
      z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'a sink name is letters, digits, "_", "." and "-"' }),
      z.strictObject({ type: z.enum(['dingtalk', 'wecom', 'lark-webhook']), url: z.string(), secret: z.string().min(1).optional() }),
    )
    .optional(),
  routes: z.array(routeSchema).min(1, { error: 'name at least one route' }),
});

function placeOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): string {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = doc.getIn(path.slice(0, depth) as (string | number)[], true);
    if (isNode(node) && node.range) {
      const { line, col } = lines.linePos(node.range[0]);
      return `${line}:${col}`;
    }
  }
  return '1:1';
}

const pathText = (path: readonly PropertyKey[]) =>
  path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index ? '.' : ''}${String(part)}`)).join('') || '(top)';

/**
 * Parses and validates routes text. `envSinks` are the sinks from the environment (lark-webhook, dingtalk, wecom),
 * which routes may name too. Throws RoutesFileError with `file:line:col: path: problem`.
 */
export function parseRoutes(text: string, file: string, envSinks: readonly RobotSink[]): Routing {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const at = syntax.linePos?.[0];
    throw new RoutesFileError(`${file}:${at ? `${at.line}:${at.col}` : '1:1'}: ${syntax.message.split('\n')[0]}`);
  }
  let plain: unknown;
  try {
    plain = doc.toJS();
  } catch (error) {
    // e.g. an unquoted `*-prod`, which YAML reads as an alias: quote patterns that start with `*`.
    throw new RoutesFileError(`${file}:1:1: ${error instanceof Error ? error.message : String(error)} (quote patterns that start with "*")`);
  }
  const parsed = fileSchema.safeParse(plain);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path ?? [];
    throw new RoutesFileError(`${file}:${placeOf(doc, lines, path)}: ${pathText(path)}: ${issue?.message ?? 'invalid'}`);
  }
  const problem = (path: (string | number)[], message: string) => new RoutesFileError(`${file}:${placeOf(doc, lines, path)}: ${pathText(path)}: ${message}`);

  const sinks = new Map<string, RobotSink>(envSinks.map((sink) => [sink.name, sink]));
  for (const [name, sink] of Object.entries(parsed.data.sinks ?? {})) {
    if (sinks.has(name)) throw problem(['sinks', name], `"${name}" is already a sink from the environment`);
    const urlProblem = validateSinkUrl(sink.type, sink.url);
    if (urlProblem) throw problem(['sinks', name, 'url'], urlProblem);
    sinks.set(name, { name, kind: sink.type, url: sink.url, ...(sink.secret ? { secret: sink.secret } : {}) });
  }
  const routes = parsed.data.routes.map((route, index): Route => {
    (route.to.sinks ?? []).forEach((name, i) => {
      if (!sinks.has(name)) throw problem(['routes', index, 'to', 'sinks', i], `unknown sink "${name}" (known: ${[...sinks.keys()].join(', ') || 'none'})`);
    });
    if (!route.to.chats?.length && !route.to.sinks?.length) throw problem(['routes', index, 'to'], 'send to at least one chat or sink');
    return {
      match: route.match ?? {},
      chats: route.to.chats ?? [],
      sinks: route.to.sinks ?? [],
      continue: route.continue ?? false,
      place: `routes[${index}] (${file}:${placeOf(doc, lines, ['routes', index])})`,
    };
  });
  return { file, sinks, routes };
}

export function loadRoutesFile(file: string, envSinks: readonly RobotSink[]): Routing {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RoutesFileError(`${file}: cannot read: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseRoutes(text, file, envSinks);
}

/** Without a routes file: every card to LARK_CHAT_ID and to every sink configured in the environment. */
export function defaultRouting(chatId: string, envSinks: readonly RobotSink[]): Routing {
  return {
    file: null,
    sinks: new Map(envSinks.map((sink) => [sink.name, sink])),
    routes: [{ match: {}, chats: [chatId], sinks: envSinks.map((sink) => sink.name), continue: false, place: 'default (LARK_CHAT_ID and every sink)' }],
  };
}
