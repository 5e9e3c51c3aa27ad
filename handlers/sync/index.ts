/** Guance → Lark: replies and status changes made in Guance reach each card's thread and the card. */
export { startFollowing } from './follow.js';
export { syncIssues } from './round.js';
