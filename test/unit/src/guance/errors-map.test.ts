/**
 * The Guance errors map is pure: every row is one answer (or transport failure) and the error it must
 * become. Wire facts: ../shared/reference/guance-openapi.md §1.3 (envelope) and §1.4 (codes).
 */
import { describe, expect, it } from 'vitest';
import { GuanceApiError, GuanceRateLimited, type GuanceErrorOutcome } from '../../../../src/errors.js';
import {
  effectiveStatus,
  guanceErrorFrom,
  guanceOutcomeOf,
  isGuanceNotFound,
  redactorFor,
  type GuanceEnvelopeFacts,
  type GuanceFailure,
} from '../../../../src/guance/errors-map.js';

const endpoint = 'issue/:uuid/get';

function envelope(fields: Partial<GuanceEnvelopeFacts>): GuanceEnvelopeFacts {
  return { code: undefined, errorCode: '', message: '', success: undefined, ...fields };
}

function answer(status: number, env?: Partial<GuanceEnvelopeFacts>, contentProblem?: string): GuanceFailure {
  return { kind: 'answer', endpoint, status, envelope: env === undefined ? undefined : envelope(env), contentProblem };
}

function connectionRefused(): Error {
  const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  return new TypeError('fetch failed', { cause });
}

interface Row {
  name: string;
  failure: GuanceFailure;
  outcome: GuanceErrorOutcome;
  retryable: boolean;
  httpStatus: number | undefined;
  errorCode: string;
  message: string | RegExp;
  rateLimited?: boolean;
}

/** The outcome, retryable flag, HTTP status and error code a row expects. */
function verdict(
  outcome: GuanceErrorOutcome,
  retryable: boolean,
  httpStatus: number | undefined,
  errorCode: string,
): Pick<Row, 'outcome' | 'retryable' | 'httpStatus' | 'errorCode'> {
  return { outcome, retryable, httpStatus, errorCode };
}

const rows: Row[] = [
  {
    name: '2xx without a JSON envelope',
    failure: answer(200),
    ...verdict('bad_response', false, 200, 'bad_response'),
    message: `Guance answered ${endpoint} with HTTP 200 but no JSON envelope`,
  },
  {
    name: '2xx whose content does not match the schema',
    failure: answer(200, { code: 200, success: true }, 'items.0.uuid: Invalid input'),
    ...verdict('bad_response', false, 200, 'bad_response'),
    message: `Guance answered ${endpoint} in an unexpected shape: items.0.uuid: Invalid input`,
  },
  {
    name: '401 ft.TriggerApiAkCurrentLimiting (per key)',
    failure: answer(401, { code: 401, errorCode: 'ft.TriggerApiAkCurrentLimiting', success: false }),
    ...verdict('rate_limited', true, 401, 'ft.TriggerApiAkCurrentLimiting'),
    message: 'Guance rate limit hit (ft.TriggerApiAkCurrentLimiting); paused 30 s',
    rateLimited: true,
  },
  {
    name: '401 ft.TriggerApiWorkspaceCurrentLimiting (per workspace)',
    failure: answer(401, { errorCode: 'ft.TriggerApiWorkspaceCurrentLimiting' }),
    ...verdict('rate_limited', true, 401, 'ft.TriggerApiWorkspaceCurrentLimiting'),
    message: /^Guance rate limit hit/,
    rateLimited: true,
  },
  {
    name: '429 without an envelope',
    failure: answer(429),
    ...verdict('rate_limited', true, 401, 'rate_limited'),
    message: 'Guance rate limit hit; paused 30 s',
    rateLimited: true,
  },
  {
    name: '2xx success:false with the rate-limit code',
    failure: answer(200, { code: 401, errorCode: 'ft.TriggerApiAkCurrentLimiting', success: false }),
    ...verdict('rate_limited', true, 401, 'ft.TriggerApiAkCurrentLimiting'),
    message: /^Guance rate limit hit/,
    rateLimited: true,
  },
  {
    name: '403 ft.InvalidAPIKey',
    failure: answer(403, { code: 403, errorCode: 'ft.InvalidAPIKey', message: 'invalid key', success: false }),
    ...verdict('auth', false, 403, 'ft.InvalidAPIKey'),
    message: 'invalid key',
  },
  {
    name: '401 without a limiter code',
    failure: answer(401),
    ...verdict('auth', false, 401, 'auth'),
    message: 'Guance refused the API key or the permission (HTTP 401)',
  },
  {
    name: '2xx success:false with code 403',
    failure: answer(200, { code: 403, errorCode: 'ft.NoPermission', message: 'nope', success: false }),
    ...verdict('auth', false, 403, 'ft.NoPermission'),
    message: 'nope',
  },
  {
    name: '404 with Guance’s message',
    failure: answer(404, { code: 404, errorCode: 'ft.IssueNotFound', message: 'no such issue', success: false }),
    ...verdict('not_found', false, 404, 'ft.IssueNotFound'),
    message: 'no such issue',
  },
  {
    name: '404 without an envelope',
    failure: answer(404),
    ...verdict('not_found', false, 404, 'not_found'),
    message: `Not found (${endpoint})`,
  },
  {
    name: '500',
    failure: answer(500, { code: 500, errorCode: 'ft.InternalError', message: 'boom', success: false }),
    ...verdict('server_error', true, 500, 'ft.InternalError'),
    message: 'Guance server error (HTTP 500): boom',
  },
  {
    name: '502 from a gateway (no envelope)',
    failure: answer(502),
    ...verdict('server_error', true, 502, 'server_error'),
    message: 'Guance server error (HTTP 502)',
  },
  {
    name: '408',
    failure: answer(408),
    ...verdict('server_error', true, 408, 'server_error'),
    message: 'Guance server error (HTTP 408)',
  },
  {
    name: '400 ft.ParamError keeps Guance’s message',
    failure: answer(400, { code: 400, errorCode: 'ft.ParamError', message: 'Invalid statusType 15', success: false }),
    ...verdict('refused', false, 400, 'ft.ParamError'),
    message: 'Invalid statusType 15',
  },
  {
    name: '422 without a message',
    failure: answer(422),
    ...verdict('refused', false, 422, 'refused'),
    message: 'Guance refused the request (HTTP 422)',
  },
  {
    name: '2xx success:false without an error code ≥ 400',
    failure: answer(200, { code: 200, message: 'not allowed in this state', success: false }),
    ...verdict('refused', false, 200, 'refused'),
    message: 'not allowed in this state',
  },
  {
    name: 'timeout (AbortSignal.timeout)',
    failure: { kind: 'transport', endpoint, error: new DOMException('aborted due to timeout', 'TimeoutError'), timeoutMs: 150 },
    ...verdict('timeout', true, undefined, 'timeout'),
    message: 'Guance did not answer within 150 ms',
  },
  {
    name: 'refused connection',
    failure: { kind: 'transport', endpoint, error: connectionRefused(), timeoutMs: 150 },
    ...verdict('network', true, undefined, 'network'),
    message: 'Guance unreachable: fetch failed (ECONNREFUSED)',
  },
  {
    name: 'a thrown non-Error',
    failure: { kind: 'transport', endpoint, error: 'socket closed', timeoutMs: 150 },
    ...verdict('network', true, undefined, 'network'),
    message: 'Guance unreachable: socket closed',
  },
];

