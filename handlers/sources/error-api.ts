/**
 * `POST /api/errors` (../shared/SPEC.md "HTTP endpoints") → the one model (model.ts). Pure: no HTTP, no Redis.
 *
 * This body is ours, so it is checked strictly (a caller's mistake is answered 422 naming the field), unlike
 * the third-party webhooks; unknown extra keys are allowed and ignored so callers can send more.
 * Every report is one occurrence: the key is unique per report and the dedupe window (windowSeconds, applied
 * by the ingest step) folds reports of one fingerprint onto one card.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { LEVELS, type Normalised, type Notification } from './model.js';
import { EXCERPT_MAX, TITLE_MAX, clip, firstLine, httpUrl, levelFromWord, pushField, record, sha256Hex, type Field } from './text.js';

const TEXT_MAX = 10_000;
const FINGERPRINT_MAX = 200;
const TAGS_MAX = 50;
/** Tags shown on the card; the rest are accepted but not displayed. */
const TAG_FIELDS_MAX = 10;
const TAGS_ERROR = 'tags must be an object of string, number or boolean values';
const LEVEL_WORDS = ['fatal', 'critical', 'error', 'warning', 'warn', 'info', 'debug'];

const requiredText = (name: string) =>
  z
    .string({ error: `${name} is required (a string)` })
    .refine((value) => value.trim() !== '', { error: `${name} must not be empty` })
    .refine((value) => value.length <= TEXT_MAX, { error: `${name} must be at most ${TEXT_MAX} characters` });

const ErrorReport = z.looseObject({
  service: requiredText('service'),
  message: requiredText('message'),
  level: z
    .string({ error: 'level must be a string' })
    .refine((value) => levelFromWord(value) !== undefined, {
      error: `level must be one of ${[...LEVELS, ...LEVEL_WORDS].join(', ')}`,
    })
    .optional(),
  fingerprint: z
    .string({ error: 'fingerprint must be a string' })
    .refine((value) => value.trim() !== '', { error: 'fingerprint must not be empty' })
    .refine((value) => value.length <= FINGERPRINT_MAX, { error: `fingerprint must be at most ${FINGERPRINT_MAX} characters` })
    .optional(),
  url: z
    .string({ error: 'url must be a string' })
    .refine((value) => httpUrl(value) !== undefined, { error: 'url must be an http(s) URL' })
    .optional(),
  environment: z.string({ error: 'environment must be a string' }).max(TEXT_MAX, { error: 'environment is too long' }).optional(),
  stack: z.string({ error: 'stack must be a string' }).optional(),
  tags: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()], { error: TAGS_ERROR }), { error: TAGS_ERROR })
    .refine((tags) => Object.keys(tags).length <= TAGS_MAX, { error: `tags must have at most ${TAGS_MAX} entries` })
    .optional(),
});

export function normaliseErrorReport(body: unknown, now: number, windowSeconds: number): Normalised {
  if (record(body) === undefined) return { ok: false, status: 400, error: 'body must be a JSON object' };
  const parsed = ErrorReport.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // A type error deep in tags names `tags.<name>` through the path; the message names the field itself.
    const where = issue !== undefined && issue.path.length > 1 ? ` (${issue.path.map(String).join('.')})` : '';
    return { ok: false, status: 422, error: `${issue?.message ?? 'body is invalid'}${where}` };
  }
  const report = parsed.data;
  const fingerprint = report.fingerprint?.trim() ?? sha256Hex(`${report.service}\n${report.message}`);
  const fields: Field[] = [];
  pushField(fields, 'service', report.service);
  pushField(fields, 'environment', report.environment);
  for (const [name, value] of Object.entries(report.tags ?? {}).slice(0, TAG_FIELDS_MAX)) pushField(fields, name, value);
  const notification: Notification = {
    source: 'error-api',
    key: `error-api:${fingerprint}:${randomUUID()}`,
    subject: `error-api:${fingerprint}`,
    kind: 'open',
    title: clip(firstLine(report.message), TITLE_MAX),
    // P0…P3 as given (any case); fatal/critical P0, error P1, warning/warn P2, info/debug P3; default error.
    level: levelFromWord(report.level ?? 'error') ?? 'P1',
    excerpt: clip(report.stack ? `${report.message}\n\n${report.stack}` : report.message, EXCERPT_MAX),
    fields,
    links: report.url === undefined ? [] : [{ kind: 'report', url: report.url.trim() }],
    people: [],
    fingerprint,
    time: now,
  };
  if (windowSeconds > 0) notification.windowSeconds = windowSeconds;
  return { ok: true, notifications: [notification] };
}
