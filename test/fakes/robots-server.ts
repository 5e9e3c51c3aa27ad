/**
 * One HTTP fake for the three group-robot webhooks, on the shared core (`core/http-fake.ts`:
 * recording, faults, latency, the timing model):
 *   - DingTalk custom robot  `POST /robot/send?access_token=<token>[&timestamp=<ms>&sign=<sign>]`
 *   - WeCom group robot      `POST /cgi-bin/webhook/send?key=<key>`
 *   - Lark custom bot        `POST /open-apis/bot/v2/hook/<token>`
 * Wire formats and rules live in `robots/{dingtalk,wecom,lark-bot}.ts`; shared types in `robots/robot.ts`.
 *
 * A request is recorded, then: an injected fault (`fail` / `failNext`) answers in place of
 * everything; else a "permanently broken" robot answers its error; else the platform's rules.
 * Robots are identified as `kind:token` (`dingtalk:abc`, `wecom:<key>`, `lark:<token>`); every
 * method taking a robot also takes the bare token when it names one robot only.
 */
import { startHttpFake, type HttpFake, type Reply } from './core/http-fake.js';
import { busiestWindow } from './core/rate-window.js';
import type { FakeRequest, RequestMatch } from './core/request.js';
import { DingTalkPlatform, DINGTALK_PATH } from './robots/dingtalk.js';
import { LarkBotPlatform } from './robots/lark-bot.js';
import { codeOf, robotId, Robots, type RobotConfig, type RobotFault, type RobotKind, type RobotMessage, type RobotPlatform, type RobotRecordedRequest } from './robots/robot.js';
import { WeComPlatform, WECOM_PATH } from './robots/wecom.js';

export type { RequestMatch } from './core/request.js';
export { dingTalkSign } from './robots/dingtalk.js';
export { larkBotSign, LARK_BOT_MAX_BODY_BYTES } from './robots/lark-bot.js';
export type { RobotConfig, RobotFault, RobotKind, RobotMessage, RobotRecordedRequest } from './robots/robot.js';
export { WECOM_MAX_BYTES, WECOM_TOO_LONG_CODE } from './robots/wecom.js';

export interface RobotsFakeOptions {
  port?: number;
  /** ms clock of records, rate windows and signature timestamps; default `Date.now`. */
  now?: () => number;
  /** DingTalk and WeCom rolling window, ms. Default 60 000 (the real one). */
  windowMs?: number;
  /** DingTalk and WeCom accepted messages per robot per `windowMs`. Default 20; 0 = no limit. */
  perWindow?: number;
  /** How long a DingTalk robot that went over stays refused with 410100. Default `windowMs` (real: 10 min); 0 = only the window. */
  throttleMs?: number;
  /** Lark short window, ms. Default 1000. */
  larkPerSecondWindowMs?: number;
  /** Lark accepted messages per bot per short window. Default 5; 0 = no limit. */
  larkPerSecond?: number;
  /** Lark long window, ms. Default 60 000. */
  larkPerMinuteWindowMs?: number;
  /** Lark accepted messages per bot per long window. Default 100; 0 = no limit. */
  larkPerMinute?: number;
}

/** What `addDingTalk` / `addWeCom` / `addLarkBot` return. */
export interface RobotHandle {
  /** `kind:token`. */
  id: string;
  kind: RobotKind;
  token: string;
  secret?: string;
  /** The webhook URL on this fake (DingTalk: without timestamp/sign; signing is the client's job). */
  url: string;
}

/** An answer a broken robot gives: HTTP `status` (default 200) with `body`. */
export interface BrokenAnswer {
  status?: number;
  body: unknown;
}

export interface RobotsFake extends HttpFake<RobotRecordedRequest, RobotFault> {
  dingTalkUrl(token: string): string;
  weComUrl(key: string): string;
  larkBotUrl(token: string): string;
  addDingTalk(robot: { token: string; secret?: string; keywords?: string[] }): RobotHandle;
  addWeCom(robot: { key: string }): RobotHandle;
  addLarkBot(robot: { token: string; secret?: string; keywords?: string[]; legacySuccess?: boolean }): RobotHandle;
  /** The robot is gone (later requests get the unknown-token answer); its messages stay readable. */
  remove(robot: string): void;
  /** Messages the robot accepted (all robots without an argument), in arrival order. A copy. */
  messages(robot?: string): RobotMessage[];
  /** Largest number of accepted requests (idempotent repeats included) of the robot in any window of `windowMs` (default: its platform's main window). */
  maxAcceptedInWindow(robot: string, windowMs?: number): number;
  /** Selects the robot's requests, for failNext / setLatency / requestsMatching / waitForRequest (same function for the same robot). */
  matchRobot(robot: string): RequestMatch<RobotRecordedRequest>;
  /** The robot's next `times` (default 1) requests get `fault`. */
  fail(robot: string, fault: RobotFault, times?: number): void;
  /** Every request to the robot gets `answer` (default: the platform's dead-channel answer) until repaired or reset. */
  breakRobot(robot: string, answer?: BrokenAnswer): void;
  repairRobot(robot: string): void;
  /** Forgets requests, messages, msgUuids, rate windows, throttles, broken modes, faults and latency. Robots stay registered. */
  reset(): void;
}

