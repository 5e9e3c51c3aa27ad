/**
 * Replies (回复) of the Guance fake, including the `type: "change"` activity entries the real
 * service writes (../shared/reference/guance-openapi.md §2.4; reply samples).
 */
import { mentionedChannels, type Channels } from './channels.js';
import type { IssueRow } from './issues.js';
import type { PageInfo, Reply, ReplyWritten } from './wire-types.js';
import {
  DEFAULT_CHANNEL_UUID, GuanceFakeError, MAX_REPLY_CONTENT, attachmentsOf, clone, hex32, paramError,
  type StoredRow, type Workspace,
} from './workspace.js';

type ReplyOrdering = 'createAt' | '-createAt' | 'updateAt' | '-updateAt';

interface ReplyRow extends StoredRow {
  issueUUID: string;
  content: string;
  type: 'reply' | 'change';
  modifiedAt: number | null;
}

interface NewReply {
  content: string;
  type?: 'reply' | 'change';
  creator: string;
  extend?: Record<string, unknown>;
  /** Unix seconds; defaults to now. */
  createAt?: number;
  attachmentUuids?: string[];
}

const checkContent = (content: string): void => {
  if (content.length > MAX_REPLY_CONTENT) throw paramError(`content must be at most ${MAX_REPLY_CONTENT} characters`);
};

export class Replies {
  /** Issue uuid → its replies, in insertion order. */
  private readonly rows = new Map<string, ReplyRow[]>();
  private nextId = 313_180;

  constructor(
    private readonly ws: Workspace,
    private readonly channels: Channels,
    /** A live issue or `ft.IssueNotFound`. */
    private readonly issueRow: (uuid: string) => IssueRow,
  ) {}

  /**
   * Adds a reply (API or helper). A reply bumps the parent issue's `updateAt` (never backwards) but
   * not its `updator`: the docs leave this open, and bumping lets an `updateAt`-window poller see activity.
   */
  add(issueUuid: string, input: NewReply): ReplyWritten {
    const issue = this.issueRow(issueUuid);
    checkContent(input.content);
    const channels = mentionedChannels(input.extend);
    for (const c of channels) this.channels.live(c);
    for (const c of channels) if (c !== DEFAULT_CHANNEL_UUID) issue.channels.add(c);
    return { ...this.written(this.insert(issue, input, true)), id: null };
  }

  /** Adds a reply as a person (creator `acnt_…` derived from `authorName`). */
  addAsPerson(issueUuid: string, input: { content: string; authorName?: string; type?: 'reply' | 'change'; createAt?: number }): Reply {
    const creator = this.ws.person(input.authorName);
    const extend = input.type === 'change' ? {} : { channels: [], linkList: [], members: [], text: input.content };
    const written = this.add(issueUuid, { content: input.content, type: input.type, creator, extend, createAt: input.createAt });
    return this.renderListReply(this.row(written.uuid));
  }

  /** Stores a reply; `bumpIssue` moves the issue's `updateAt` to it (change entries do not). */
  insert(issue: IssueRow, input: NewReply, bumpIssue: boolean): ReplyRow {
    const createAt = input.createAt ?? this.ws.nowSec();
    const reply: ReplyRow = {
      id: ++this.nextId,
      uuid: `repim_${hex32()}`,
      issueUUID: issue.uuid,
      content: input.content,
      type: input.type ?? 'reply',
      extend: clone(input.extend ?? {}),
      creator: input.creator,
      updator: input.creator,
      createAt,
      updateAt: createAt,
      deleteAt: -1,
      modifiedAt: null,
      attachmentUuids: [...(input.attachmentUuids ?? [])],
    };
    const list = this.rows.get(issue.uuid);
    if (list === undefined) this.rows.set(issue.uuid, [reply]);
    else list.push(reply);
    if (bumpIssue) issue.updateAt = Math.max(issue.updateAt, createAt);
    return reply;
  }

  /** Live replies of an issue, oldest first (helper view; `[]` for an unknown issue). */
  of(issueUuid: string): Reply[] {
    return this.list(issueUuid, 'createAt').map((r) => this.renderListReply(r));
  }

