/** The card layer's public surface: pure builders, data in, Lark card JSON 2.0 out. */
export { buildHelpCard } from './help-card.js';
export { buildIssueCard } from './issue-card.js';
export { buildListCard, type ListCardOptions } from './list-card.js';
export { buildNoticeCard } from './result-card.js';
export {
  interpolate,
  larkLocales,
  MESSAGE_KEYS,
  MESSAGES,
  t,
  toLanguage,
  type MessageKey,
  type MessageParams,
  type MessagePlaceholder,
  type PlainMessageKey,
} from './i18n.js';
export {
  actionLabel,
  buttonRow,
  buttonsFor,
  callbackButton,
  CARD_BYTE_TARGET,
  cardByteLength,
  cardFits,
  cleanText,
  clipLine,
  countCardElements,
  escapeLarkMd,
  formatTime,
  isHeaderTemplate,
  levelTemplate,
  markdownBlock,
  markdownLinkTarget,
  MAX_CARD_BYTES,
  MAX_CARD_ELEMENTS,
  plainExcerpt,
  plainText,
  safeUrl,
  singleLine,
  statusName,
  templateForColour,
  textBlock,
  textTagColour,
  truncateText,
  urlButton,
  type ButtonOptions,
} from './parts.js';
export type * from './types.js';
