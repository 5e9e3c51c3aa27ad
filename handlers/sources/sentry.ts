/**
 * Sentry webhooks → the one model (model.ts). Pure: no HTTP, no Redis, no signature check (the route verified
 * `Sentry-Hook-Signature` over the raw bytes and parsed the body already).
 *
 * Two kinds arrive (../shared/reference/sources-and-sinks.md §1.1–1.4):
 * - integration platform: envelope `{action, installation, data, actor}`; what `data` holds is named by the
 *   `Sentry-Hook-Resource` header (issue, event_alert, metric_alert carded; installation, comment, error… not);
 * - legacy WebHooks plugin: a flat issue object (`id`, `project`, `url`, `event`…), no envelope, no header.
 * Keys are content-based (§1.3 "Delivery": dedupe on content, never on `Request-ID`).
 */
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
  text,
  type Field,
} from './text.js';

type Json = Record<string, unknown>;

/** Ids and timestamps go into keys (model: ≤ 300 characters); longer ones are refused or cut. */
const ID_MAX = 100;
const STAMP_MAX = 40;

const invalid = (error: string): Normalised => ({ ok: false, status: 422, error });
const ignored = (why: string): Normalised => ({ ok: true, notifications: [], ignored: why });
const one = (notification: Notification): Normalised => ({ ok: true, notifications: [notification] });

export function normaliseSentry(body: unknown, resource: string | undefined): Normalised {
  const object = record(body);
  if (object === undefined) return { ok: false, status: 400, error: 'body must be a JSON object' };
  if ('action' in object || 'data' in object || 'installation' in object) return fromEnvelope(object, resource);
  if ('id' in object || 'project' in object || 'event' in object || 'url' in object) return fromLegacy(object);
  return invalid('action is required');
}

const CARDED = new Set(['issue', 'event_alert', 'metric_alert']);

function fromEnvelope(envelope: Json, header: string | undefined): Normalised {
  const named = header?.trim().toLowerCase() || undefined;
  if (named !== undefined && !CARDED.has(named)) return ignored(`sentry resource ${clip(named, 40)} is not carded`);
  const action = text(envelope.action)?.toLowerCase();
  if (action === undefined) return invalid('action is required');
  const data = record(envelope.data);
  if (data === undefined) return invalid('data is required');
  // Without the header the data says what it is (the header is Sentry's own; a proxy may drop it).
  const resource = named ?? (data.issue ? 'issue' : data.event ? 'event_alert' : data.metric_alert ? 'metric_alert' : undefined);
  const actor = record(envelope.actor);
  const person = actor?.type === 'user' ? text(actor.name) : undefined;
  let result: Normalised;
  if (resource === 'issue') result = fromIssue(action, data);
  else if (resource === 'event_alert') result = fromEventAlert(action, data);
  else if (resource === 'metric_alert') result = fromMetricAlert(action, data);
  else return ignored('sentry resource (unnamed) is not carded');
  if (result.ok && person !== undefined) for (const n of result.notifications) n.actor = clip(person, TITLE_MAX);
  return result;
}

/** issue.* (§1.3 "issue payload"): created opens, resolved resolves, unresolved reopens, the rest update. */
const ISSUE_KINDS = new Map<string, NotificationKind>([
  ['created', 'open'],
  ['resolved', 'resolve'],
  ['unresolved', 'reopen'],
  ['assigned', 'update'],
  ['ignored', 'update'],
  ['archived', 'update'], // issues.mdx calls `ignored` "archived"; an older sender used that action name (§1.3)
]);
/** metric_alert actions (the docs list critical, warning, resolved; the code also has open). */
const METRIC_LEVELS = new Map<string, Level>([
  ['critical', 'P1'],
  ['open', 'P1'],
  ['warning', 'P2'],
  ['resolved', 'P3'],
]);