  /** `GET /issue/reply/{uuid}/list`: ordering by createAt/updateAt, `-` = newest first; ties by id. */
  page(issueUuid: string, ordering: ReplyOrdering, pageIndex: number, pageSize: number): { data: Reply[]; pageInfo: PageInfo } {
    this.issueRow(issueUuid);
    const all = this.list(issueUuid, ordering);
    const start = (pageIndex - 1) * pageSize;
    const data = all.slice(start, start + pageSize).map((r) => this.renderListReply(r));
    return { data, pageInfo: { count: data.length, pageIndex, pageSize, totalCount: all.length } };
  }

  /** `POST /issue/reply/{uuid}/modify`: only the reply's creator may edit it. */
  modify(
    replyUuid: string,
    input: { issueUUID: string; content?: string; extend: Record<string, unknown>; attachmentUuids?: string[] },
    actor: string,
  ): ReplyWritten {
    const reply = this.ownRow(replyUuid, actor, 'modify');
    if (reply.issueUUID !== input.issueUUID) throw paramError(`Reply ${replyUuid} does not belong to ${input.issueUUID}`);
    if (input.content !== undefined) checkContent(input.content);
    const at = this.ws.nowSec();
    if (input.content !== undefined) reply.content = input.content;
    reply.extend = clone(input.extend);
    if (input.attachmentUuids !== undefined) reply.attachmentUuids = [...input.attachmentUuids];
    reply.updateAt = Math.max(reply.updateAt, at);
    reply.updator = actor;
    reply.modifiedAt = at;
    return { ...this.written(reply), id: reply.id };
  }

  /** `DELETE /issue/reply/{uuid}/delete`: soft delete; only the reply's creator may do it. */
  delete(replyUuid: string, actor: string): void {
    this.ownRow(replyUuid, actor, 'delete').deleteAt = this.ws.nowSec();
  }

  reset(): void {
    this.rows.clear();
  }

  private list(issueUuid: string, ordering: ReplyOrdering): ReplyRow[] {
    const field = ordering.endsWith('updateAt') ? 'updateAt' : 'createAt';
    const sign = ordering.startsWith('-') ? -1 : 1;
    return (this.rows.get(issueUuid) ?? [])
      .filter((r) => r.deleteAt === -1)
      .sort((a, b) => sign * (a[field] - b[field] || a.id - b.id));
  }

  private row(uuid: string): ReplyRow {
    for (const list of this.rows.values()) {
      const found = list.find((r) => r.uuid === uuid && r.deleteAt === -1);
      if (found !== undefined) return found;
    }
    throw new GuanceFakeError(404, 'ft.IssueReplyNotFound', `Reply ${uuid} does not exist`);
  }

  /** A reply `actor` wrote (change entries belong to nobody), or `ft.NoPermission`. */
  private ownRow(uuid: string, actor: string, action: 'modify' | 'delete'): ReplyRow {
    const reply = this.row(uuid);
    if (reply.creator !== actor || reply.type !== 'reply') {
      throw new GuanceFakeError(403, 'ft.NoPermission', `Only the creator of a reply may ${action} it`);
    }
    return reply;
  }

  /** The fields every reply view has; `reply/create` adds `id: null`, `reply/{uuid}/modify` the id. */
  private written(r: ReplyRow): Omit<ReplyWritten, 'id'> {
    const { content, createAt, creator, deleteAt, issueUUID, type, updateAt, updator, uuid } = r;
    return {
      content, createAt, creator, deleteAt, extend: clone(r.extend), issueUUID, status: 0, type, updateAt, updator, uuid,
      workspaceUUID: this.ws.options.workspaceUUID,
    };
  }

  /** As `reply/{issue_uuid}/list` returns it. */
  private renderListReply(r: ReplyRow): Reply {
    return {
      ...this.written(r),
      id: r.id,
      attachmentsList: attachmentsOf(r.attachmentUuids),
      creatorInfo: this.ws.userInfo(r.creator),
      is_modify: r.modifiedAt !== null,
      latest_modify_time: r.modifiedAt ?? r.createAt,
      updatorInfo: this.ws.userInfo(r.updator),
    };
  }
}
