/**
 * HTTP fake of the Guance (观测云) OpenAPI, exception-tracking part, for tests and the demo.
 *
 * Listens on 127.0.0.1 (port 0 by default) and speaks the wire format of
 * `shared/reference/guance-openapi.md` §1–2 and `samples/guance/`:
 * envelope `{code, content, errorCode, message, success, traceId}` (+ top-level `pageInfo` on the
 * reply list), `DF-API-KEY` auth (403 `ft.InvalidAPIKey`), and the real per-key limit of
 * 20 requests per rolling minute answered with HTTP **401** `ft.TriggerApiAkCurrentLimiting`.
 *
 * Endpoints (all under /api/v1):
 *   GET    channel/quick_list                 every channel, deleted ones included (real `deleteAt`)
 *   POST   channel/add, channel/{uuid}/delete
 *   POST   issue/list                         content: {data, pageInfo}; newest createAt first
 *   POST   issue/add                          creator = the API key
 *   GET    issue/{uuid}/get                   + levelInfo, bindChannels, managerInfos, attachments, declaration
 *   POST   issue/{uuid}/modify                statusType checked against the status model
 *   POST   issue/reply/create                 creator = the API key; `extend` required and kept
 *   GET    issue/reply/{issue_uuid}/list      content: Reply[], top-level pageInfo
 *   POST   issue/reply/{reply_uuid}/modify
 *   DELETE issue/reply/{reply_uuid}/delete
 *   GET    issue-level/list                   system_level_0..3 (P0..P3) + one custom `issl_…`
 *
 * Every request is recorded (`requests`) before anything else happens, then: injected faults
 * (`failNext`, in order) answer in place of the whole server, then auth, then the rate limiter,
 * then the body is parsed and routed. Latency (`setLatency`) delays every matching answer,
 * faults and errors included.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import type { RecordedRequest } from './recorded-request.js';
import {
  DEFAULT_CHANNEL_UUID,
  GuanceFakeError,
  GuanceFakeState,
  MAX_REPLY_CONTENT,
  type Channel,
  type Issue,
  type IssueListQuery,
  type IssuePatch,
  type PageInfo,
  type Reply,
  type ReplyOrdering,
} from './guance-fake-state.js';

export {
  CUSTOM_LEVEL_UUID,
  DEFAULT_CHANNEL_NAME,
  DEFAULT_CHANNEL_UUID,
  DEFAULT_LEVEL,
  STATUS,
  STATUS_MODELS,
  GuanceFakeError,
} from './guance-fake-state.js';
export type {
  Attachment,
  Channel,
  Issue,
  IssueDetail,
  IssueLevel,
  ManagerInfo,
  PageInfo,
  Reply,
  ReplyWritten,
  UserInfo,
} from './guance-fake-state.js';

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

export interface GuanceRecordedRequest extends RecordedRequest {
  /** `errorCode` of the envelope answered (`''` on success). */
  errorCode: string;
  /** True when answered 401 `ft.TriggerApiAkCurrentLimiting` (real limiter or injected). */
  rateLimited: boolean;
}

export type GuanceFault =
  | { kind: 'status'; status: number; errorCode?: string; message?: string }
  | { kind: 'rateLimited' }
  | { kind: 'drop' };

export interface GuanceFakeOptions {
  port?: number;
  /** The key id clients must send as `DF-API-KEY`; also the `creator` of what the API writes. */
  apiKey?: string;
  /** Display name of the API key (`creatorInfo.name`). Default `Fake API Key`. */
  apiKeyName?: string;
  /** Name of the member who acts "in the UI" when a helper gets no name. Default `Guance User`. */
  personName?: string;
  workspaceUUID?: string;
  /** Per key, rolling 60 s window. Default 20 (the real limit). */
  requestsPerMinute?: number;
  /**
   * Whether answers of the limiter itself (HTTP 401 `ft.TriggerApiAkCurrentLimiting`) count as
   * requests in the window. Default true: the real limiter counts every request it sees, so a
   * client that keeps hammering while limited stays limited; it has to actually back off.
   */
  countRejected?: boolean;
  /** 5 = accepts 10,15,20,25,30; 3 = only 10,20,30 (15/25 refused). Default 5. */
  statusModel?: 5 | 3;
  /** Which field issue/list `startTime`/`endTime` filter on. Default `createAt`. */
  windowField?: 'createAt' | 'updateAt';
  /** ms clock, default `Date.now`. Drives timestamps and the rate-limit window. */
  now?: () => number;
  /** Keep fractions of a second in generated timestamps (the real service sometimes sends floats). */
  fractionalTimestamps?: boolean;
  /** Largest accepted body. Default `2mb`; larger bodies get 413. */
  bodyLimit?: string;
}