function fromIssue(action: string, data: Json): Normalised {
  const issue = record(data.issue);
  const id = text(issue?.id);
  if (issue === undefined || id === undefined) return invalid('data.issue.id is required');
  if (id.length > ID_MAX) return invalid('data.issue.id is too long');
  const kind = ISSUE_KINDS.get(action); // a Map: `constructor` or `__proto__` is not an action
  if (kind === undefined) return ignored(`sentry issue action ${clip(action, 40)} is not carded`);
  const lastSeen = clip(text(issue.lastSeen) ?? '', STAMP_MAX);
  const assignee = record(data.assignee);
  const metadata = record(issue.metadata);
  const project = record(issue.project);
  const fields: Field[] = [];
  pushField(fields, 'project', text(project?.slug) ?? text(issue.project_slug));
  pushField(fields, 'count', issue.count);
  pushField(fields, 'shortId', issue.shortId);
  const notification: Notification = {
    source: 'sentry',
    // created fires once per issue; the others can repeat (resolve → reopen → resolve), so the issue's
    // lastSeen keeps a later resolve after a regression from being taken for a retry. assigned also names
    // whom, so unassign → assign to someone else is not swallowed either.
    key:
      action === 'created'
        ? `sentry:issue:${id}:created`
        : action === 'assigned'
          ? `sentry:issue:${id}:assigned:${clip(text(assignee?.id) ?? text(assignee?.name) ?? '', ID_MAX)}:${lastSeen}`
          : `sentry:issue:${id}:${action}:${lastSeen}`,
    subject: `sentry:issue:${id}`,
    kind,
    title: titleOf(issue.title, undefined, metadata),
    level: levelOf(issue.level),
    excerpt: excerptOf(issue.culprit, metadata, undefined),
    fields,
    links: firstLink(issue.web_url, issue.permalink),
    people: emailsIn(assignee?.email, record(issue.assignedTo)?.email),
    time:
      (action === 'created' ? secondsFrom(issue.firstSeen) : secondsFrom(issue.lastSeen)) ??
      secondsFrom(issue.firstSeen) ??
      nowSeconds(),
  };
  const assigneeName = text(assignee?.name) ?? text(assignee?.email);
  if (action === 'assigned' && assigneeName !== undefined) notification.assignee = clip(assigneeName, TITLE_MAX);
  return one(notification);
}

/** event_alert.triggered (§1.3 "event_alert payload"): an alert rule fired for one event of an issue. */
function fromEventAlert(action: string, data: Json): Normalised {
  const event = record(data.event);
  const eventId = text(event?.event_id);
  if (event === undefined || eventId === undefined) return invalid('data.event.event_id is required');
  if (eventId.length > ID_MAX) return invalid('data.event.event_id is too long');
  if (action !== 'triggered') return ignored(`sentry event_alert action ${clip(action, 40)} is not carded`);
  // `issue_id` is added by current Sentry (§1.3); older deliveries only name the issue in their URLs.
  const issueId = text(event.issue_id) ?? issueIdFromUrl(event.issue_url) ?? issueIdFromUrl(event.web_url);
  return one({
    ...describeEvent(event),
    key: `sentry:event:${eventId}`,
    // The issue's subject: an alert for an issue that already has a card updates that card.
    subject: issueId !== undefined && issueId.length <= ID_MAX ? `sentry:issue:${issueId}` : `sentry:event:${eventId}`,
    fields: eventFields(event, projectSlugFromApiUrl(event.url) ?? text(event.project)),
    links: firstLink(event.web_url),
  });
}

/** metric_alert.* (§1.3; sentry-docs webhooks/metric-alerts.mdx): data.metric_alert is the incident. */
function fromMetricAlert(action: string, data: Json): Normalised {
  const alert = record(data.metric_alert);
  const id = text(alert?.id);
  if (alert === undefined || id === undefined) return invalid('data.metric_alert.id is required');
  if (id.length > ID_MAX) return invalid('data.metric_alert.id is too long');
  const level = METRIC_LEVELS.get(action);
  if (level === undefined) return ignored(`sentry metric_alert action ${clip(action, 40)} is not carded`);
  const rule = record(alert.alert_rule);
  const detected = text(alert.date_detected) ?? text(alert.date_started);
  const projects = Array.isArray(alert.projects) ? alert.projects : Array.isArray(rule?.projects) ? rule.projects : [];
  const fields: Field[] = [];
  pushField(fields, 'project', projects.map((p) => text(p)).filter((p) => p !== undefined).join(', '));
  pushField(fields, 'environment', rule?.environment);
  const kind: NotificationKind = action === 'resolved' ? 'resolve' : 'open';
  return one({
    source: 'sentry',
    key: `sentry:metric:${id}:${action}:${clip(detected ?? '', STAMP_MAX)}`,
    subject: `sentry:metric:${id}`,
    kind,
    title: clip(text(data.description_title) ?? text(alert.title) ?? text(rule?.name) ?? 'Sentry metric alert', TITLE_MAX),
    level,
    excerpt: clip(typeof data.description_text === 'string' ? data.description_text.trim() : '', EXCERPT_MAX),
    fields,
    links: firstLink(data.web_url),
    people: [],
    time: (kind === 'resolve' ? secondsFrom(alert.date_closed) : undefined) ?? secondsFrom(detected) ?? nowSeconds(),
  });
}

