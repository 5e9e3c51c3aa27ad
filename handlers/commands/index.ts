/** Chat messages: is it for the bot → parse (English and Chinese) → run → one answer in the same thread. */
export { handleMessage } from './handle-message.js';
export { commentOnIssue, type CommentOutcome } from './run-command.js';
