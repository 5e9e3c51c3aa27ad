/**
 * The four webhook endpoints: check the sender (token or signature: 401/403, nothing else happens), parse (400 not
 * JSON, 422 wrong shape), normalise, and enqueue under the notification's content key. The answer waits for Redis
 * only, never for Lark or Guance: Sentry unsubscribes receivers that take over 1 s.
 */
import type { Ctx } from '../../src/context.js';
import { bearerToken, checkToken, sentrySignatureValid, type AuthOutcome } from '../../src/http/webhook-auth.js';
import type { WebhookAnswer, WebhookRequest } from '../../src/http/webhook-routes.js';
import { jsonWithin, parseJson } from '../../src/json.js';
import { JOBS, jobIds } from '../../src/queue/jobs.js';
import type { Normalised } from '../../src/sources/notification.js';
import { normaliseErrorReport } from './error-api.js';
import { normaliseGuanceAlert } from './guance-alert.js';
import { takeHint } from './hint-jobs.js';
import { issueUuidsIn, topLevelKeys } from './push-hint.js';
import { normaliseSentry } from './sentry.js';

const JSON_BOUNDS = { maxDepth: 64, maxNodes: 200_000, maxStringLength: 1024 * 1024 };

const NOT_FOUND: WebhookAnswer = { status: 404, body: { error: 'not found' } };

function refused(outcome: Exclude<AuthOutcome, 'ok'>, what: string): WebhookAnswer {
  return outcome === 'missing' ? { status: 401, body: { error: `${what} required` } } : { status: 403, body: { error: `${what} does not match` } };
}

type Body = { kind: 'json'; value: unknown } | { kind: 'text'; text: string } | { kind: 'bad'; answer: WebhookAnswer };

/** JSON when it parses (whatever the content type: senders mislabel), else text when text is acceptable. */
function readBody(request: WebhookRequest, textAllowed: boolean): Body {
  const text = request.rawBody.toString('utf8');
  const value = parseJson(text);
  if (value !== undefined) {
    if (!jsonWithin(value, JSON_BOUNDS)) return { kind: 'bad', answer: { status: 413, body: { error: 'JSON nested or sized beyond limits' } } };
    return { kind: 'json', value };
  }
  if (textAllowed && text.trim() !== '' && request.contentType !== 'application/json') return { kind: 'text', text };
  return { kind: 'bad', answer: { status: 400, body: { error: 'body is not JSON' } } };
}

async function accept(ctx: Ctx, path: string, normalised: Normalised): Promise<WebhookAnswer> {
  if (!normalised.ok) {
    ctx.log.warn('webhook body refused', { path, status: normalised.status, reason: normalised.error });
    return { status: normalised.status, body: { error: normalised.error } };
  }
  const receivedAt = Date.now();
  for (const notification of normalised.notifications) {
    await ctx.queues.add(JOBS.ingestNotification, { notification, receivedAt }, jobIds.notification(notification.key));
  }
  if (normalised.ignored) ctx.log.info('webhook accepted without a card', { path, reason: normalised.ignored });
  return { status: 202, body: { accepted: normalised.notifications.length, ...(normalised.ignored ? { ignored: normalised.ignored } : {}) } };
}

export async function onGuanceAlert(request: WebhookRequest, ctx: Ctx): Promise<WebhookAnswer> {
  const expected = ctx.config.sources.guanceAlertToken;
  if (expected) {
    const auth = checkToken(expected, request.query.get('token') ?? undefined);
    if (auth !== 'ok') return refused(auth, 'token');
  }
  const body = readBody(request, true);
  if (body.kind === 'bad') return body.answer;
  const normalised = body.kind === 'json' ? normaliseGuanceAlert(body.value) : normaliseGuanceAlert(undefined, body.text);
  return accept(ctx, '/webhooks/guance-alert', normalised);
}

export async function onSentry(request: WebhookRequest, ctx: Ctx): Promise<WebhookAnswer> {
  const secret = ctx.config.sources.sentryClientSecret;
  // The legacy WebHooks plugin cannot sign: with a secret set, it is refused like any unsigned request.
  if (secret && !sentrySignatureValid(secret, request.rawBody, request.header('sentry-hook-signature'))) {
    return { status: 401, body: { error: 'Sentry-Hook-Signature missing or wrong' } };
  }
  const body = readBody(request, false);
  if (body.kind === 'bad') return body.answer;
  if (body.kind === 'text') return { status: 400, body: { error: 'body is not JSON' } };
  return accept(ctx, '/webhooks/sentry', normaliseSentry(body.value, request.header('sentry-hook-resource')));
}

export async function onErrorReport(request: WebhookRequest, ctx: Ctx): Promise<WebhookAnswer> {
  const expected = ctx.config.sources.errorApiToken;
  if (!expected) return NOT_FOUND;
  const auth = checkToken(expected, bearerToken(request.header('authorization')));
  if (auth !== 'ok') return { status: 401, body: { error: 'Authorization: Bearer <ERROR_API_TOKEN> required' } };
  const body = readBody(request, false);
  if (body.kind === 'bad') return body.answer;
  if (body.kind === 'text') return { status: 400, body: { error: 'body is not JSON' } };
  const now = Math.floor(Date.now() / 1000);
  const normalised = normaliseErrorReport(body.value, now, ctx.config.sources.dedupWindowSeconds);
  // Every report counts as an occurrence; a sender that retries can say which report it is, so a retry does not count twice.
  const retryKey = request.header('idempotency-key')?.trim();
  if (normalised.ok && retryKey && retryKey.length <= 128) {
    for (const notification of normalised.notifications) notification.key = `error-api:${notification.fingerprint ?? ''}:idem:${retryKey}`;
  }
  return accept(ctx, '/api/errors', normalised);
}

export async function onGuancePush(request: WebhookRequest, ctx: Ctx): Promise<WebhookAnswer> {
  const expected = ctx.config.sources.guanceWebhookToken;
  if (!expected) return NOT_FOUND;
  const auth = checkToken(expected, request.query.get('token') ?? undefined);
  if (auth !== 'ok') return refused(auth, 'token');
  const body = readBody(request, true);
  if (body.kind === 'bad' && body.answer.status === 413) return body.answer;
  const value = body.kind === 'json' ? body.value : undefined;
  const uuids = issueUuidsIn(value, request.rawBody.toString('utf8'));
  if (uuids.length === 0) {
    // The payload is undocumented: say what it looked like, so an operator can see the real shape.
    ctx.log.info('Guance push named no issue; nothing to check', { topLevelKeys: topLevelKeys(value), bytes: request.rawBody.length });
    ctx.metrics.inc('push_hints_total', { effect: 'none' });
    return { status: 202, body: { issues: 0 } };
  }
  const effect = await takeHint(ctx, uuids);
  ctx.log.info('Guance push hint taken', { issues: uuids.length, poll: effect.poll, checks: effect.checks });
  return { status: 202, body: { issues: uuids.length, poll: effect.poll, checks: effect.checks } };
}
