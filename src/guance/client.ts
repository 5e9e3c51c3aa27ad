/**
 * The Guance (观测云) OpenAPI endpoints the bot uses (exception tracking): paths, request bodies and
 * answer schemas. Sending, the shared budget and error mapping live in `http.ts` and `errors-map.ts`
 * (the table of answers → errors is there). Endpoint facts: ../shared/reference/guance-openapi.md §2.
 *
 * Every method takes the `SpendKind` it spends from the shared budget and throws `GuanceApiError`
 * (`GuanceRateLimited` for a spent budget or Guance's rate limit; `retryable` says whether to try again
 * later) or `UnavailableError` when the budget cannot be reached. Nothing here retries on its own.
 */
import {
  GuanceChannelSchema,
  GuanceIssueSchema,
  GuanceLevelSchema,
  GuanceMemberSchema,
  GuanceReplySchema,
  guanceListContent,
  isIssueUuid,
  resolvePageInfo,
  type GuanceChannel,
  type GuanceIssue,
  type GuanceLevel,
  type GuanceMember,
  type GuancePageInfo,
  type GuanceReply,
} from './schemas.js';
import { GuanceApiError } from '../errors.js';
import type { SpendKind } from '../store/guance-budget.js';
import { isGuanceNotFound } from './errors-map.js';
import { GuanceHttp, type GuanceHttpOptions } from './http.js';

export type { SpendKind } from '../store/guance-budget.js';
export type { GuanceOutcome } from './http.js';
export { isGuanceNotFound } from './errors-map.js';

export type GuanceClientOptions = GuanceHttpOptions;

export interface GuanceIssueFilter {
  key: string;
  value: string | number;
  /** true = "is", false = "is not". */
  equal: boolean;
}

export interface GuanceIssueQuery {
  channelUUID: string;
  /** Unix seconds. */
  startTime?: number;
  /** Unix seconds. */
  endTime?: number;
  pageIndex: number;
  pageSize: number;
  filters?: GuanceIssueFilter[];
  search?: string;
}

export interface GuanceReplyQuery {
  pageIndex: number;
  pageSize: number;
  ordering?: '-createAt' | 'createAt';
}

export class GuanceClient {
  private readonly http: GuanceHttp;

  constructor(options: GuanceClientOptions) {
    this.http = new GuanceHttp(options);
  }

  /** Live channels only (`deleteAt` -1 or missing; §1.7, §2.1). */
  async listChannels(kind: SpendKind): Promise<GuanceChannel[]> {
    const { content } = await this.http.call({
      method: 'GET',
      path: '/api/v1/channel/quick_list',
      endpoint: 'channel/quick_list',
      kind,
      content: guanceListContent(GuanceChannelSchema),
    });
    return content.items.filter((c) => c.deleteAt === undefined || c.deleteAt === -1);
  }

  /** One page of a channel's issues; `content` is `{data, pageInfo}` here, unlike other lists (§1.3, §2.2.1). */
  async listIssues(
    query: GuanceIssueQuery,
    kind: SpendKind,
  ): Promise<{ issues: GuanceIssue[]; pageInfo: GuancePageInfo }> {
    const body = {
      channelUUID: query.channelUUID,
      pageIndex: query.pageIndex,
      pageSize: query.pageSize,
      search: query.search ?? '',
      filters: query.filters ?? [],
      ...(query.startTime !== undefined ? { startTime: query.startTime } : {}),
      ...(query.endTime !== undefined ? { endTime: query.endTime } : {}),
    };
    const { content, pageInfo } = await this.http.call({
      method: 'POST',
      path: '/api/v1/issue/list',
      endpoint: 'issue/list',
      kind,
      body,
      content: guanceListContent(GuanceIssueSchema),
    });
    return {
      issues: content.items,
      pageInfo: resolvePageInfo({ nested: content.pageInfo, topLevel: pageInfo }, query, content.items.length),
    };
  }

