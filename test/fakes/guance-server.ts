/**
 * HTTP fake of the Guance (观测云) OpenAPI, exception-tracking part, for tests and the demo, on the
 * shared core (`core/http-fake.ts`: recording, faults, latency, the timing model).
 *
 * Speaks the wire format of ../shared/reference/guance-openapi.md §1–2 and samples/guance/:
 * envelope `{code, content, errorCode, message, success, traceId}` (+ top-level `pageInfo` on the
 * reply list and the member list), `DF-API-KEY` auth (403 `ft.InvalidAPIKey`), and the real per-key limit of
 * 20 requests per rolling minute answered with HTTP **401** `ft.TriggerApiAkCurrentLimiting` (§1.6).
 *
 * A request is recorded, then: an injected fault (`failNext`) answers in place of everything, else
 * auth, the rate limiter, body checks and the route (`guance/routes.ts`). This file is the public
 * API and that order; the workspace lives in `guance/` (channels, issues, replies, members, workspace).
 */
import { startHttpFake, type HttpFake } from './core/http-fake.js';
import { busiestWindow, RateWindow } from './core/rate-window.js';
import type { FakeRequest, RecordedRequest } from './core/request.js';
import { findRoute } from './core/routes.js';
import type { CoreFault } from './core/rules.js';
import { Channels } from './guance/channels.js';
import { Issues, type NewIssue } from './guance/issues.js';
import { Members, type NewMember } from './guance/members.js';
import { Replies } from './guance/replies.js';
import { RATE_LIMIT_CODE, fail, guanceRoutes, type Answer } from './guance/routes.js';
import type { Channel, Issue, Member, Reply } from './guance/wire-types.js';
import { DEFAULT_CHANNEL_UUID, GuanceFakeError, Workspace } from './guance/workspace.js';

export { CUSTOM_LEVEL_UUID, DEFAULT_CHANNEL_UUID } from './guance/workspace.js';
export type { RequestMatch } from './core/request.js';
export { memberUuid, type NewMember } from './guance/members.js';
export type {
  Attachment, Channel, Issue, IssueDetail, IssueLevel, ManagerInfo, Member, PageInfo, Reply, ReplyWritten, UserInfo,
} from './guance/wire-types.js';

const WINDOW_MS = 60_000;

export interface GuanceRecordedRequest extends RecordedRequest {
  /** `errorCode` of the envelope answered (`''` on success and for dropped connections). */
  errorCode: string;
  /** True when answered 401 `ft.TriggerApiAkCurrentLimiting` (real limiter or injected). */
  rateLimited: boolean;
}

export type GuanceFault =
  /** Default errorCode `ft.InternalError` (5xx) or `ft.InjectedFault`. */
  | { kind: 'status'; status: number; errorCode?: string; message?: string }
  /** The limiter's own answer: 401 `ft.TriggerApiAkCurrentLimiting`. */
  | { kind: 'rateLimited' }
  /** Destroy the socket without answering (`drop`), or after handling the request (`dropAfterWork`). */
  | CoreFault;

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
}

export interface GuanceFake extends HttpFake<GuanceRecordedRequest, GuanceFault> {
  apiKey: string;
  workspaceUUID: string;
  /** The "All" channel (`name: "default"`), holding every issue. */
  defaultChannelUUID: string;
  /**
   * Largest number of requests (rate-limited ones included, as the real server counts them) seen
   * in any rolling 60 s window for the key. Counts every request that carried the right key,
   * whatever its answer (faults and drops too); requests with a wrong key are not counted.
   */
  maxRequestsPerMinute(): number;
  /** As a person in the UI (`creatorName`, default `personName`): creator `acnt_…`; not an HTTP request, not counted. */
  createIssue(input: NewIssue & { creatorName?: string }): Issue;
  /** As a person (creator `acnt_…` derived from `authorName`). Bumps the issue's `updateAt`. */
  addReply(issueUuid: string, input: { content: string; authorName?: string; type?: 'reply' | 'change'; createAt?: number }): Reply;
  /** As a person in the UI: updates statusType/updateAt/updator and appends a `type: "change"` entry. */
  setStatus(issueUuid: string, statusType: number, byName?: string): void;
  addChannel(name: string): Channel;
  /** Soft delete: stays in quick_list with a real `deleteAt`. */
  deleteChannel(uuid: string): void;
  channels(): Channel[];
  /**
   * A workspace member, listed by `GET workspace/members/list`; not an HTTP request, not counted.
   * `uuid` is `acnt_` + 32 hex derived from the e-mail (case-insensitive; see `memberUuid`), so the
   * same e-mail gives the same id in every run; adding an e-mail again updates that member in place.
   * The id resolves everywhere accounts show: `managerInfos` of an issue whose `extend.manager`
   * lists it, `creatorInfo`/`updatorInfo`; helpers given the member's name (`creatorName`,
   * `manager: ['Alice']`, `authorName`, `setStatus(…, byName)`) act as this member.
   */
  addMember(input: NewMember): Member;
  /** Every member added with `addMember`, in the order first added (made-up helper people are not members). */
  members(): Member[];
  issue(uuid: string): Issue | undefined;
  /** Live replies (and change entries), oldest first. */
  repliesOf(uuid: string): Reply[];
  /** Switch the status model at runtime. */
  setStatusModel(model: 5 | 3): void;
  /** Forget issues, replies, added channels, members, recorded requests, the rate window, faults and latency. */
  reset(): void;
}

