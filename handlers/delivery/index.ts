/** New issues and notifications → one card per target chat, exactly once. */
export { markFirstRun, pollIssues, pollNow } from './poll-issues.js';
export { postCard } from './post-card.js';
export { postIssueCard } from './post-issue-card.js';
export { enqueueCardDeliveries } from './targets.js';
