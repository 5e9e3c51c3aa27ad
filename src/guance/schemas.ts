/**
 * zod schemas for the parts of the Guance (观测云) OpenAPI the bot uses (exception tracking).
 *
 * Liberal on purpose: published doc versions disagree (`level` is a uuid string, a legacy integer
 * or `""`; timestamps are Unix seconds, sometimes floats; list `content` is an array or
 * `{data, pageInfo}`; `pageInfo` is top-level or nested), so every object is a loose object,
 * optional text defaults to `''`, and anything the bot does not read is passed through untouched.
 * See shared/reference/guance-openapi.md §1–2.
 */
import { z } from 'zod';

/** Workflow status (`statusType`). Older workspaces accept only open/resolved/pending. */
export const STATUS = { open: 10, working: 15, resolved: 20, closed: 25, pending: 30 } as const;
export type StatusName = keyof typeof STATUS;
/**
 * An issue id as Guance makes them: `issue_` and 32 lowercase hex digits (every sample in
 * ../shared/reference/samples/guance; the reference names no other form). Anything else names no issue, so
 * it is answered "unknown issue" without spending a request of the budget.
 */
export const ISSUE_UUID_PATTERN = /^issue_[0-9a-f]{32}$/;
export const isIssueUuid = (value: string): boolean => ISSUE_UUID_PATTERN.test(value);

/** Resolved and Closed: nothing left to do on the issue. */
export const FINISHED_STATUSES: ReadonlySet<number> = new Set([STATUS.resolved, STATUS.closed]);
/** Open and nobody has it yet (the bot keeps the same numbers for cards of other sources). */
export const UNACKNOWLEDGED_STATUSES: ReadonlySet<number> = new Set([STATUS.open, STATUS.pending]);

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

/** A number, also when sent as a numeric string (floats allowed: `1686397319.9216194`). */
const num = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);
/** Text that may be missing or null; becomes `''`. */
const text = z
  .string()
  .nullish()
  .transform((v) => v ?? '');
/** Optional text; null becomes undefined. */
const optText = z
  .string()
  .nullish()
  .transform((v) => v ?? undefined);
/** An object we keep as-is; missing or null becomes `{}`. */
const looseRecord = z
  .looseObject({})
  .nullish()
  .transform((v): Record<string, unknown> => v ?? {});

const GuanceUserInfoSchema = z.looseObject({
  name: optText,
  acntWsNickname: optText,
  email: optText,
  username: optText,
  uuid: optText,
  iconUrl: optText,
});
export type GuanceUserInfo = z.output<typeof GuanceUserInfoSchema>;

const optUserInfo = GuanceUserInfoSchema.nullish().transform((v) => v ?? undefined);

/**
 * `level`: a level uuid (`system_level_0..3`, `issl_…`), the legacy integer, `""` or missing.
 * Normalised to a string (numbers kept as their decimal text, e.g. `2` → `"2"`) or null when empty.
 */
const GuanceLevelRefSchema = z
  .union([z.string(), z.number(), z.null()])
  .optional()
  .transform((v): string | null => (v === undefined || v === null || v === '' ? null : String(v)));

// ---------------------------------------------------------------------------------------------
// Objects
// ---------------------------------------------------------------------------------------------

export const GuanceIssueSchema = z.looseObject({
  uuid: z.string().min(1),
  name: text,
  description: text,
  level: GuanceLevelRefSchema,
  statusType: num,
  resource: text,
  resourceType: text,
  resourceUUID: text,
  extend: looseRecord,
  creator: text,
  updator: text,
  creatorInfo: optUserInfo,
  updatorInfo: optUserInfo,
  createAt: num,
  updateAt: num,
  deleteAt: num.nullish().transform((v) => v ?? -1),
  workspaceUUID: optText,
  /** Detail endpoint only. */
  levelInfo: z
    .looseObject({ name: text, color: text })
    .nullish()
    .transform((v) => v ?? undefined),
  /** Detail endpoint only: teams `{name, uuid}`, accounts (user info) or external `{email, name}`. */
  managerInfos: z
    .array(GuanceUserInfoSchema)
    .nullish()
    .transform((v) => v ?? undefined),
  /** Detail endpoint only. */
  bindChannels: z
    .array(z.looseObject({ name: text, uuid: z.string() }))
    .nullish()
    .transform((v) => v ?? undefined),
});
export type GuanceIssue = z.output<typeof GuanceIssueSchema>;

