/**
 * The "other sources" buttons: a sample Sentry issue, Guance monitor alert or error report, POSTed to the bot's
 * real webhooks exactly as those services would (Sentry's HMAC signature, the alert's ?token=, the error API's
 * bearer token). The bodies are the test fixtures (copies of the published samples), with a fresh id per press:
 * the bot de-duplicates the same error within DEDUP_WINDOW_SECONDS, and the demo should show a new card each time.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

export type SourceKind = 'sentry' | 'alert' | 'error';

export interface SourceSecrets {
  sentryClientSecret: string;
  alertToken: string;
  errorApiToken: string;
  /** GUANCE_WEBHOOK_TOKEN: what the demo Guance's "notification strategy" sends with its push hints. */
  guanceWebhookToken: string;
  /** E-mails the alert names (Guance's df_at_accounts): the bot urgently notifies them. */
  alertPeople: string[];
}

export interface SourceRequest {
  path: string;
  body: string;
  headers: Record<string, string>;
}

const fixture = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../test/fixtures/${path}`, import.meta.url), 'utf8')) as Record<string, unknown>;

const asRecord = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' ? (value as Record<string, unknown>) : {});

/** The request one press of the `kind` button sends; `n` makes its ids and title unique. */
export function sourceRequest(kind: SourceKind, n: number, secrets: SourceSecrets): SourceRequest {
  const json = { 'content-type': 'application/json' };
  if (kind === 'sentry') {
    const sample = fixture('sentry/integration-issue-created.docs.json');
    const data = asRecord(sample.data);
    const issue = asRecord(data.issue);
    const id = String(Number(issue.id ?? 1170820242) + n);
    const body = JSON.stringify({ ...sample, data: { ...data, issue: { ...issue, id, shortId: `FRONT-END-${n}`, title: `ReferenceError: blooopy #${n} is not defined` } } });
    const signature = createHmac('sha256', secrets.sentryClientSecret).update(body).digest('hex');
    return {
      path: '/webhooks/sentry',
      body,
      headers: { ...json, 'Sentry-Hook-Resource': 'issue', 'Sentry-Hook-Timestamp': String(Math.floor(Date.now() / 1000)), 'Request-ID': `demo-${n}-${Date.now()}`, 'Sentry-Hook-Signature': signature },
    };
  }
  if (kind === 'alert') {
    const sample = fixture('guance/alert-webhook-custom-payload.json');
    const now = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({
      ...sample,
      df_event_id: `event-demo-${n}-${Date.now()}`,
      df_monitor_checker_event_ref: `demo${n}${Date.now()}`,
      df_title: `Disk usage on share-${n} is too high`,
      df_at_accounts: secrets.alertPeople,
      date: now,
      timestamp: now,
    });
    return { path: `/webhooks/guance-alert?token=${encodeURIComponent(secrets.alertToken)}`, body, headers: json };
  }
  const body = JSON.stringify({
    service: 'checkout',
    message: `TypeError: cannot read properties of undefined (reading 'total') #${n}`,
    level: 'P1',
    fingerprint: `demo-error-${n}-${Date.now()}`,
    environment: 'demo',
  });
  return { path: '/api/errors', body, headers: { ...json, authorization: `Bearer ${secrets.errorApiToken}` } };
}

/**
 * A push hint as a Guance notification strategy would send it (`POST /webhooks/guance-issue?token=`): the bot checks
 * the named issues at once instead of at their next sync turn (20–30 s for a followed issue).
 */
export function pushHintRequest(issueUuids: string[], event: string, secrets: SourceSecrets): SourceRequest {
  return {
    path: `/webhooks/guance-issue?token=${encodeURIComponent(secrets.guanceWebhookToken)}`,
    body: JSON.stringify({ event, issues: issueUuids.map((uuid) => ({ issueUUID: uuid })) }),
    headers: { 'content-type': 'application/json' },
  };
}
