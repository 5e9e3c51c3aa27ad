/**
 * Routing rules (ROUTES_FILE, SPEC "Routes file"): pure. The first route that matches wins unless it says
 * `continue: true`; a route without `match` catches everything. Nothing matched: the card goes nowhere.
 */
import type { MatchKey, Routing } from '../../src/routes-file.js';

/** What routing looks at: the card's source, Guance channel, level and fields (service, project, environment). */
export interface RoutedCard {
  source: string;
  /** The Guance channel's name and uuid (either may be named in the file). */
  channel?: string[];
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

function valuesOf(card: RoutedCard, key: MatchKey): string[] {
  const value = key === 'source' ? card.source : key === 'channel' ? card.channel : key === 'level' ? card.level : card.fields[key];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export function routeMatches(match: Partial<Record<MatchKey, string[]>>, card: RoutedCard): boolean {
  return (Object.entries(match) as [MatchKey, string[] | undefined][]).every(([key, patterns]) => {
    if (!patterns?.length) return true;
    return valuesOf(card, key).some((value) => patterns.some((pattern) => globMatches(pattern, value)));
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
