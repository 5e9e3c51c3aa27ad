import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { notificationSchema, type Normalised, type Notification } from '../../../../handlers/sources/model.js';
import { normaliseSentry } from '../../../../handlers/sources/sentry.js';

/*
 * Fixtures in test/fixtures/sentry/ are verbatim copies of ../shared/reference/samples/sentry/ (SOURCE.md):
 * - integration-issue-created.docs.json: sentry-docs issues.mdx example (issue.created, no web_url).
 * - integration-issue-resolved.json / integration-issue-assigned-team.json: zulip captures (actor is a user).
 * - integration-event_alert-triggered.json: zulip capture of event_alert.triggered (2020: no issue_id field).
 * - legacy-webhooks-plugin-python-exception.json: zulip capture of the legacy WebHooks plugin body.
 * - issue-created-signature-vector.CONSTRUCTED.json: raw bodies as Sentry sends them (\uXXXX for Chinese).
 * The metric_alert body below is the payload example of sentry-docs webhooks/metric-alerts.mdx.
 */
type Json = Record<string, unknown>;
const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../../../fixtures/sentry/${name}`, import.meta.url), 'utf8')) as Json;

function only(result: Normalised): Notification {
  if (!result.ok) throw new Error(`expected ok, got ${result.status} ${result.error}`);
  expect(result.notifications).toHaveLength(1);
  const notification = result.notifications[0] as Notification;
  expect(notificationSchema.parse(notification)).toEqual(notification);
  return notification;
}

/** The fixture with `action` replaced and `data.issue` fields merged. */
function issueBody(name: string, action: string, issue: Json = {}): Json {
  const body = fixture(name);
  const data = body.data as Json;
  return { ...body, action, data: { ...data, issue: { ...(data.issue as Json), ...issue } } };
}

const metricAlert = (action: string): Json => ({
  action,
  actor: { id: 'sentry', name: 'Sentry', type: 'application' },
  data: {
    description_text: '1000 events in the last 10 minutes\\nFilter: level:error',
    description_title: 'Resolved: Too many errors',
    metric_alert: {
      alert_rule: { environment: null, id: '7', name: 'Too many errors', projects: ['bar'] },
      date_closed: null,
      date_created: '2020-09-13T12:26:40.000000Z',
      date_detected: '2020-09-13T12:26:40.000000Z',
      date_started: '2020-09-13T12:26:40.000000Z',
      id: '4',
      projects: ['bar'],
      title: 'Sacred Marmot',
    },
    web_url: 'https://sentry.io/organizations/baz/alerts/1/',
  },
  installation: { uuid: 'a8e5d37a-696c-4c54-adb5-b3f28d64c7de' },
});

describe('normaliseSentry: issue resource', () => {
  it('created (docs sample) opens a card keyed on the issue', () => {
    const n = only(normaliseSentry(fixture('integration-issue-created.docs.json'), 'issue'));
    expect(n).toMatchObject({
      source: 'sentry',
      key: 'sentry:issue:1170820242:created',
      subject: 'sentry:issue:1170820242',
      kind: 'open',
      title: 'ReferenceError: blooopy is not defined',
      level: 'P1',
      excerpt: '?(runner)\nblooopy is not defined',
      links: [],
      people: [],
      time: Math.floor(Date.parse('2019-08-19T20:58:37.391Z') / 1000),
    });
    expect(n.fields).toEqual([
      { name: 'project', value: 'front-end' },
      { name: 'count', value: '1' },
      { name: 'shortId', value: 'FRONT-END-9' },
    ]);
    expect(n.actor).toBeUndefined(); // actor.type application
  });

  it('links web_url (current Sentry adds it), else permalink, http(s) only', () => {
    const withUrl = issueBody('integration-issue-created.docs.json', 'created', { web_url: 'https://sentry.io/issues/1170820242/' });
    expect(only(normaliseSentry(withUrl, 'issue')).links).toEqual([{ kind: 'sentry', url: 'https://sentry.io/issues/1170820242/' }]);
    const permalink = issueBody('integration-issue-created.docs.json', 'created', { web_url: 'ftp://x', permalink: 'https://p/1' });
    expect(only(normaliseSentry(permalink, 'issue')).links).toEqual([{ kind: 'sentry', url: 'https://p/1' }]);
  });

  it('parses the \\uXXXX body as sent', () => {
    const vector = fixture('issue-created-signature-vector.CONSTRUCTED.json');
    const raw = (vector.vector_non_ascii as Json).raw_body as string;
    expect(raw).toContain('\\u53d8\\u91cf');
    const n = only(normaliseSentry(JSON.parse(raw), 'issue'));
    expect(n.title).toBe('ReferenceError: 变量 blooopy 未定义');
  });

  it('resolved resolves, names the user actor, and keys on lastSeen', () => {
    const n = only(normaliseSentry(fixture('integration-issue-resolved.json'), 'issue'));
    expect(n).toMatchObject({
      kind: 'resolve',
      key: 'sentry:issue:1638821441:resolved:2020-04-30T05:54:15.092476Z',
      subject: 'sentry:issue:1638821441',
      actor: 'Sample User',
      title: 'Exception: program has entered an invalid state.',
    });
  });

  it('unresolved reopens; a second resolve after a regression is a new key', () => {
    const reopen = only(normaliseSentry(issueBody('integration-issue-resolved.json', 'unresolved', { lastSeen: '2020-05-01T00:00:00Z' }), 'issue'));
    expect(reopen).toMatchObject({ kind: 'reopen', subject: 'sentry:issue:1638821441' });
    const first = only(normaliseSentry(fixture('integration-issue-resolved.json'), 'issue'));
    const second = only(normaliseSentry(issueBody('integration-issue-resolved.json', 'resolved', { lastSeen: '2020-05-01T00:00:00Z' }), 'issue'));
    expect(second.key).not.toBe(first.key);
    expect(only(normaliseSentry(fixture('integration-issue-resolved.json'), 'issue')).key).toBe(first.key);
  });

  it('assigned updates with the assignee; a user e-mail goes to people', () => {
    const team = only(normaliseSentry(fixture('integration-issue-assigned-team.json'), 'issue'));
    expect(team).toMatchObject({ kind: 'update', assignee: 'sample-user', people: [], actor: 'Sample User' });
    const body = fixture('integration-issue-assigned-team.json');
    const user = { ...body, data: { ...(body.data as Json), assignee: { type: 'user', id: 9, name: 'Ann', email: 'Ann@Example.com' } } };
    const n = only(normaliseSentry(user, 'issue'));
    expect(n).toMatchObject({ kind: 'update', assignee: 'Ann', people: ['ann@example.com'] });
    expect(n.key).not.toBe(team.key);
  });

  it.each(['ignored', 'archived'])('%s updates the card', (action) => {
    expect(only(normaliseSentry(issueBody('integration-issue-resolved.json', action), 'issue')).kind).toBe('update');
  });

  it('infers the resource when the header is missing', () => {
    expect(only(normaliseSentry(fixture('integration-issue-created.docs.json'), undefined)).kind).toBe('open');
    expect(only(normaliseSentry(fixture('integration-event_alert-triggered.json'), '')).key).toMatch(/^sentry:event:/);
    expect(only(normaliseSentry(metricAlert('critical'), undefined)).subject).toBe('sentry:metric:4');
  });
});

describe('normaliseSentry: event_alert, metric_alert, legacy', () => {
  it('event_alert.triggered opens on the issue subject, with project from the API url and host from tags', () => {
    const n = only(normaliseSentry(fixture('integration-event_alert-triggered.json'), 'event_alert'));
    expect(n).toMatchObject({
      key: 'sentry:event:599349254a1447a99774b5310711c1a8',
      subject: 'sentry:issue:1635244907',
      kind: 'open',
      title: 'Exception: Custom exception!',
      level: 'P1',
      excerpt: '__main__ in <module>\nCustom exception!',
      time: 1588082165,
      links: [
        {
          kind: 'sentry',
          url: 'https://sentry.io/organizations/sample-organization/issues/1635244907/events/599349254a1447a99774b5310711c1a8/',
        },
      ],
    });
    expect(n.fields).toEqual([
      { name: 'project', value: 'zulip-integration-testing' },
      { name: 'host', value: 'hp-pavilion' },
    ]);
    expect(n.actor).toBeUndefined();
  });

  it('event_alert prefers issue_id; environment and release come from {key,value} tags too', () => {
    const body = fixture('integration-event_alert-triggered.json');
    const tags = [
      { key: 'environment', value: 'prod' },
      { key: 'release', value: 'v1.2' },
    ];
    const event = { ...((body.data as Json).event as Json), issue_id: '77', level: 'warning', tags };
    const n = only(normaliseSentry({ ...body, data: { event } }, 'event_alert'));
    expect(n).toMatchObject({ subject: 'sentry:issue:77', level: 'P2' });
    expect(n.fields).toEqual([
      { name: 'project', value: 'zulip-integration-testing' },
      { name: 'environment', value: 'prod' },
      { name: 'release', value: 'v1.2' },
    ]);
  });

  it('metric_alert: critical P1 and warning P2 open, resolved resolves, on one subject', () => {
    const critical = only(normaliseSentry(metricAlert('critical'), 'metric_alert'));
    expect(critical).toMatchObject({
      key: 'sentry:metric:4:critical:2020-09-13T12:26:40.000000Z',
      subject: 'sentry:metric:4',
      kind: 'open',
      level: 'P1',
      title: 'Resolved: Too many errors',
      excerpt: '1000 events in the last 10 minutes\\nFilter: level:error',
      links: [{ kind: 'sentry', url: 'https://sentry.io/organizations/baz/alerts/1/' }],
      fields: [{ name: 'project', value: 'bar' }],
      time: Date.parse('2020-09-13T12:26:40Z') / 1000,
    });
    expect(only(normaliseSentry(metricAlert('warning'), 'metric_alert'))).toMatchObject({ kind: 'open', level: 'P2' });
    expect(only(normaliseSentry(metricAlert('resolved'), 'metric_alert'))).toMatchObject({
      kind: 'resolve',
      subject: 'sentry:metric:4',
      key: 'sentry:metric:4:resolved:2020-09-13T12:26:40.000000Z',
    });
  });

  it('legacy plugin body opens a card on the issue, keyed on the event', () => {
    const n = only(normaliseSentry(fixture('legacy-webhooks-plugin-python-exception.json'), undefined));
    expect(n).toMatchObject({
      key: 'sentry:legacy:c916dccfd58e41dcabaebef0091f0736',
      subject: 'sentry:issue:1972208801',
      kind: 'open',
      title: 'ValueError: new sentry error.',
      level: 'P1',
      excerpt: '__main__ in <module>\nnew sentry error.',
      time: 1603322711,
      links: [{ kind: 'sentry', url: 'https://sentry.io/organizations/bar-foundation/issues/1972208801/?referrer=webhooks_plugin' }],
      fields: [
        { name: 'project', value: 'foo-live' },
        { name: 'host', value: 'enterprise' },
      ],
    });
  });

  it.each([
    ['fatal', 'P0'],
    ['error', 'P1'],
    ['warning', 'P2'],
    ['info', 'P3'],
    ['debug', 'P3'],
    [null, 'P1'],
    ['weird', 'P1'],
  ])('level %s is %s', (level, expected) => {
    const body: Json = { ...fixture('legacy-webhooks-plugin-python-exception.json'), level };
    const event = { ...(body.event as Json), level: undefined, tags: [] };
    expect(only(normaliseSentry({ ...body, event }, undefined)).level).toBe(expected);
  });

  it('legacy title falls back to message, then metadata', () => {
    const body = fixture('legacy-webhooks-plugin-python-exception.json');
    const event = { ...(body.event as Json), title: undefined };
    expect(only(normaliseSentry({ ...body, event }, undefined)).title).toBe('ValueError: new sentry error.');
    expect(only(normaliseSentry({ ...body, message: 'boom', event }, undefined)).title).toBe('boom');
  });
});

describe('normaliseSentry: ignored and refused', () => {
  it.each(['installation', 'comment', 'error', 'seer'])('resource %s is not carded', (resource) => {
    expect(normaliseSentry({ action: 'created', data: {} }, resource)).toEqual({
      ok: true,
      notifications: [],
      ignored: `sentry resource ${resource} is not carded`,
    });
  });

  it('actions without a card are ignored, not refused', () => {
    expect(normaliseSentry(issueBody('integration-issue-resolved.json', 'deleted'), 'issue')).toMatchObject({ ok: true, notifications: [] });
    expect(normaliseSentry({ action: 'created', data: { installation: {} } }, undefined)).toMatchObject({ ok: true, notifications: [] });
    for (const action of ['constructor', '__proto__', 'toString']) {
      expect(normaliseSentry(issueBody('integration-issue-resolved.json', action), 'issue')).toMatchObject({ ok: true, notifications: [] });
      expect(normaliseSentry({ ...metricAlert('critical'), action }, 'metric_alert')).toMatchObject({ ok: true, notifications: [] });
    }
  });

  it('answers 422 naming the missing field', () => {
    expect(normaliseSentry({ action: 'created', data: { issue: { title: 'x' } } }, 'issue')).toEqual({
      ok: false,
      status: 422,
      error: 'data.issue.id is required',
    });
    expect(normaliseSentry({ action: 'triggered', data: { event: {} } }, 'event_alert')).toMatchObject({
      status: 422,
      error: 'data.event.event_id is required',
    });
    expect(normaliseSentry({ action: 'critical', data: {} }, 'metric_alert')).toMatchObject({
      status: 422,
      error: 'data.metric_alert.id is required',
    });
    expect(normaliseSentry({ data: { issue: { id: '1' } } }, 'issue')).toMatchObject({ status: 422, error: 'action is required' });
    expect(normaliseSentry({ action: 'created' }, 'issue')).toMatchObject({ status: 422, error: 'data is required' });
    expect(normaliseSentry({ project: 'p', url: 'https://x' }, undefined)).toMatchObject({ status: 422, error: 'id is required' });
    expect(normaliseSentry({}, undefined)).toMatchObject({ status: 422 });
  });

  it('answers 400 to a body that is not an object', () => {
    expect(normaliseSentry('text', 'issue')).toEqual({ ok: false, status: 400, error: 'body must be a JSON object' });
    expect(normaliseSentry([], undefined)).toMatchObject({ status: 400 });
  });
});