  /** null when Guance says the issue does not exist (HTTP 404); §2.2.2. */
  async getIssue(uuid: string, kind: SpendKind): Promise<GuanceIssue | null> {
    if (!isIssueUuid(uuid)) return null;
    try {
      const { content } = await this.http.call({
        method: 'GET',
        path: `/api/v1/issue/${encodeURIComponent(uuid)}/get`,
        endpoint: 'issue/:uuid/get',
        kind,
        content: GuanceIssueSchema,
        notFoundExpected: true,
      });
      return content;
    } catch (error) {
      if (isGuanceNotFound(error)) return null;
      throw error;
    }
  }

  /**
   * Sends only the fields given (e.g. `{statusType: 20}`), as the docs' example does (§2.2.4). `extend` replaces
   * the issue's whole extend (§2.2.5): pass the issue's current extend with the change merged in.
   */
  async modifyIssue(uuid: string, change: { statusType?: number; extend?: Record<string, unknown> }, kind: SpendKind): Promise<GuanceIssue> {
    assertIssueUuid(uuid);
    const body = {
      ...(change.statusType !== undefined ? { statusType: change.statusType } : {}),
      ...(change.extend !== undefined ? { extend: change.extend } : {}),
    };
    const { content } = await this.http.call({
      method: 'POST',
      path: `/api/v1/issue/${encodeURIComponent(uuid)}/modify`,
      endpoint: 'issue/:uuid/modify',
      kind,
      body,
      content: GuanceIssueSchema,
    });
    return content;
  }

  /** One page of workspace members, optionally filtered by `search` (an e-mail finds its member); §2.7. */
  async listMembers(query: { search?: string; pageIndex: number; pageSize: number }, kind: SpendKind): Promise<GuanceMember[]> {
    const { content } = await this.http.call({
      method: 'GET',
      path: '/api/v1/workspace/members/list',
      endpoint: 'workspace/members/list',
      kind,
      query: { pageIndex: query.pageIndex, pageSize: query.pageSize, search: query.search },
      content: guanceListContent(GuanceMemberSchema),
    });
    return content.items;
  }

  /** `extend` is required by Guance (`{}` allowed) and carries the bot's marker against echoes (§2.4.1). */
  async createReply(
    input: { issueUUID: string; content: string; extend: Record<string, unknown> },
    kind: SpendKind,
  ): Promise<GuanceReply> {
    assertIssueUuid(input.issueUUID);
    const { content } = await this.http.call({
      method: 'POST',
      path: '/api/v1/issue/reply/create',
      endpoint: 'issue/reply/create',
      kind,
      body: { issueUUID: input.issueUUID, content: input.content, extend: input.extend },
      content: GuanceReplySchema,
    });
    return content;
  }

  /** One page of replies, `pageInfo` top-level (§2.4.2). */
  async listReplies(
    issueUuid: string,
    query: GuanceReplyQuery,
    kind: SpendKind,
  ): Promise<{ replies: GuanceReply[]; totalCount: number }> {
    assertIssueUuid(issueUuid);
    const { content, pageInfo } = await this.http.call({
      method: 'GET',
      path: `/api/v1/issue/reply/${encodeURIComponent(issueUuid)}/list`,
      endpoint: 'issue/reply/:uuid/list',
      kind,
      query: { ordering: query.ordering, pageIndex: query.pageIndex, pageSize: query.pageSize },
      content: guanceListContent(GuanceReplySchema),
    });
    const page = resolvePageInfo({ nested: content.pageInfo, topLevel: pageInfo }, query, content.items.length);
    return { replies: content.items, totalCount: page.totalCount };
  }

  /** System levels P0–P3 then custom ones, unpaged (§2.5). */
  async listLevels(kind: SpendKind): Promise<GuanceLevel[]> {
    const { content } = await this.http.call({
      method: 'GET',
      path: '/api/v1/issue-level/list',
      endpoint: 'issue-level/list',
      kind,
      content: guanceListContent(GuanceLevelSchema),
    });
    return content.items;
  }
}

/** A malformed id is Guance's "not found" without asking Guance: no request of the budget is spent on it. */
function assertIssueUuid(uuid: string): void {
  if (!isIssueUuid(uuid)) throw new GuanceApiError(`Not found: ${uuid.slice(0, 60)} is not an issue id`, 'not_found', 404, false, { outcome: 'not_found' });
}
