/**
 * Small pure helpers the source adapters share (Guance alert, Sentry, error API): cutting text to card size,
 * finding e-mails in undocumented shapes, reading times that arrive as numbers, numeric strings or ISO text.
 */
import { createHash } from 'node:crypto';
import type { Level } from './model.js';

/** Card excerpts are cut here (model.ts: "≤ ~2,000 characters"). */
export const EXCERPT_MAX = 2_000;
/** Titles and field values are cut here: a card header or a label line, not a page. */
export const TITLE_MAX = 200;
export const FIELD_VALUE_MAX = 200;
const FIELD_NAME_MAX = 50;

/** `text` cut to at most `max` characters, ending in '…' when cut; never splits a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** The first non-blank line of `text`, trimmed. */
export function firstLine(text: string): string {
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed !== '') return trimmed;
  }
  return '';
}

export function sha256Hex(text: string, length = 32): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, length);
}

/** A non-empty trimmed string from a string or a finite number (sources send ids and values as either). */
export function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** A plain object (not an array, not null), else undefined. */
export function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** `value` when it is an absolute http(s) URL: a link a card may offer (no `javascript:` or relative links). */
export function httpUrl(value: unknown): string | undefined {
  const candidate = text(value);
  if (candidate === undefined || !/^https?:\/\//i.test(candidate)) return undefined;
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? candidate : undefined;
  } catch {
    return undefined;
  }
}

export interface Field {
  name: string;
  value: string;
}

/** Appends `name: value` when the value is present and non-empty, both cut to label size. */
export function pushField(fields: Field[], name: string, value: unknown): void {
  const shown = typeof value === 'boolean' ? String(value) : text(value);
  if (shown === undefined) return;
  fields.push({ name: clip(name, FIELD_NAME_MAX), value: clip(shown, FIELD_VALUE_MAX) });
}

/**
 * Whole Unix seconds from a number or a numeric string (seconds; values past year 33658 are read as milliseconds,
 * as Guance's console links use ms) or from ISO 8601 text (Sentry `firstSeen`, `datetime`). Else undefined.
 */
export function secondsFrom(value: unknown): number | undefined {
  let seconds: number | undefined;
  if (typeof value === 'number') seconds = value;
  else if (typeof value === 'string' && value.trim() !== '') {
    const trimmed = value.trim();
    seconds = /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : Date.parse(trimmed) / 1000;
  }
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) return undefined;
  return Math.floor(seconds > 1e12 ? seconds / 1000 : seconds);
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;
/** Nodes looked at per call: the shapes are undocumented, a hostile body must not make this slow. */
const EMAIL_WALK_MAX_NODES = 2_000;

/**
 * E-mails named anywhere in `values`, lower-cased, deduped, in order of first appearance. Liberal on purpose:
 * the element shapes of Guance's `df_at_accounts`, `df_message_at_accounts` and `df_matched_alert_members` are
 * not documented (../shared/reference/guance-openapi.md §3.2, §6), so strings that are e-mails, objects with
 * an `email` (or any e-mail-valued) field and nested arrays all count. Iterative, bounded.
 */
export function emailsIn(...values: unknown[]): string[] {
  const found = new Set<string>();
  const stack: unknown[] = [...values].reverse();
  let nodes = 0;
  while (stack.length > 0 && nodes < EMAIL_WALK_MAX_NODES) {
    const node = stack.pop();
    nodes += 1;
    if (typeof node === 'string') {
      const candidate = node.trim().toLowerCase();
      if (candidate.length <= 254 && EMAIL.test(candidate)) found.add(candidate);
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i -= 1) stack.push(node[i]);
    } else if (node !== null && typeof node === 'object') {
      const entries = Object.values(node as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i -= 1) stack.push(entries[i]);
    }
  }
  return [...found];
}

/** A level word (any case) → P0…P3, or undefined when the word is not one the sources use. */
export function levelFromWord(word: string | undefined): Level | undefined {
  switch (word?.trim().toLowerCase()) {
    case 'p0':
    case 'fatal':
    case 'critical':
      return 'P0';
    case 'p1':
    case 'error':
      return 'P1';
    case 'p2':
    case 'warning':
    case 'warn':
      return 'P2';
    case 'p3':
    case 'info':
    case 'debug':
      return 'P3';
    default:
      return undefined;
  }
}
