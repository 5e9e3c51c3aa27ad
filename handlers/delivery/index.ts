/** New Guance issues → one card per target chat, exactly once. */
export { markFirstRun, pollIssues } from './poll-issues.js';
export { postIssueCard } from './post-issue-card.js';
