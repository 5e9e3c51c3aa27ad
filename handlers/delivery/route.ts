/**
 * Routing rules (ROUTES_FILE, SPEC "Routes file"): pure. The first route that matches wins unless it says
 * `continue: true`; a route without `match` catches everything. Nothing matched: the card goes nowhere.
 */
import type { MatchKey, Routing } from '../../src/routes-file.js';

/** What routing looks at: the card's source, Guance channel, level and fields (service, project, environment). */
export interface RoutedCard {
  source: string;
  channel?: string;
  level?: string;
  fields: Readonly<Record<string, string>>;
}

export interface Targets {
  chats: string[];
  sinks: string[];
  /** The routes that matched (place in the file), for logs. */
  matched: string[];
}

const globCache = new Map<string, RegExp>();

/** `*` any run, `?` one character, case-insensitive; the rest is literal. */
export function globMatches(pattern: string, value: string): boolean {
  let regex = globCache.get(pattern);
  if (!regex) {
    const body = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
    regex = new RegExp(`^${body}$`, 'i');
    if (globCache.size < 1_000) globCache.set(pattern, regex);
  }
  return regex.test(value);
}

function valueOf(card: RoutedCard, key: MatchKey): string | undefined {
  if (key === 'source') return card.source;
  if (key === 'channel') return card.channel;
  if (key === 'level') return card.level;
  return card.fields[key];
}

export function routeMatches(match: Partial<Record<MatchKey, string[]>>, card: RoutedCard): boolean {
  return (Object.entries(match) as [MatchKey, string[] | undefined][]).every(([key, patterns]) => {
    if (!patterns?.length) return true;
    const value = valueOf(card, key);
    return value !== undefined && patterns.some((pattern) => globMatches(pattern, value));
  });
}

export function targetsFor(routing: Routing, card: RoutedCard): Targets {
  const chats = new Set<string>();
  const sinks = new Set<string>();
  const matched: string[] = [];
  for (const route of routing.routes) {
    if (!routeMatches(route.match, card)) continue;
    route.chats.forEach((chat) => chats.add(chat));
    route.sinks.forEach((sink) => sinks.add(sink));
    matched.push(route.place);
    if (!route.continue) break;
  }
  return { chats: [...chats], sinks: [...sinks], matched };
}
