/**
 * Guance monitor alert ("Webhook 自定义" notification object) → the one model (model.ts). Pure: no HTTP, no
 * Redis, no token check; the route has parsed the body already.
 *
 * Payload: ../shared/reference/guance-openapi.md §3.2 (`df_*` fields; sample
 * ../shared/reference/samples/guance/alert-webhook-custom-payload.json) and sources-and-sinks.md §2.
 * - bodyType json: an object of `df_*` fields plus event tags (`host`) and legacy keys (`Result`, `date`,
 *   `workspace_name`). Times are seconds; numbers may arrive as numbers or numeric strings, so nothing here
 *   insists on either. Unknown fields are kept out of the way, never an error.
 * - bodyType text (the default): `df_title`, an empty line, `df_message`. No event id, no status.
 */
import { z } from 'zod';
import type { Level, Normalised, Notification, NotificationKind } from './model.js';
import {
  EXCERPT_MAX,
  TITLE_MAX,
  clip,
  emailsIn,
  httpUrl,
  levelFromWord,
  nowSeconds,
  pushField,
  record,
  secondsFrom,
  sha256Hex,
  text,
  type Field,
} from './text.js';

/** Ids go into keys and subjects (model: ≤ 300 characters), so an absurd id is refused, not cut. */
const ID_MAX = 200;
/** Dimension tags shown on a card; a monitor grouping by more is rare and the card stays readable. */
const DIMENSION_FIELDS_MAX = 10;

const requiredId = (name: string) =>
  z
    .union([z.string(), z.number()], { error: `${name} is required` })
    .transform((value) => String(value).trim())
    .pipe(z.string().min(1, { error: `${name} is required` }).max(ID_MAX, { error: `${name} is too long` }));

/** Only what must be there is checked; everything else is read liberally below (looseObject keeps extras). */
const AlertBody = z.looseObject({
  df_event_id: requiredId('df_event_id'),
  df_status: requiredId('df_status'),
});

export function normaliseGuanceAlert(body: unknown, rawText?: string): Normalised {
  const object = record(body);
  if (object === undefined) {
    if (rawText !== undefined && rawText.trim() !== '') return { ok: true, notifications: [fromText(rawText)] };
    return { ok: false, status: 400, error: 'body must be a JSON object' };
  }
  const parsed = AlertBody.safeParse(object);
  if (!parsed.success) {
    return { ok: false, status: 422, error: parsed.error.issues[0]?.message ?? 'df_event_id is required' };
  }
  const eventId = parsed.data.df_event_id;
  const status = parsed.data.df_status.toLowerCase();
  const kind = kindOf(status, text(object.df_fault_status));
  const faultId = text(object.df_fault_id);
  const dimensions = dimensionTags(object.df_dimension_tags);
  const checkerId = text(object.df_monitor_checker_id);
  const link = httpUrl(object.df_event_link);
  const actor = kind === 'resolve' ? text(object.df_user_name) : undefined;

  const fingerprint = checkerId === undefined ? undefined : fingerprintOf(checkerId, dimensions);
  const notification: Notification = {
    source: 'guance-alert',
    key: `guance-alert:${eventId}`,
    subject: subjectOf(eventId, faultId, fingerprint),
    kind,
    title: clip(text(object.df_title) ?? text(object.df_monitor_checker_name) ?? 'Guance alert', TITLE_MAX),
    level: levelOf(status, kind),
    excerpt: excerptOf(typeof object.df_message === 'string' ? object.df_message : ''),
    fields: fieldsOf(object, dimensions, parsed.data.df_status),
    links: link === undefined ? [] : [{ kind: 'guance-alert', url: link }],
    people: emailsIn(object.df_at_accounts, object.df_message_at_accounts, object.df_matched_alert_members, object.df_user_email),
    time: secondsFrom(object.date) ?? secondsFrom(object.timestamp) ?? secondsFrom(object.df_issue_start_time) ?? nowSeconds(),
  };
  if (fingerprint !== undefined) notification.fingerprint = fingerprint;
  if (actor !== undefined) notification.actor = clip(actor, TITLE_MAX);
  return { ok: true, notifications: [notification] };
}

/**
 * The fault round when Guance names it; else the check and its dimensions (the published sample has no
 * `df_fault_id`), so a recovery still finds the card of its fault; an event id only as the last resort.
 * A new fault of the same check after a recovery gets a new card (ingest.ts opens one on a finished card).
 */
function subjectOf(eventId: string, faultId: string | undefined, fingerprint: string | undefined): string {
  if (faultId !== undefined && faultId.length <= ID_MAX) return `guance-alert:fault:${faultId}`;
  if (fingerprint !== undefined) return `guance-alert:check:${fingerprint}`;
  return `guance-alert:event:${eventId}`;
}