/** The legacy WebHooks plugin body (§1.2; sample legacy-webhooks-plugin-python-exception.json). */
function fromLegacy(object: Json): Normalised {
  const id = text(object.id);
  if (id === undefined) return invalid('id is required');
  if (id.length > ID_MAX) return invalid('id is too long');
  const event = record(object.event) ?? {};
  const eventId = text(event.event_id) ?? text(event.id) ?? id;
  const described = describeEvent(event, object);
  return one({
    ...described,
    key: `sentry:legacy:${clip(eventId, ID_MAX)}`,
    subject: `sentry:issue:${id}`,
    // The top-level `project` is the slug in the plugin body; `event.project` is the numeric id.
    fields: eventFields(event, text(object.project_slug) ?? text(object.project) ?? text(event.project)),
    links: firstLink(object.url),
  });
}

/** What an event-shaped object says (event_alert's data.event, or the legacy body with its event). */
function describeEvent(event: Json, legacy?: Json): Omit<Notification, 'key' | 'subject' | 'fields' | 'links'> {
  const metadata = record(event.metadata);
  const message = text(legacy?.message) ?? text(event.message);
  return {
    source: 'sentry',
    kind: 'open',
    title: titleOf(event.title, message, metadata),
    level: levelOf(text(legacy?.level) ?? text(event.level) ?? tagValue(event.tags, 'level')),
    excerpt: excerptOf(text(legacy?.culprit) ?? event.culprit, metadata, message),
    people: [],
    time: secondsFrom(event.timestamp) ?? secondsFrom(event.datetime) ?? nowSeconds(),
  };
}

function eventFields(event: Json, project: string | undefined): Field[] {
  const fields: Field[] = [];
  pushField(fields, 'project', project);
  pushField(fields, 'environment', text(event.environment) ?? tagValue(event.tags, 'environment'));
  pushField(fields, 'release', text(event.release) ?? tagValue(event.tags, 'release'));
  pushField(fields, 'host', tagValue(event.tags, 'server_name'));
  return fields;
}

/** title, else message, else `metadata.type: metadata.value` (exceptions have an empty message, §1.2). */
function titleOf(title: unknown, message: string | undefined, metadata: Json | undefined): string {
  const fromMetadata = [text(metadata?.type), text(metadata?.value)].filter((part) => part !== undefined).join(': ');
  return clip(text(title) ?? message ?? (fromMetadata || 'Sentry issue'), TITLE_MAX);
}

/** fatal P0, error P1, warning P2, info/debug P3; Sentry's missing level is an error (P1). */
function levelOf(level: unknown): Level {
  const word = text(level)?.toLowerCase();
  return word === 'fatal' || word === 'error' || word === 'warning' || word === 'info' || word === 'debug'
    ? (levelFromWord(word) ?? 'P1')
    : 'P1';
}

function excerptOf(culprit: unknown, metadata: Json | undefined, message: string | undefined): string {
  const lines = [text(culprit), text(metadata?.value) ?? message].filter((line) => line !== undefined);
  return clip(lines.join('\n'), EXCERPT_MAX);
}

function firstLink(...candidates: unknown[]): Notification['links'] {
  for (const candidate of candidates) {
    const url = httpUrl(candidate);
    if (url !== undefined) return [{ kind: 'sentry', url }];
  }
  return [];
}

/** A tag from `[key, value]` pairs (what Sentry sends), `{key, value}` objects, or a plain map. */
function tagValue(tags: unknown, name: string): string | undefined {
  if (!Array.isArray(tags)) return text(record(tags)?.[name]);
  for (const tag of tags) {
    if (Array.isArray(tag) && tag[0] === name) return text(tag[1]);
    const pair = record(tag);
    if (pair?.key === name) return text(pair.value);
  }
  return undefined;
}

/** The event's API url `…/api/0/projects/{org}/{project}/events/{id}/` names the project slug (§1.4). */
function projectSlugFromApiUrl(url: unknown): string | undefined {
  const match = /\/projects\/[^/]+\/([^/]+)\/events\//.exec(text(url) ?? '');
  return match?.[1];
}

/** `…/issues/{id}/` in the event's `issue_url` (API) or `web_url` (sample integration-event_alert-triggered.json). */
function issueIdFromUrl(url: unknown): string | undefined {
  return /\/issues\/(\d+)\//.exec(text(url) ?? '')?.[1];
}
