/**
 * The Guance OpenAPI objects as the fake hands them out, in the wire format of
 * ../shared/reference/samples/guance/ (../shared/reference/guance-openapi.md §2.3, §2.8).
 */

/** `creatorInfo` / `updatorInfo`. For API keys `email`, `username` and `uuid` are the `wsak_…` id. */
export interface UserInfo {
  acntWsNickname: string;
  email: string;
  iconUrl: string;
  name: string;
  username: string;
  uuid?: string;
}

export interface Channel {
  createAt: number;
  creator: string;
  deleteAt: number;
  description: string;
  id: number;
  name: string;
  notifyTarget: string[];
  status: number;
  subscribeType: string;
  updateAt: number;
  updator: string;
  uuid: string;
  workspaceUUID: string;
}

export interface IssueLevel {
  color: string;
  description: string;
  isDefault: boolean;
  name: string;
  uuid: string;
  createAt?: number;
  creator?: string;
  deleteAt?: number;
  extend?: Record<string, unknown>;
  id?: number;
  status?: number;
  updateAt?: number;
  updator?: string;
  workspaceUUID?: string;
}

/** An issue as `issue/list`, `issue/add` and `issue/{uuid}/modify` return it. */
export interface Issue {
  createAt: number;
  creator: string;
  creatorInfo: UserInfo;
  deleteAt: number;
  description: string;
  extend: Record<string, unknown>;
  id: number;
  level: string | number;
  name: string;
  resource: string;
  resourceType: string;
  resourceUUID: string;
  status: number;
  statusType: number;
  subIdentify: string;
  updateAt: number;
  updator: string;
  updatorInfo: UserInfo;
  uuid: string;
  workspaceUUID: string;
}

export interface Attachment {
  fileName: string;
  fileSuffix: string;
  uuid: string;
}

/** Team `{name, uuid}`, account (a `UserInfo` with `uuid`) or external e-mail `{email, name}`. */
export type ManagerInfo = { name: string; uuid: string } | UserInfo | { email: string; name: string };

/** An issue as `issue/{uuid}/get` returns it. */
export interface IssueDetail extends Issue {
  attachments: Attachment[];
  bindChannels: { name: string; uuid: string }[];
  declaration: Record<string, unknown>;
  levelInfo: { color: string; name: string };
  managerInfos: ManagerInfo[];
}

/** A reply as `issue/reply/create` (`id: null`) and `issue/reply/{uuid}/modify` return it. */
export interface ReplyWritten {
  content: string;
  createAt: number;
  creator: string;
  deleteAt: number;
  extend: Record<string, unknown>;
  id: number | null;
  issueUUID: string;
  status: number;
  type: 'reply' | 'change';
  updateAt: number;
  updator: string;
  uuid: string;
  workspaceUUID: string;
}

/** A reply as `issue/reply/{issue_uuid}/list` returns it (the richest view). */
export interface Reply extends ReplyWritten {
  attachmentsList: Attachment[];
  creatorInfo: UserInfo;
  id: number;
  is_modify: boolean;
  latest_modify_time: number;
  updatorInfo: UserInfo;
}

/**
 * A workspace member as `GET workspace/members/list` returns it (field set of the published response
 * sample, docs/zh/open-api/workspace-member/list.md in GuanceCloud/guance-docs).
 */
export interface Member {
  createAt: number;
  creator: string;
  deleteAt: number;
  email: string;
  extend: Record<string, unknown>;
  exterId: string;
  id: number;
  mobile: string;
  name: string;
  nameSpace: string;
  role: string;
  status: number;
  updateAt: number;
  updator: string;
  userIconUrl: string;
  userType: string;
  username: string;
  uuid: string;
  waitAudit: number;
}

export interface PageInfo {
  count: number;
  pageIndex: number;
  pageSize: number;
  totalCount: number;
}
