/**
 * What the three group-robot fakes (DingTalk, WeCom, Lark custom bot) share: the record of a
 * request, a registered robot and the messages it accepted, the registry that finds robots by id
 * or token, the faults, and the contract each platform module fulfils (`RobotPlatform`).
 */
import { createHmac } from 'node:crypto';
import type { Reply } from '../core/http-fake.js';
import type { FakeRequest, RecordedRequest } from '../core/request.js';
import type { CoreFault } from '../core/rules.js';

export type RobotKind = 'dingtalk' | 'wecom' | 'lark';
const KINDS: readonly RobotKind[] = ['dingtalk', 'wecom', 'lark'];

export interface RobotRecordedRequest extends RecordedRequest {
  /** Platform the path belongs to; undefined for unknown paths. */
  kind: RobotKind | undefined;
  /** `kind:token` the URL names, registered or not; undefined when it names no token. */
  robot: string | undefined;
  /** `errcode` / `code` / `StatusCode` answered; undefined for drops and text answers. */
  code: number | undefined;
  /** The robot took it (success answer from its own rules; also after `dropAfterWork`). Faults never. */
  accepted: boolean;
  /** Accepted as a repeat of an earlier DingTalk `msgUuid`: answered 0, not recorded again. */
  duplicate: boolean;
}

/** A message a robot accepted. */
export interface RobotMessage {
  /** `kind:token`. */
  robot: string;
  /** `id` of the request that delivered it. */
  requestId: number;
  /** Arrival time, ms (the fake's clock). */
  at: number;
  /** The JSON body as sent (Lark's `timestamp`/`sign` included). */
  body: Record<string, unknown>;
  /** DingTalk's idempotency key, when sent. */
  msgUuid?: string;
}

export type RobotFault =
  /** HTTP `status` with `body` (default: the platform's "system busy" body), or `text` verbatim as text/plain. */
  | { kind: 'status'; status: number; body?: unknown; text?: string }
  /** HTTP 200 with this JSON, e.g. `{errcode:-1,errmsg:"system busy"}` or `{code:11232,msg:"rate limit"}`. */
  | { kind: 'body'; body: unknown }
  /** The platform's own throttle answer (410100 / 45009 / 11232); the robot's state does not change. */
  | { kind: 'throttled' }
  /** Destroy the socket without answering (`drop`), or after the robot took the message (`dropAfterWork`). */
  | CoreFault;

export interface RobotConfig {
  token: string;
  /** Signing secret (DingTalk `SEC…`, Lark custom bot). */
  secret?: string;
  /** Security keywords: a message must contain one of them in some text (DingTalk 310000, Lark 19024). */
  keywords?: string[];
  /** Lark only: answer success in the legacy form `{Extra:null,StatusCode:0,StatusMessage:"success"}`. */
  legacySuccess?: boolean;
}

export const robotId = (kind: RobotKind, token: string): string => `${kind}:${token}`;

export class Robot {
  readonly id: string;
  readonly messages: RobotMessage[] = [];
  /** "Permanently broken": every request gets this answer until repaired. */
  broken: Reply | undefined;
  /** DingTalk: refused with 410100 before this time (ms). */
  throttledUntil = 0;
  removed = false;
  private readonly uuids = new Set<string>();

  constructor(
    readonly kind: RobotKind,
    readonly config: RobotConfig,
    private readonly log: RobotMessage[],
  ) {
    this.id = robotId(kind, config.token);
  }

  /** Takes the message: recorded once per `msgUuid` (a repeat is accepted, marked duplicate, not recorded). */
  accept(record: RobotRecordedRequest, body: Record<string, unknown>, msgUuid?: string): void {
    record.accepted = true;
    if (msgUuid !== undefined && this.uuids.has(msgUuid)) {
      record.duplicate = true;
      return;
    }
    if (msgUuid !== undefined) this.uuids.add(msgUuid);
    const message: RobotMessage = { robot: this.id, requestId: record.id, at: record.at, body, ...(msgUuid !== undefined ? { msgUuid } : {}) };
    this.messages.push(message);
    this.log.push(message);
  }

