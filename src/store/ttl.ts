/**
 * Every lifetime of the bot's Redis state, in one place. Seconds unless the name says otherwise.
 */
const HOUR = 60 * 60;
const DAY = 24 * HOUR;

/**
 * Lark re-sends a push it got no 2xx for over ~7.1 h (../shared/reference/lark-platform.md §2): ids, claims and
 * stored answers outlive that, so a late re-send is still recognised as the same event.
 */
export const DEDUPE_SECONDS = 9 * HOUR;
/** Cards can be updated for 14 days; links and snapshots are kept a while longer for thread replies and sync. */
export const CARD_LINK_SECONDS = 30 * DAY;
/** Sync's "posted" and "decided" marks and followed-issue state outlive the links a little. */
export const SYNC_STATE_SECONDS = 31 * DAY;
/** A delivery job id stays taken this long: the poller's overlap window re-finds an issue well within it. */
export const DELIVERY_ID_SECONDS = 7 * DAY;
/** Failed jobs are kept for a week for a person to look at. */
export const FAILED_JOB_SECONDS = 7 * DAY;
/** Workspace lookups: levels change rarely, channels a little more often. */
export const GUANCE_LEVELS_SECONDS = HOUR;
export const GUANCE_CHANNELS_SECONDS = 10 * 60;
/** The bot's own open_id and people's names: stable, re-read daily. */
export const LARK_BOT_ID_SECONDS = DAY;
export const LARK_USER_NAME_SECONDS = DAY;
/** A person Lark would not name (no contact scope, left the company) is asked about again sooner. */
export const LARK_UNKNOWN_USER_SECONDS = 10 * 60;

/**
 * Locks, ms. The poll, sync and schedule locks are renewed while their work runs (locks.ts), so these only say
 * how long a holder that was killed stalls the others; the issue lock is not renewed and outlasts its work.
 */
export const LOCK_MS = {
  /** One poll at a time across replicas. */
  poll: 10_000,
  /** One sync round at a time across replicas. */
  sync: 10_000,
  /** Status changes of one issue, from Lark (actions) or Guance (sync), one at a time. */
  issue: 20_000,
  /** One replica upserts the job schedules. */
  schedules: 30_000,
} as const;
