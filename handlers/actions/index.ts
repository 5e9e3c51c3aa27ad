/** Card buttons: Acknowledge / Resolve / Reopen, through the one issue core; the result becomes Lark's answer. */
export { CLICK_ANSWER_WAIT_MS, buttonValueSchema, cardActionResultSchema, handleCardAction } from './handle-card-action.js';
