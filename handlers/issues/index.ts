/** The one issue core: snapshots, the locked read → change → refresh step, card rendering and refresh, bot comments. */
export { applyIssueAction, type ActionOutcome, type ActionRequest } from './apply-action.js';
export { BOT_MARK, botCommentExtend, botCommentRef, isBotComment } from './bot-comments.js';
export { refreshCard, refreshCards } from './refresh-card.js';
export { recordResponse } from './response-times.js';
export { consoleLink, issueSnapshot, levelTable, listItemOf, renderIssueCard } from './snapshot.js';