export const GuanceReplySchema = z.looseObject({
  uuid: z.string().min(1),
  issueUUID: z.string(),
  content: text,
  /** `reply` (a person or an API key wrote it) or `change` (system activity entry); others possible. */
  type: z.string(),
  extend: looseRecord,
  creator: text,
  creatorInfo: optUserInfo,
  createAt: num,
  updateAt: num,
  deleteAt: num.nullish().transform((v) => v ?? undefined),
  /** Files attached to a reply; names only matter to the bot (the files are a console link away). */
  attachmentsList: z
    .array(z.looseObject({ fileName: z.string().optional().catch(undefined), fileSuffix: z.string().optional().catch(undefined) }))
    .optional()
    .catch(undefined),
});
export type GuanceReply = z.output<typeof GuanceReplySchema>;

export const GuanceChannelSchema = z.looseObject({
  uuid: z.string().min(1),
  name: text,
  description: text,
  /** `-1` (or missing) while live; a timestamp once deleted. */
  deleteAt: num.nullish().transform((v) => v ?? undefined),
  createAt: num.nullish().transform((v) => v ?? undefined),
  updateAt: num.nullish().transform((v) => v ?? undefined),
});
export type GuanceChannel = z.output<typeof GuanceChannelSchema>;

export const GuanceLevelSchema = z.looseObject({
  uuid: z.string().min(1),
  name: text,
  color: text,
  description: optText,
  isDefault: z
    .boolean()
    .nullish()
    .transform((v) => v ?? undefined),
});
export type GuanceLevel = z.output<typeof GuanceLevelSchema>;

// ---------------------------------------------------------------------------------------------
// Envelope and lists
// ---------------------------------------------------------------------------------------------

export interface GuancePageInfo {
  pageIndex: number;
  pageSize: number;
  totalCount: number;
  /** Items on this page. */
  count: number;
}

/** As sent: any field may be missing in some versions. */
export const GuancePageInfoSchema = z.looseObject({
  count: num.optional(),
  pageIndex: num.optional(),
  pageSize: num.optional(),
  totalCount: num.optional(),
});
export type GuancePageInfoPartial = z.output<typeof GuancePageInfoSchema>;

/** `{code, content, errorCode, message, success, traceId, pageInfo?}`; `content` is parsed per endpoint. */
export const GuanceEnvelopeSchema = z.looseObject({
  code: num.nullish().transform((v) => v ?? undefined),
  content: z.unknown(),
  errorCode: text,
  message: text,
  success: z
    .boolean()
    .nullish()
    .transform((v) => v ?? undefined),
  /** Documented as boolean, actually a (numeric) string. */
  traceId: z
    .union([z.string(), z.number(), z.boolean()])
    .nullish()
    .transform((v) => (v === null || v === undefined || typeof v === 'boolean' ? '' : String(v))),
  pageInfo: GuancePageInfoSchema.nullish().transform((v) => v ?? undefined),
});
export type GuanceEnvelope = z.output<typeof GuanceEnvelopeSchema>;

/**
 * List `content` in either shape: `Item[]` (pageInfo, if any, top-level) or `{data: Item[], pageInfo}`
 * (`issue/list`). `null` is an empty list. Output: `{items, pageInfo}` with the nested pageInfo if present.
 */
