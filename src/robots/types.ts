/**
 * Robot sinks: DingTalk custom robots, WeCom group robots and Lark custom bots (../shared/reference/sources-and-sinks.md
 * §3–6, lark-platform.md §7–8). One webhook URL each; the URL (its token) is the credential and is never logged.
 */
export type RobotKind = 'dingtalk' | 'wecom' | 'lark-webhook';

export interface RobotSink {
  /** `dingtalk`, `wecom`, `lark-webhook` for the ones from the environment; the routes file's names otherwise. */
  name: string;
  kind: RobotKind;
  url: string;
  /** Signing secret (DingTalk `SEC…`, Lark custom bot); WeCom has none. */
  secret?: string;
}

/** One rolling window of a robot's documented limit. */
export interface RobotLimit {
  windowMs: number;
  limit: number;
}

/** What a robot message shows, whatever the robot: built by the product from a card snapshot or a storm digest. */
export interface RobotView {
  /** One line: `[P1] Checkout returns 500` or `12 new issues in the last minute`. */
  title: string;
  /** Level name for colour / emphasis (`P0`…`P3`, a Guance custom level name), or null. */
  level: string | null;
  /** Short status text in the bot's language (`Open`, `Resolved`…). */
  status: string;
  /** Source label (`Guance`, `Sentry`, `Guance monitor`, `Error report`). */
  source: string;
  /** When, already formatted in the bot's time zone. */
  time: string;
  fields: { name: string; value: string }[];
  /** Plain text excerpt (may be long: each renderer cuts to its robot's size). */
  excerpt: string;
  /** Links to open (the issue in Guance, Sentry, the alert, the report). The first is the main one. */
  links: { label: string; url: string }[];
  /** A digest: one line per issue, most severe first. Empty for a single issue. */
  lines: { level: string | null; title: string; url?: string }[];
}
