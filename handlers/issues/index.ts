/** The one issue core (every source's cards): snapshots, the locked read → change → refresh step, card rendering and refresh, bot comments. */
export { applyIssueAction, waitForLock, withItemLock, type ActionOutcome, type ActionRequest } from './apply-action.js';
export { stillUnacknowledged } from './unacknowledged.js';
export { CARD_ITEM_PATTERN, isCardItemId, isOwnItem, ownItemId, type OwnSource } from './item-id.js';
export { cancelEscalations, stopReminders } from './escalation-cancel.js';
export { resolveMentions, withMentionFallback } from './mentions.js';
export { levelSeverity } from './severity.js';
export { postToThreads } from './thread-posts.js';
export { BOT_MARK, botCommentExtend, botCommentRef, isBotComment, writeBotCommentOnce } from './bot-comments.js';
export { refreshCard, refreshCards, refreshCardsSoon } from './refresh-card.js';
export { dayIn, recordResponse } from './response-times.js';
export { builtInLevel, consoleLink, issueSnapshot, levelTable, listItemOf, renderIssueCard } from './snapshot.js';
