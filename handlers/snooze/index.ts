/** Snooze an issue for a while: escalation pauses, and at expiry it re-surfaces if nobody took it. */
export { snoozeExpiry, snoozeItem, unsnoozeItem, type SnoozeOutcome } from './snooze.js';
