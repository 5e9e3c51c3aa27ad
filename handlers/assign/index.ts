/** Make a Lark person the Guance assignee of an issue, matched by e-mail. */
export { assignIssue, type AssignOutcome } from './assign.js';