export async function startRobotsFake(options: RobotsFakeOptions = {}): Promise<RobotsFake> {
  const windowMs = options.windowMs ?? 60_000;
  const perWindow = options.perWindow ?? 20;
  const lark = new LarkBotPlatform({
    perSecondWindowMs: options.larkPerSecondWindowMs ?? 1000,
    perSecond: options.larkPerSecond ?? 5,
    perMinuteWindowMs: options.larkPerMinuteWindowMs ?? 60_000,
    perMinute: options.larkPerMinute ?? 100,
  });
  const platforms: Record<RobotKind, RobotPlatform> = {
    dingtalk: new DingTalkPlatform({ windowMs, perWindow, throttleMs: options.throttleMs ?? windowMs }),
    wecom: new WeComPlatform({ windowMs, perWindow }),
    lark,
  };
  const mainWindowMs: Record<RobotKind, number> = { dingtalk: windowMs, wecom: windowMs, lark: lark.limits.perMinuteWindowMs };
  const robots = new Robots();

  const handle = (req: FakeRequest<RobotRecordedRequest>): Reply => {
    const { record } = req;
    if (record.kind === undefined) return { status: 404, body: { error: `no robot webhook at ${record.path}` } };
    if (record.method !== 'POST') return { status: 405, body: { error: `${record.method} not allowed` }, headers: { allow: 'POST' } };
    const robot = robots.live(record.robot);
    return robot?.broken ?? platforms[record.kind].handle(robot, req);
  };

  const core = await startHttpFake<RobotRecordedRequest, RobotFault, unknown>({
    name: 'robots-fake',
    port: options.port,
    now: options.now,
    newRecord(base) {
      for (const platform of Object.values(platforms)) {
        const token = platform.tokenOf(base);
        if (token === undefined) continue;
        const robot = token === '' ? undefined : robotId(platform.kind, token);
        return { ...base, kind: platform.kind, robot, code: undefined, accepted: false, duplicate: false };
      }
      return { ...base, kind: undefined, robot: undefined, code: undefined, accepted: false, duplicate: false };
    },
    handle,
    faultReply(fault, { record }) {
      const platform = platforms[record.kind ?? 'dingtalk'];
      if (fault.kind === 'throttled') return platform.throttled();
      if (fault.kind === 'body') return { status: 200, body: fault.body };
      return { status: fault.status, body: fault.body ?? platform.busyBody(fault.status), ...(fault.text !== undefined ? { text: fault.text } : {}) };
    },
    errorReply(err) {
      console.error('[robots-fake] handler error', err);
      return { status: 500, body: { error: `robots fake bug: ${err instanceof Error ? err.message : String(err)}` } };
    },
    settle({ record }, outcome) {
      record.code = outcome === 'drop' || outcome.text !== undefined ? undefined : codeOf(outcome.body);
    },
  });

  const urls = {
    dingtalk: (token: string) => `${core.url}${DINGTALK_PATH}?access_token=${encodeURIComponent(token)}`,
    wecom: (key: string) => `${core.url}${WECOM_PATH}?key=${encodeURIComponent(key)}`,
    lark: (token: string) => `${core.url}/open-apis/bot/v2/hook/${encodeURIComponent(token)}`,
  };
  const add = (kind: RobotKind, config: RobotConfig): RobotHandle => {
    const robot = robots.add(kind, config);
    const { token, secret } = robot.config;
    return { id: robot.id, kind, token, ...(secret !== undefined ? { secret } : {}), url: urls[kind](token) };
  };
  const existing = (idOrToken: string) => {
    const robot = robots.get(idOrToken);
    if (robot === undefined) throw new Error(`robots fake: no robot ${idOrToken}`);
    return robot;
  };
  const matchers = new Map<string, RequestMatch<RobotRecordedRequest>>();
  const matchRobot = (idOrToken: string): RequestMatch<RobotRecordedRequest> => {
    const id = robots.resolve(idOrToken);
    let match = matchers.get(id);
    if (match === undefined) {
      match = (r: RobotRecordedRequest) => r.robot === id;
      matchers.set(id, match);
    }
    return match;
  };

  return {
    ...core,
    dingTalkUrl: urls.dingtalk,
    weComUrl: urls.wecom,
    larkBotUrl: urls.lark,
    addDingTalk: ({ token, secret, keywords }) => add('dingtalk', { token, secret, keywords }),
    addWeCom: ({ key }) => add('wecom', { token: key }),
    addLarkBot: ({ token, secret, keywords, legacySuccess }) => add('lark', { token, secret, keywords, legacySuccess }),
    remove(idOrToken) {
      existing(idOrToken).removed = true;
    },
    messages: (idOrToken) => [...(idOrToken === undefined ? robots.log : (robots.get(idOrToken)?.messages ?? []))],
    maxAcceptedInWindow(idOrToken, ms) {
      const id = robots.resolve(idOrToken);
      const kind = id.slice(0, id.indexOf(':')) as RobotKind;
      const times = core.requests.filter((r) => r.robot === id && r.accepted).map((r) => r.at);
      return busiestWindow(times, ms ?? mainWindowMs[kind]);
    },
    matchRobot,
    fail: (idOrToken, fault, times) => core.failNext(matchRobot(idOrToken), fault, times),
    breakRobot(idOrToken, answer) {
      const robot = existing(idOrToken);
      robot.broken = answer === undefined ? platforms[robot.kind].deadReply() : { status: answer.status ?? 200, body: answer.body };
    },
    repairRobot(idOrToken) {
      existing(idOrToken).broken = undefined;
    },
    reset() {
      core.reset();
      robots.reset();
      for (const platform of Object.values(platforms)) platform.reset();
    },
  };
}