/**
 * Recovery statuses (guance-openapi.md §3.2: `ok`, `nodata_ok`, `nodata_as_ok`, `manual_ok`) resolve the card;
 * `df_fault_status: ok` says the fault round is over. Everything else is a (new or repeated) problem.
 */
function kindOf(status: string, faultStatus: string | undefined): NotificationKind {
  if (status === 'ok' || status.endsWith('_ok') || faultStatus?.toLowerCase() === 'ok') return 'resolve';
  return 'open';
}

/** critical P0, error P1, warning/nodata P2, info P3; a recovery is P3 (the card it patches keeps its level). */
function levelOf(status: string, kind: NotificationKind): Level {
  if (kind === 'resolve') return 'P3';
  if (status === 'nodata') return 'P2';
  return levelFromWord(status) ?? 'P2';
}

/**
 * `df_message` as plain text: Guance's templates quote every line with `>` (markdown for the IM robots, see
 * the sample) and pad lines with spaces; a card shows text, so both go.
 */
function excerptOf(message: string): string {
  const lines = message.split(/\r?\n/).map((line) => line.replace(/^\s*(?:>\s?)+/, '').replace(/\s+$/, ''));
  return clip(lines.join('\n').trim(), EXCERPT_MAX);
}

/**
 * `df_dimension_tags` is a JSON *string* (`"{\"host\":\"web01\"}"`, guance-openapi.md §3.2); an object is
 * accepted too. Scalar values only, as `[name, value]` in the sender's order.
 */
function dimensionTags(value: unknown): Array<[string, string]> {
  let tags: unknown = value;
  if (typeof value === 'string') {
    try {
      tags = JSON.parse(value) as unknown;
    } catch {
      return [];
    }
  }
  const object = record(tags);
  if (object === undefined) return [];
  const out: Array<[string, string]> = [];
  for (const [name, raw] of Object.entries(object)) {
    const shown = typeof raw === 'boolean' ? String(raw) : text(raw);
    if (name.trim() !== '' && shown !== undefined) out.push([name, shown]);
  }
  return out;
}

/** monitor, checker, host and the other dimension tags, value, workspace, status: only those present. */
function fieldsOf(object: Record<string, unknown>, dimensions: Array<[string, string]>, status: string): Field[] {
  const fields: Field[] = [];
  pushField(fields, 'monitor', object.df_monitor_name);
  pushField(fields, 'checker', object.df_monitor_checker_name);
  const host = dimensions.find(([name]) => name === 'host')?.[1] ?? text(object.host);
  pushField(fields, 'host', host);
  for (const [name, value] of dimensions.filter(([tag]) => tag !== 'host').slice(0, DIMENSION_FIELDS_MAX)) {
    pushField(fields, name, value);
  }
  pushField(fields, 'value', text(object.df_monitor_checker_value) ?? text(object.Result));
  pushField(fields, 'workspace', text(object.df_workspace_name) ?? text(object.workspace_name));
  pushField(fields, 'status', status);
  return fields;
}

/** The checker plus its dimension tags (sorted, so tag order in the JSON string does not matter). */
function fingerprintOf(checkerId: string, dimensions: Array<[string, string]>): string {
  const tags = [...dimensions]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join(',');
  const fingerprint = tags === '' ? checkerId : `${checkerId}|${tags}`;
  return fingerprint.length <= ID_MAX ? fingerprint : `${clip(checkerId, 100)}|${sha256Hex(tags)}`;
}

/**
 * bodyType text: `df_title`, a blank line, `df_message` (guance-openapi.md §3.2). Nothing identifies the
 * event, so the text itself does: the same text sent again is the same notification.
 */
function fromText(rawText: string): Notification {
  const normalised = rawText.replace(/\r\n/g, '\n');
  const split = normalised.search(/\n[ \t]*\n/);
  const title = (split === -1 ? normalised : normalised.slice(0, split)).trim();
  const message = split === -1 ? '' : normalised.slice(split).replace(/^\s*\n/, '');
  const key = `guance-alert:text:${sha256Hex(rawText)}`;
  return {
    source: 'guance-alert',
    key,
    subject: key,
    kind: 'open',
    title: clip(title.split('\n')[0]?.trim() || 'Guance alert', TITLE_MAX),
    level: 'P2',
    excerpt: excerptOf(split === -1 ? title.split('\n').slice(1).join('\n') : message),
    fields: [],
    links: [],
    people: [],
    time: nowSeconds(),
  };
}