export async function startGuanceFake(options: GuanceFakeOptions = {}): Promise<GuanceFake> {
  const apiKey = options.apiKey ?? 'wsak_fake_key';
  const limit = options.requestsPerMinute ?? 20;
  const countRejected = options.countRejected ?? true;
  const now = options.now ?? Date.now;
  const ws = new Workspace({
    workspaceUUID: options.workspaceUUID ?? 'wksp_fake0000000000000000000000000000',
    apiKey,
    apiKeyName: options.apiKeyName ?? 'Fake API Key',
    personName: options.personName ?? 'Guance User',
    statusModel: options.statusModel ?? 5,
    windowField: options.windowField ?? 'createAt',
    now,
    fractionalTimestamps: options.fractionalTimestamps ?? false,
  });
  const channels = new Channels(ws);
  const replies: Replies = new Replies(ws, channels, (uuid) => issues.row(uuid));
  const issues = new Issues(ws, channels, replies);
  const members = new Members(ws);
  const routes = guanceRoutes({ ws, channels, issues, replies, members });
  /** What the limiter counts (see `countRejected`). */
  const limiter = new RateWindow(WINDOW_MS);
  const keyOk = (record: RecordedRequest): boolean => record.headers['df-api-key'] === apiKey;
  const rateLimited = (): Answer => fail(401, RATE_LIMIT_CODE, `API Key 请求频率超出限制（${limit} 次/分钟），请稍后重试`);

  const handle = ({ record, invalidJson, tooLarge }: FakeRequest<GuanceRecordedRequest>): Answer => {
    const { method, path } = record;
    if (!keyOk(record)) return fail(403, 'ft.InvalidAPIKey', 'Invalid API Key (DF-API-KEY)');
    if (limiter.count(apiKey, record.at) >= limit) return rateLimited();
    if (tooLarge) return fail(413, 'ft.RequestEntityTooLarge', 'Request body too large');
    if (invalidJson) return fail(400, 'ft.ParamError', 'Request body is not valid JSON');
    const found = findRoute(routes, method, path.length > 1 ? path.replace(/\/+$/, '') : path);
    if (found === 'wrong-method') return fail(405, 'ft.MethodNotAllowed', `Method ${method} is not allowed on ${path}`);
    if (found === undefined) return fail(404, 'ft.NotFound', `No such API: ${method} ${path}`);
    return found.route.handle(found.params, record);
  };

  const core = await startHttpFake<GuanceRecordedRequest, GuanceFault, Answer['body']>({
    name: 'guance-fake',
    port: options.port,
    now,
    maxBodyBytes: 2 * 1024 * 1024,
    newRecord: (base) => ({ ...base, errorCode: '', rateLimited: false }),
    handle,
    faultReply: (fault) =>
      fault.kind === 'rateLimited'
        ? rateLimited()
        : fail(
          fault.status,
          fault.errorCode ?? (fault.status >= 500 ? 'ft.InternalError' : 'ft.InjectedFault'),
          fault.message ?? `Injected fault: HTTP ${fault.status}`,
        ),
    errorReply(err) {
      if (err instanceof GuanceFakeError) return fail(err.status, err.errorCode, err.message);
      console.error('[guance-fake] handler error', err);
      return fail(500, 'ft.InternalError', `guance fake bug: ${err instanceof Error ? err.message : String(err)}`);
    },
    // Every request with the right key counts, whatever its answer (faults and drops included),
    // except the limiter's own answers when `countRejected` is false. A wrong key has no bucket of ours.
    settle({ record }, outcome) {
      record.errorCode = outcome === 'drop' ? '' : outcome.body.errorCode;
      record.rateLimited = record.errorCode === RATE_LIMIT_CODE;
      if (keyOk(record) && (countRejected || !record.rateLimited)) limiter.hit(apiKey, record.at);
    },
  });

  return {
    ...core,
    apiKey,
    workspaceUUID: ws.options.workspaceUUID,
    defaultChannelUUID: DEFAULT_CHANNEL_UUID,
    maxRequestsPerMinute: () => busiestWindow(core.requests.filter(keyOk).map((r) => r.at), WINDOW_MS),
    createIssue: ({ creatorName, ...input }) => issues.createAsPerson(input, creatorName),
    addReply: (issueUuid, input) => replies.addAsPerson(issueUuid, input),
    setStatus: (issueUuid, statusType, byName) => issues.setStatusAsPerson(issueUuid, statusType, byName),
    addChannel: (name) => channels.add(name, ws.person()),
    deleteChannel: (uuid) => channels.delete(uuid, ws.person()),
    channels: () => channels.list(),
    addMember: (input) => members.add(input),
    members: () => members.list(),
    issue: (uuid) => issues.get(uuid),
    repliesOf: (uuid) => replies.of(uuid),
    setStatusModel(model) {
      ws.options.statusModel = model;
    },
    reset() {
      core.reset();
      limiter.clear();
      issues.reset();
      replies.reset();
      channels.reset();
      members.reset();
    },
  };
}