describe('guanceErrorFrom', () => {
  it.each(rows)('$name → $outcome', (row) => {
    expect(guanceOutcomeOf(row.failure)).toBe(row.outcome);
    const error = guanceErrorFrom(row.failure, { pausedMs: 30_000 });
    expect(error).toBeInstanceOf(GuanceApiError);
    expect(error.outcome).toBe(row.outcome);
    expect(error.retryable).toBe(row.retryable);
    expect(error.httpStatus).toBe(row.httpStatus);
    expect(error.errorCode).toBe(row.errorCode);
    if (typeof row.message === 'string') expect(error.message).toBe(row.message);
    else expect(error.message).toMatch(row.message);
    expect(error instanceof GuanceRateLimited).toBe(row.rateLimited === true);
    if (error instanceof GuanceRateLimited) expect(error.retryAfterMs).toBe(30_000);
    expect(isGuanceNotFound(error)).toBe(row.outcome === 'not_found');
  });

  it('keeps the transport error as the cause', () => {
    const cause = connectionRefused();
    expect(guanceErrorFrom({ kind: 'transport', endpoint, error: cause, timeoutMs: 1 }).cause).toBe(cause);
  });

  it('a rate limit without a known pause retries at once rather than never', () => {
    const error = guanceErrorFrom(answer(429));
    expect(error).toBeInstanceOf(GuanceRateLimited);
    expect((error as GuanceRateLimited).retryAfterMs).toBe(0);
  });

  it('redacts the key from every text that came from outside', () => {
    const key = 'wsak_0123456789abcdef';
    const redact = redactorFor(key);
    const texts = [
      guanceErrorFrom(answer(500, { message: `echo ${key}`, success: false }), { redact }).message,
      guanceErrorFrom(answer(400, { message: `bad key ${key}`, success: false }), { redact }).message,
      guanceErrorFrom(answer(403, { message: key, success: false }), { redact }).message,
      guanceErrorFrom({ kind: 'transport', endpoint, error: new Error(`no route for ${key}`), timeoutMs: 1 }, { redact }).message,
    ];
    for (const text of texts) {
      expect(text).not.toContain(key);
      expect(text).toContain('[redacted]');
    }
  });

  it('does not redact secrets too short to matter', () => {
    expect(redactorFor('abc')('abc abc')).toBe('abc abc');
  });
});

describe('effectiveStatus', () => {
  it.each([
    { name: 'plain HTTP error', failure: answer(502), status: 502 },
    { name: '2xx success:false uses the envelope code', failure: answer(200, { code: 404, success: false }), status: 404 },
    { name: '2xx success:false with a code < 400 keeps the HTTP status', failure: answer(200, { code: 200, success: false }), status: 200 },
    { name: '2xx success:true ignores the envelope code', failure: answer(200, { code: 500, success: true }, 'bad'), status: 200 },
    { name: 'non-2xx ignores the envelope code', failure: answer(500, { code: 404, success: false }), status: 500 },
  ])('$name', ({ failure, status }) => {
    if (failure.kind !== 'answer') throw new Error('answer rows only');
    expect(effectiveStatus(failure)).toBe(status);
  });
});

describe('isGuanceNotFound', () => {
  it('goes by the typed outcome, not by look-alikes', () => {
    expect(isGuanceNotFound(new GuanceApiError('gone', 'ft.IssueNotFound', 404, false, { outcome: 'not_found' }))).toBe(true);
    expect(isGuanceNotFound({ httpStatus: 404, outcome: 'not_found' })).toBe(false);
    expect(isGuanceNotFound(new Error('not found'))).toBe(false);
    expect(isGuanceNotFound(undefined)).toBe(false);
  });
});

describe('GuanceRateLimited outcome', () => {
  it('says whether our budget or Guance refused', () => {
    expect(new GuanceRateLimited('budget spent', 'budget', 1_000).outcome).toBe('budget');
    expect(new GuanceRateLimited('busy', 'rate_limited', 1_000).outcome).toBe('rate_limited');
    expect(new GuanceRateLimited('spent', 'budget', 1_000, 'budget').retryable).toBe(true);
  });
});