/** A workspace member (§2.7): the account uuid is what `extend.manager` holds. */
export const GuanceMemberSchema = z.looseObject({
  uuid: z.string().min(1),
  name: z.string().nullish(),
  email: z.string().nullish(),
  username: z.string().nullish(),
  mobile: z.string().nullish(),
});
export type GuanceMember = z.infer<typeof GuanceMemberSchema>;

export function guanceListContent<T extends z.ZodType>(item: T) {
  const shape = z.union([
    z.array(z.unknown()).transform((items) => ({ items, pageInfo: undefined as GuancePageInfoPartial | undefined })),
    z
      .looseObject({ data: z.array(z.unknown()).nullish(), pageInfo: GuancePageInfoSchema.nullish() })
      .transform((c) => ({ items: c.data ?? [], pageInfo: c.pageInfo ?? undefined })),
    z.null().transform(() => ({ items: [] as unknown[], pageInfo: undefined as GuancePageInfoPartial | undefined })),
  ]);
  // Shape first, items second, so a bad item is reported by its path (`items.3.uuid`).
  return shape.pipe(z.object({ items: z.array(item), pageInfo: z.custom<GuancePageInfoPartial | undefined>() }));
}

/**
 * The page info wherever it was (nested in `content` first, then top-level), with the gaps filled
 * from what was asked for and what came back.
 */
export function resolvePageInfo(
  found: { nested?: GuancePageInfoPartial | undefined; topLevel?: GuancePageInfoPartial | undefined },
  requested: { pageIndex: number; pageSize: number },
  itemCount: number,
): GuancePageInfo {
  const source = found.nested ?? found.topLevel ?? {};
  const pageIndex = source.pageIndex ?? requested.pageIndex;
  const pageSize = source.pageSize ?? requested.pageSize;
  const count = source.count ?? itemCount;
  const totalCount = source.totalCount ?? (pageIndex - 1) * pageSize + itemCount;
  return { pageIndex, pageSize, totalCount, count };
}

/** A short account of what did not match, paths and reasons only (never the values received). */
export function describeSchemaError(error: z.ZodError, max = 5): string {
  const parts = error.issues
    .slice(0, max)
    .map((i) => `${i.path.length > 0 ? i.path.map(String).join('.') : 'content'}: ${i.message}`);
  if (error.issues.length > max) parts.push(`… ${error.issues.length - max} more`);
  return parts.join('; ');
}

// ---------------------------------------------------------------------------------------------
// `extend`: free-form on the wire; the fields the bot reads, each parsed on its own so one odd field never hides the rest
// ---------------------------------------------------------------------------------------------

const optString = z.string().optional().catch(undefined);

/** The `extend` fields of an issue the bot reads (../shared/reference/guance-openapi.md §2.2). */
const IssueExtendSchema = z.object({
  /** Plain-text body, when the issue was created with one. */
  text: optString,
  /** Console path of the issue (Guance's own spelling). */
  view_isuue_url: optString,
  /** Assignees: account uuids, team uuids or e-mails. */
  manager: z.array(z.unknown()).catch([]).transform((list) => list.filter((m): m is string => typeof m === 'string')),
  extra: z
    .object({ managerInfos: z.record(z.string(), z.object({ name: optString }).catch({})).catch({}) })
    .partial()
    .catch({}),
});
export type IssueExtend = z.output<typeof IssueExtendSchema>;

/** The `extend` fields of a reply the bot reads. */
export const ReplyExtendSchema = z.object({
  text: optString,
  extra: z.object({ creator: z.object({ name: optString }).catch({}) }).partial().catch({}),
  linkList: z.array(z.looseObject({ name: z.unknown().optional(), link: z.unknown().optional() })).catch([]),
});
export type ReplyExtend = z.output<typeof ReplyExtendSchema>;

export const issueExtend = (issue: Pick<GuanceIssue, 'extend'>): IssueExtend => IssueExtendSchema.parse(issue.extend);
export const replyExtend = (reply: Pick<GuanceReply, 'extend'>): ReplyExtend => ReplyExtendSchema.parse(reply.extend);
