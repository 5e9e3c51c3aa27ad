/** New issues and notifications → routes → one card per target chat and one message per robot sink, exactly once; storm digests. */
export { markFirstRun, pollIssues, pollNow } from './poll-issues.js';
export { postCard } from './post-card.js';
export { postIssueCard } from './post-issue-card.js';
export { postRobot } from './post-robot.js';
export { postDigest, refreshDigest } from './storm.js';
export { enqueueCardDeliveries } from './targets.js';