export interface GuanceFake {
  /** Base URL, e.g. `http://127.0.0.1:41234` (paths start with `/api/v1`). */
  url: string;
  apiKey: string;
  workspaceUUID: string;
  /** The "All" channel (`name: "default"`), holding every issue. */
  defaultChannelUUID: string;
  requests: GuanceRecordedRequest[];
  /** Recorded requests whose `"METHOD path"` contains / matches `match`. */
  requestsMatching(match: string | RegExp): GuanceRecordedRequest[];
  /**
   * Largest number of requests (rate-limited ones included, as the real server counts them) seen
   * in any rolling 60 s window for the key. Counts every request that carried the right key,
   * whatever its answer (faults and drops too); requests with a wrong key are not counted.
   */
  maxRequestsPerMinute(): number;
  /** As a person in the UI: creator `acnt_…`; not an HTTP request, not counted. */
  createIssue(input: {
    name: string;
    /** Level uuid, level name (`P0`…`P3`, `custom-1`) or legacy integer. Default `system_level_3`. */
    level?: string | number;
    description?: string;
    resource?: string;
    /** Channel names (or `chan_…` uuids); unknown names are created. */
    channels?: string[];
    statusType?: number;
    /** `acnt_…`, `group_…`, e-mails, or person names (mapped to stable `acnt_…` ids). */
    manager?: string[];
    /** Unix seconds. */
    createAt?: number;
    /** Person who creates it. */
    creatorName?: string;
  }): Issue;
  /** As a person (creator `acnt_…` derived from `authorName`). Bumps the issue's `updateAt`. */
  addReply(issueUuid: string, input: { content: string; authorName?: string; type?: 'reply' | 'change'; createAt?: number }): Reply;
  /** As a person in the UI: updates statusType/updateAt/updator and appends a `type: "change"` entry. */
  setStatus(issueUuid: string, statusType: number, byName?: string): void;
  addChannel(name: string): Channel;
  /** Soft delete: stays in quick_list with a real `deleteAt`. */
  deleteChannel(uuid: string): void;
  channels(): Channel[];
  issue(uuid: string): Issue | undefined;
  /** Every live issue, newest first. */
  issues(): Issue[];
  /** Live replies (and change entries), oldest first. */
  repliesOf(uuid: string): Reply[];
  /** The next `times` requests whose `"METHOD path"` contains / matches `match` get `fault`. */
  failNext(match: string | RegExp, fault: GuanceFault, times?: number): void;
  /** Drops faults not yet used. */
  clearFaults(): void;
  /** Delay answers to matching requests (all requests without `match`); the latest matching setting wins; 0 clears. */
  setLatency(ms: number, match?: string | RegExp): void;
  /** Switch the status model at runtime. */
  setStatusModel(model: 5 | 3): void;
  /** Forget issues, replies, added channels, recorded requests, the rate window, faults and latency. */
  reset(): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Wire helpers
// ---------------------------------------------------------------------------------------------

interface Envelope {
  code: number;
  content: unknown;
  errorCode: string;
  message: string;
  pageInfo?: PageInfo;
  success: boolean;
  traceId: string;
}

interface Answer {
  status: number;
  body: Envelope;
}

const RATE_LIMIT_CODE = 'ft.TriggerApiAkCurrentLimiting';
const WINDOW_MS = 60_000;

const traceId = (): string => `TRACE-${randomUUID().toUpperCase()}`;

function ok(content: unknown, pageInfo?: PageInfo): Answer {
  return {
    status: 200,
    body: {
      code: 200,
      content,
      errorCode: '',
      message: '',
      ...(pageInfo !== undefined ? { pageInfo } : {}),
      success: true,
      traceId: traceId(),
    },
  };
}

function fail(status: number, errorCode: string, message: string): Answer {
  return { status, body: { code: status, content: null, errorCode, message, success: false, traceId: traceId() } };
}

function rateLimitedAnswer(limit: number): Answer {
  return fail(401, RATE_LIMIT_CODE, `API Key 请求频率超出限制（${limit} 次/分钟），请稍后重试`);
}

function describeZod(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`).join('; ');
}

function parseWith<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new GuanceFakeError(400, 'ft.ParamError', describeZod(result.error));
  return result.data;
}

const matches = (match: string | RegExp, subject: string): boolean => {
  if (typeof match === 'string') return subject.includes(match);
  match.lastIndex = 0;
  return match.test(subject);
};

// ---------------------------------------------------------------------------------------------
// Request schemas (numbers may arrive as numeric strings; unknown keys are ignored)
// ---------------------------------------------------------------------------------------------

const intLike = z.union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number)]);
const numLike = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);
const pageIndexSchema = intLike.pipe(z.number().min(1, 'pageIndex starts at 1'));
const pageSizeSchema = intLike.pipe(z.number().min(1).max(100, 'pageSize must be at most 100'));
const record = z.record(z.string(), z.unknown());
const levelSchema = z.union([z.string(), z.number()]);
const DEFAULT_PAGE_SIZE = 10;

const issueListBody = z.object({
  channelUUID: z.string().min(1).optional(),
  startTime: numLike.nullish(),
  endTime: numLike.nullish(),
  search: z.string().nullish(),
  filters: z
    .array(
      z.object({
        key: z.enum(['statusType', 'level', 'resource', 'creator', 'updator']),
        value: z.union([z.string(), z.number(), z.boolean()]),
        equal: z.boolean().optional(),
      }),
    )
    .nullish(),
  pageIndex: pageIndexSchema.optional(),
  pageSize: pageSizeSchema.optional(),
});

const issueAddBody = z.object({
  name: z.string().min(1).max(256),
  level: levelSchema,
  description: z.string(),
  extend: record,
  attachmentUuids: z.array(z.string()).optional(),
  resourceType: z.string().optional(),
  resourceUUID: z.string().optional(),
  resource: z.string().optional(),
  channelUUIDs: z.array(z.string()).optional(),
  statusType: intLike.optional(),
});

const issueModifyBody = z.object({
  name: z.string().optional(),
  level: levelSchema.optional(),
  description: z.string().optional(),
  statusType: intLike.optional(),
  extend: record.optional(),
  attachmentUuids: z.array(z.string()).optional(),
});

const replyCreateBody = z.object({
  issueUUID: z.string().min(1),
  content: z.string().max(MAX_REPLY_CONTENT).optional(),
  extend: record,
  attachmentUuids: z.array(z.string()).optional(),
});

const replyModifyBody = z.object({
  issueUUID: z.string().min(1),
  content: z.string().max(MAX_REPLY_CONTENT).optional(),
  extend: record,
  attachmentUuids: z.array(z.string()).optional(),
});

const replyListQuery = z.object({
  ordering: z.enum(['createAt', '-createAt', 'updateAt', '-updateAt']).default('createAt'),
  pageIndex: pageIndexSchema.default(1),
  pageSize: pageSizeSchema.default(DEFAULT_PAGE_SIZE),
});

const channelAddBody = z.object({
  name: z.string().min(1).max(256),
  description: z.string().max(256).optional(),
  notifyTarget: z.array(z.string()).optional(),
});

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

interface Route {
  method: string;
  pattern: RegExp;
  handle: (ctx: { params: string[]; body: unknown; query: Record<string, string> }) => Answer;
}

interface FaultRule {
  match: string | RegExp;
  fault: GuanceFault;
  remaining: number;
}

interface LatencyRule {
  match: string | RegExp | undefined;
  ms: number;
}

export async function startGuanceFake(options: GuanceFakeOptions = {}): Promise<GuanceFake> {
  const apiKey = options.apiKey ?? 'wsak_fake_key';
  const workspaceUUID = options.workspaceUUID ?? 'wksp_fake0000000000000000000000000000';
  const limit = options.requestsPerMinute ?? 20;
  const countRejected = options.countRejected ?? true;
  const now = options.now ?? Date.now;

  const state = new GuanceFakeState({
    workspaceUUID,
    apiKey,
    apiKeyName: options.apiKeyName ?? 'Fake API Key',
    personName: options.personName ?? 'Guance User',
    statusModel: options.statusModel ?? 5,
    windowField: options.windowField ?? 'createAt',
    now,
    fractionalTimestamps: options.fractionalTimestamps ?? false,
  });

  const requests: GuanceRecordedRequest[] = [];
  const recordOf = new WeakMap<Request, GuanceRecordedRequest>();
  /** Arrival times of requests the limiter counts (see `countRejected`). */
  let windowHits: number[] = [];
  /** Arrival times of every request that carried the right key (for `maxRequestsPerMinute`). */
  let keyRequestTimes: number[] = [];
  let faults: FaultRule[] = [];
  let latencies: LatencyRule[] = [];
  let nextRequestId = 1;
  const shutdown = new AbortController();

  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /^\/api\/v1\/channel\/quick_list$/,
      handle: () => ok(state.channels()),
    },
    {
      method: 'POST',
      pattern: /^\/api\/v1\/channel\/add$/,
      handle: ({ body }) => {
        const b = parseWith(channelAddBody, body);
        return ok(state.addChannel(b.name, apiKey, b.description ?? '', b.notifyTarget ?? []));
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/v1\/channel\/([^/]+)\/delete$/,
      handle: ({ params }) => {
        state.deleteChannel(params[0] ?? '', apiKey);
        return ok(true);
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/v1\/issue\/list$/,
      handle: ({ body }) => {
        const b = parseWith(issueListBody, body);
        const query: IssueListQuery = {
          channelUUID: b.channelUUID ?? DEFAULT_CHANNEL_UUID,
          pageIndex: b.pageIndex ?? 1,
          pageSize: b.pageSize ?? DEFAULT_PAGE_SIZE,
          filters: b.filters ?? [],
          ...(b.startTime != null ? { startTime: b.startTime } : {}),
          ...(b.endTime != null ? { endTime: b.endTime } : {}),
          ...(b.search != null ? { search: b.search } : {}),
        };
        return ok(state.listIssues(query));
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/v1\/issue\/add$/,
      handle: ({ body }) => {
        const b = parseWith(issueAddBody, body);
        return ok(
          state.createIssueViaApi({
            name: b.name,
            level: b.level,
            description: b.description,
            extend: b.extend,
            ...(b.attachmentUuids !== undefined ? { attachmentUuids: b.attachmentUuids } : {}),
            ...(b.resourceType !== undefined ? { resourceType: b.resourceType } : {}),
            ...(b.resourceUUID !== undefined ? { resourceUUID: b.resourceUUID } : {}),
            ...(b.resource !== undefined ? { resource: b.resource } : {}),
            ...(b.channelUUIDs !== undefined ? { channelUUIDs: b.channelUUIDs } : {}),
            ...(b.statusType !== undefined ? { statusType: b.statusType } : {}),
          }),
        );
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/v1\/issue\/([^/]+)\/get$/,
      handle: ({ params }) => ok(state.issueDetail(params[0] ?? '')),
    },
    {
      method: 'POST',
      pattern: /^\/api\/v1\/issue\/([^/]+)\/modify$/,
      handle: ({ params, body }) => {
        const b = parseWith(issueModifyBody, body ?? {});
        const patch: IssuePatch = {
          ...(b.name !== undefined ? { name: b.name } : {}),
          ...(b.level !== undefined ? { level: b.level } : {}),
          ...(b.description !== undefined ? { description: b.description } : {}),
          ...(b.statusType !== undefined ? { statusType: b.statusType } : {}),
          ...(b.extend !== undefined ? { extend: b.extend } : {}),
          ...(b.attachmentUuids !== undefined ? { attachmentUuids: b.attachmentUuids } : {}),
        };
        return ok(state.modifyIssue(params[0] ?? '', patch, apiKey));
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/v1\/issue\/reply\/create$/,
      handle: ({ body }) => {
        const b = parseWith(replyCreateBody, body);
        return ok(
          state.addReply(b.issueUUID, {
            content: b.content ?? '',
            creator: apiKey,
            extend: b.extend,
            ...(b.attachmentUuids !== undefined ? { attachmentUuids: b.attachmentUuids } : {}),
          }),
        );
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/v1\/issue\/reply\/([^/]+)\/list$/,
      handle: ({ params, query }) => {
        const q = parseWith(replyListQuery, query);
        const { data, pageInfo } = state.listReplies(params[0] ?? '', q.ordering as ReplyOrdering, q.pageIndex, q.pageSize);
        return ok(data, pageInfo);
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/v1\/issue\/reply\/([^/]+)\/modify$/,
      handle: ({ params, body }) => {
        const b = parseWith(replyModifyBody, body);
        return ok(
          state.modifyReply(
            params[0] ?? '',
            {
              issueUUID: b.issueUUID,
              extend: b.extend,
              ...(b.content !== undefined ? { content: b.content } : {}),
              ...(b.attachmentUuids !== undefined ? { attachmentUuids: b.attachmentUuids } : {}),
            },
            apiKey,
          ),
        );
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/api\/v1\/issue\/reply\/([^/]+)\/delete$/,
      handle: ({ params }) => {
        state.deleteReply(params[0] ?? '', apiKey);
        return ok(true);
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/v1\/issue-level\/list$/,
      handle: () => ok(state.levels()),
    },
  ];

  function route(method: string, path: string, body: unknown, query: Record<string, string>): Answer {
    const normalised = path.length > 1 ? path.replace(/\/+$/, '') : path;
    let pathKnown = false;
    for (const r of routes) {
      const m = r.pattern.exec(normalised);
      if (m === null) continue;
      pathKnown = true;
      if (r.method !== method) continue;
      const params = m.slice(1).map((p) => decodeURIComponent(p));
      return r.handle({ params, body, query });
    }
    return pathKnown
      ? fail(405, 'ft.MethodNotAllowed', `Method ${method} is not allowed on ${path}`)
      : fail(404, 'ft.NotFound', `No such API: ${method} ${path}`);
  }

  /** Requests counted by the limiter in (t − 60 s, t]. */
  function hitsInWindow(t: number): number {
    windowHits = windowHits.filter((h) => h > t - WINDOW_MS);
    return windowHits.length;
  }

  /**
   * Window accounting: every request with the right key counts, whatever its answer (faults and
   * drops included), except rate-limited ones when `countRejected` is false. A wrong key has no
   * bucket of ours and is not counted.
   */
  function account(rec: GuanceRecordedRequest, keyOk: boolean, limited: boolean): void {
    if (!keyOk) return;
    keyRequestTimes.push(rec.at);
    if (!limited || countRejected) windowHits.push(rec.at);
  }

  function takeFault(subject: string): GuanceFault | undefined {
    const rule = faults.find((f) => f.remaining > 0 && matches(f.match, subject));
    if (rule === undefined) return undefined;
    rule.remaining -= 1;
    faults = faults.filter((f) => f.remaining > 0);
    return rule.fault;
  }

  function latencyFor(subject: string): number {
    for (let i = latencies.length - 1; i >= 0; i -= 1) {
      const rule = latencies[i];
      if (rule !== undefined && (rule.match === undefined || matches(rule.match, subject))) return rule.ms;
    }
    return 0;
  }

  function send(res: Response, rec: GuanceRecordedRequest, answer: Answer): void {
    rec.status = answer.status;
    rec.errorCode = answer.body.errorCode;
    rec.rateLimited = answer.body.errorCode === RATE_LIMIT_CODE;
    if (res.headersSent || res.destroyed) return;
    res.status(answer.status).type('application/json;charset=UTF-8').send(JSON.stringify(answer.body));
  }

  function record(req: Request, body: unknown): GuanceRecordedRequest {
    const url = new URL(req.originalUrl, 'http://fake.invalid');
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    }
    const rec: GuanceRecordedRequest = {
      id: nextRequestId++,
      at: now(),
      method: req.method,
      path: url.pathname,
      query,
      headers,
      body,
      status: 0,
      errorCode: '',
      rateLimited: false,
    };
    requests.push(rec);
    recordOf.set(req, rec);
    return rec;
  }

  async function handle(req: Request, res: Response): Promise<void> {
    // Body: express.raw gives a Buffer (or nothing). Keep the text if it is not JSON.
    const raw = Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body.toString('utf8') : undefined;
    let body: unknown = raw;
    let malformed = false;
    if (raw !== undefined) {
      try {
        body = JSON.parse(raw) as unknown;
      } catch {
        malformed = true;
      }
    }
    const rec = record(req, body);
    const subject = `${rec.method} ${rec.path}`;
    const keyOk = req.get('DF-API-KEY') === apiKey;

    // Decide the answer at arrival time, then apply latency, then answer.
    const fault = takeFault(subject);
    let answer: Answer | 'drop';
    let limited = false;
    if (fault !== undefined) {
      if (fault.kind === 'drop') answer = 'drop';
      else if (fault.kind === 'rateLimited') {
        answer = rateLimitedAnswer(limit);
        limited = true;
      } else {
        answer = fail(
          fault.status,
          fault.errorCode ?? (fault.status >= 500 ? 'ft.InternalError' : 'ft.InjectedFault'),
          fault.message ?? `Injected fault: HTTP ${fault.status}`,
        );
      }
    } else if (!keyOk) {
      answer = fail(403, 'ft.InvalidAPIKey', 'Invalid API Key (DF-API-KEY)');
    } else if (hitsInWindow(rec.at) >= limit) {
      answer = rateLimitedAnswer(limit);
      limited = true;
    } else if (malformed) {
      answer = fail(400, 'ft.ParamError', 'Request body is not valid JSON');
    } else {
      try {
        answer = route(rec.method, rec.path, body, rec.query);
      } catch (err) {
        answer =
          err instanceof GuanceFakeError
            ? fail(err.status, err.errorCode, err.message)
            : fail(500, 'ft.InternalError', `guance fake bug: ${err instanceof Error ? err.message : String(err)}`);
      }
    }

    account(rec, keyOk, limited);

    const delay = latencyFor(subject);
    if (delay > 0) {
      try {
        await sleep(delay, undefined, { signal: shutdown.signal });
      } catch {
        return; // closing
      }
    }
    if (answer === 'drop') {
      req.socket.destroy();
      return;
    }
    send(res, rec, answer);
  }

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use(express.raw({ type: () => true, limit: options.bodyLimit ?? '2mb' }));
  app.use((req: Request, res: Response, next: NextFunction) => {
    handle(req, res).catch(next);
  });
  // Body-parser failures (413, aborted) and anything unexpected: answer, never crash.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    let rec = recordOf.get(req);
    if (rec === undefined) {
      // The body parser refused the request before it reached `handle`: record and count it here.
      rec = record(req, undefined);
      account(rec, req.get('DF-API-KEY') === apiKey, false);
    }
    const status =
      typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 500;
    if (status === 413) send(res, rec, fail(413, 'ft.RequestEntityTooLarge', 'Request body too large'));
    else if (status >= 400 && status < 500) send(res, rec, fail(status, 'ft.ParamError', 'Bad request'));
    else send(res, rec, fail(500, 'ft.InternalError', err instanceof Error ? err.message : 'Internal error'));
  });

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  // Never crash on broken client sockets.
  server.on('clientError', (_err, socket) => socket.destroy());
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    workspaceUUID,
    defaultChannelUUID: DEFAULT_CHANNEL_UUID,
    requests,
    requestsMatching: (match) => requests.filter((r) => matches(match, `${r.method} ${r.path}`)),
    maxRequestsPerMinute() {
      const times = [...keyRequestTimes].sort((a, b) => a - b);
      let best = 0;
      let lo = 0;
      for (let hi = 0; hi < times.length; hi += 1) {
        const t = times[hi] ?? 0;
        while ((times[lo] ?? 0) <= t - WINDOW_MS) lo += 1;
        best = Math.max(best, hi - lo + 1);
      }
      return best;
    },
    createIssue(input) {
      const { creatorName, ...rest } = input;
      return state.createIssueAsPerson(rest, creatorName);
    },
    addReply: (issueUuid, input) => state.addReplyAsPerson(issueUuid, input),
    setStatus: (issueUuid, statusType, byName) => state.setStatusAsPerson(issueUuid, statusType, byName),
    addChannel: (name) => state.addChannel(name, state.person(state.options.personName)),
    deleteChannel: (uuid) => state.deleteChannel(uuid, state.person(state.options.personName)),
    channels: () => state.channels(),
    issue: (uuid) => state.issue(uuid),
    issues: () => state.issues(),
    repliesOf: (uuid) => state.repliesOf(uuid),
    failNext(match, fault, times = 1) {
      if (!Number.isInteger(times) || times < 1) throw new Error('guance fake: failNext times must be a positive integer');
      faults.push({ match, fault, remaining: times });
    },
    clearFaults() {
      faults = [];
    },
    setLatency(ms, match) {
      const same = (m: string | RegExp | undefined): boolean =>
        m === match || (m instanceof RegExp && match instanceof RegExp && m.source === match.source && m.flags === match.flags);
      latencies = latencies.filter((l) => !same(l.match));
      if (ms > 0) latencies.push({ match, ms });
    },
    setStatusModel(model) {
      state.options.statusModel = model;
    },
    reset() {
      state.reset();
      requests.length = 0;
      windowHits = [];
      keyRequestTimes = [];
      faults = [];
      latencies = [];
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        shutdown.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
