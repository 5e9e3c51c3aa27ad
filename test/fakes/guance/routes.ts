/**
 * The Guance fake's envelope and endpoints (../shared/reference/guance-openapi.md §1.3, §2):
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
 *   GET    workspace/members/list             ?search=&pageIndex=&pageSize= (≤100); content: Member[], top-level pageInfo
 * Request bodies are checked with zod: numbers may arrive as numeric strings; unknown keys are dropped.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Reply } from '../core/http-fake.js';
import type { Route } from '../core/routes.js';
import type { Channels } from './channels.js';
import type { Issues } from './issues.js';
import type { Members } from './members.js';
import type { Replies } from './replies.js';
import type { PageInfo } from './wire-types.js';
import { DEFAULT_CHANNEL_UUID, GuanceFakeError, MAX_REPLY_CONTENT, type Workspace } from './workspace.js';

export interface Envelope {
  code: number;
  content: unknown;
  errorCode: string;
  message: string;
  pageInfo?: PageInfo;
  success: boolean;
  traceId: string;
}

export type Answer = Reply<Envelope>;

export const RATE_LIMIT_CODE = 'ft.TriggerApiAkCurrentLimiting';

const traceId = (): string => `TRACE-${randomUUID().toUpperCase()}`;

export function ok(content: unknown, pageInfo?: PageInfo): Answer {
  const body = { code: 200, content, errorCode: '', message: '', ...(pageInfo !== undefined ? { pageInfo } : {}) };
  return { status: 200, body: { ...body, success: true, traceId: traceId() } };
}

export function fail(status: number, errorCode: string, message: string): Answer {
  return { status, body: { code: status, content: null, errorCode, message, success: false, traceId: traceId() } };
}

function parseWith<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const describe = result.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`);
  throw new GuanceFakeError(400, 'ft.ParamError', describe.join('; '));
}

const intLike = z.union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number)]);
const numLike = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);
/** `null` and absent mean the same: no bound, no search, no filters. */
const absentIfNull = <T>(value: T | null | undefined): T | undefined => value ?? undefined;
const pageIndex = intLike.pipe(z.number().min(1, 'pageIndex starts at 1')).default(1);
const pageSize = intLike.pipe(z.number().min(1).max(100, 'pageSize must be at most 100')).default(10);
const record = z.record(z.string(), z.unknown());
const level = z.union([z.string(), z.number()]);

const issueListBody = z.object({
  channelUUID: z.string().min(1).default(DEFAULT_CHANNEL_UUID),
  startTime: numLike.nullish().transform(absentIfNull),
  endTime: numLike.nullish().transform(absentIfNull),
  search: z.string().nullish().transform(absentIfNull),
  filters: z
    .array(
      z.object({
        key: z.enum(['statusType', 'level', 'resource', 'creator', 'updator']),
        value: z.union([z.string(), z.number(), z.boolean()]),
        equal: z.boolean().optional(),
      }),
    )
    .nullish()
    .transform((f) => f ?? []),
  pageIndex,
  pageSize,
});

const issueAddBody = z.object({
  name: z.string().min(1).max(256),
  level,
  description: z.string(),
  extend: record,
  attachmentUuids: z.array(z.string()).optional(),
  resourceType: z.string().optional(),
  resourceUUID: z.string().optional(),
  resource: z.string().optional(),
  channelUUIDs: z.array(z.string()).optional(),
  statusType: intLike.optional(),
});

const issueModifyBody = issueAddBody
  .pick({ name: true, level: true, description: true, statusType: true, extend: true, attachmentUuids: true })
  .partial();

/** reply/create and reply/{uuid}/modify take the same body. */
const replyBody = z.object({
  issueUUID: z.string().min(1),
  content: z.string().max(MAX_REPLY_CONTENT).optional(),
  extend: record,
  attachmentUuids: z.array(z.string()).optional(),
});

const replyListQuery = z.object({
  ordering: z.enum(['createAt', '-createAt', 'updateAt', '-updateAt']).default('createAt'),
  pageIndex,
  pageSize,
});

/** `search` matches name or e-mail; the docs say "允许为空: False" but an empty one is taken as "all". */
const memberListQuery = z.object({
  search: z.string().optional(),
  pageIndex,
  pageSize,
});

const channelAddBody = z.object({
  name: z.string().min(1).max(256),
  description: z.string().max(256).optional(),
  notifyTarget: z.array(z.string()).optional(),
});

interface GuanceParts {
  ws: Workspace;
  channels: Channels;
  issues: Issues;
  replies: Replies;
  members: Members;
}

/** Every endpoint; what the API writes is attributed to the API key. */
export function guanceRoutes({ ws, channels, issues, replies, members }: GuanceParts): Route<Envelope>[] {
  const apiKey = ws.options.apiKey;
  const route = (method: string, path: string, handle: Route<Envelope>['handle']): Route<Envelope> =>
    ({ method, pattern: new RegExp(`^/api/v1/${path.replace(/\{\w+\}/g, '([^/]+)')}$`), handle });
  return [
    route('GET', 'channel/quick_list', () => ok(channels.list())),
    route('POST', 'channel/add', (_p, { body }) => {
      const b = parseWith(channelAddBody, body);
      return ok(channels.add(b.name, apiKey, b.description, b.notifyTarget));
    }),
    route('POST', 'channel/{uuid}/delete', ([uuid = '']) => {
      channels.delete(uuid, apiKey);
      return ok(true);
    }),
    route('POST', 'issue/list', (_p, { body }) => ok(issues.list(parseWith(issueListBody, body)))),
    route('POST', 'issue/add', (_p, { body }) => ok(issues.createViaApi(parseWith(issueAddBody, body)))),
    route('GET', 'issue/{uuid}/get', ([uuid = '']) => ok(issues.detail(uuid))),
    route('POST', 'issue/{uuid}/modify', ([uuid = ''], { body }) =>
      ok(issues.modify(uuid, parseWith(issueModifyBody, body ?? {}), apiKey))),
    route('POST', 'issue/reply/create', (_p, { body }) => {
      const b = parseWith(replyBody, body);
      return ok(replies.add(b.issueUUID, { ...b, content: b.content ?? '', creator: apiKey }));
    }),
    route('GET', 'issue/reply/{issue_uuid}/list', ([uuid = ''], { query }) => {
      const q = parseWith(replyListQuery, query);
      const { data, pageInfo } = replies.page(uuid, q.ordering, q.pageIndex, q.pageSize);
      return ok(data, pageInfo);
    }),
    route('POST', 'issue/reply/{reply_uuid}/modify', ([uuid = ''], { body }) =>
      ok(replies.modify(uuid, parseWith(replyBody, body), apiKey))),
    route('DELETE', 'issue/reply/{reply_uuid}/delete', ([uuid = '']) => {
      replies.delete(uuid, apiKey);
      return ok(true);
    }),
    route('GET', 'issue-level/list', () => ok(ws.levels())),
    route('GET', 'workspace/members/list', (_p, { query }) => {
      const q = parseWith(memberListQuery, query);
      const { data, pageInfo } = members.page(q.search, q.pageIndex, q.pageSize);
      return ok(data, pageInfo);
    }),
  ];
}
