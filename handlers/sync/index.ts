/** Guance → Lark: replies and status changes made in Guance reach each card's thread and the card. */
export { bumpFollowed, startFollowing } from './follow.js';
export { syncIssues, syncNow } from './round.js';