  reset(): void {
    this.messages.length = 0;
    this.uuids.clear();
    this.broken = undefined;
    this.throttledUntil = 0;
  }
}

/** Every robot ever added (removed ones keep their messages), and every accepted message in order. */
export class Robots {
  readonly log: RobotMessage[] = [];
  private readonly byId = new Map<string, Robot>();

  add(kind: RobotKind, config: RobotConfig): Robot {
    if (config.token === '') throw new Error('robots fake: a robot needs a non-empty token');
    const existing = this.byId.get(robotId(kind, config.token));
    if (existing !== undefined && !existing.removed) throw new Error(`robots fake: ${existing.id} is already registered`);
    const robot = new Robot(kind, { ...config }, this.log);
    this.byId.set(robot.id, robot);
    return robot;
  }

  /** The registered (not removed) robot with this id. */
  live(id: string | undefined): Robot | undefined {
    const robot = id === undefined ? undefined : this.byId.get(id);
    return robot?.removed === false ? robot : undefined;
  }

  /**
   * The id for `kind:token` or a bare token/key. A `kind:token` is taken as is (registered or not);
   * a bare token must name exactly one robot ever added.
   */
  resolve(idOrToken: string): string {
    if (this.byId.has(idOrToken)) return idOrToken;
    const colon = idOrToken.indexOf(':');
    if (colon > 0 && KINDS.some((k) => k === idOrToken.slice(0, colon))) return idOrToken;
    const found = [...this.byId.values()].filter((r) => r.config.token === idOrToken);
    if (found.length > 1) throw new Error(`robots fake: token ${idOrToken} is ambiguous; use one of ${found.map((r) => r.id).join(', ')}`);
    const robot = found[0];
    if (robot === undefined) throw new Error(`robots fake: no robot ${idOrToken}`);
    return robot.id;
  }

  get(idOrToken: string): Robot | undefined {
    return this.byId.get(this.resolve(idOrToken));
  }

  reset(): void {
    this.log.length = 0;
    for (const robot of this.byId.values()) robot.reset();
  }
}

/** One platform's wire format and rules, plugged into the shared server. */
export interface RobotPlatform {
  readonly kind: RobotKind;
  /** The token a request to this platform names (`''` when none); undefined when the path is not this platform's. */
  tokenOf(record: RecordedRequest): string | undefined;
  /** Answers a POST to this platform; `robot` is the registered robot the URL names, if any. */
  handle(robot: Robot | undefined, req: FakeRequest<RobotRecordedRequest>): Reply;
  /** Body of a `status` fault that gave none. */
  busyBody(status: number): unknown;
  /** The platform's throttle answer. */
  throttled(): Reply;
  /** Default answer of a "permanently broken" robot (a dead channel on this platform). */
  deadReply(): Reply;
  /** Forgets rate windows. */
  reset(): void;
}

export const HOUR_MS = 3_600_000;

export const hmacBase64 = (key: string, message: string): string => createHmac('sha256', key).update(message, 'utf8').digest('base64');

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Every string value inside `value`, joined (for keyword checks). */
export function textsOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(textsOf).join('\n');
  if (isRecord(value)) return Object.values(value).map(textsOf).join('\n');
  return '';
}

/** Whether the message contains one of the robot's keywords (true when it has none). */
export const hasKeyword = (robot: Robot, payload: unknown): boolean => {
  const keywords = robot.config.keywords ?? [];
  const text = textsOf(payload);
  return keywords.length === 0 || keywords.some((k) => text.includes(k));
};

/** The numeric result code of an answer body, whatever the platform calls it. */
export function codeOf(body: unknown): number | undefined {
  if (!isRecord(body)) return undefined;
  for (const key of ['errcode', 'code', 'StatusCode']) {
    const v = body[key];
    if (typeof v === 'number') return v;
  }
  return undefined;
}
