/**
 * Chat command grammar (SPEC "Chat commands"). Pure: text in, `Command` out; never throws.
 *
 * The input is the plain text from `extractMessageText` (the bot's own @ already removed).
 *
 * Forms (keywords case-insensitive; surrounding, repeated and full-width U+3000 spaces tolerated;
 * `＃` is accepted for `#`; an optional `:` / `：` may follow a keyword; an optional leading `/`
 * before a keyword is ignored, e.g. `/ack`):
 *
 * | text                                        | command                                   |
 * |---------------------------------------------|-------------------------------------------|
 * | `#issue_x#text` / `＃issue_x＃text`          | comment on issue_x (legacy form)          |
 * | `reply issue_x text` / `回复 issue_x text`    | comment on issue_x                        |
 * | `ack [issue_x]`, `acknowledge`, `确认`, `认领` | ack                                       |
 * | `resolve [issue_x] [note]`, `解决 …`          | resolve, note '' when none                |
 * | `reopen [issue_x]`, `重新打开`                 | reopen                                    |
 * | `list`, `列表`                               | list                                      |
 * | `help`, `帮助`, `?`, `？`                      | help (asked)                              |
 * | empty                                       | help (empty)                              |
 *
 * Rules for telling a command from an ordinary sentence (decisive inside an issue card's thread,
 * where everything that is not a command becomes a comment on the thread's issue):
 *
 * 1. The keyword must be the first word. An English keyword must be followed by whitespace, a
 *    colon or the end (`acknowledged`, `ack,` and `listing` are not commands).
 * 2. A Chinese keyword (or `?`) may be glued to what follows only when that is an issue id
 *    (`解决issue_x`, `回复issue_x文本`) or a colon (`回复：issue_x 文本`). Glued ordinary text is a
 *    sentence, not a command: `确认一下…`, `解决了吗？`, `回复一下` must never change an issue.
 * 3. Commands that take no free text (`ack`, `reopen`, `list`, `help`) are commands only when
 *    nothing but an optional issue id (and trailing punctuation such as `。` or `!`) follows.
 *    `list of things is long` or `ack this later` is a sentence. `list` and `help` take no id.
 * 4. `reply` and `resolve` take free text, so whatever follows them (after an optional id) is the
 *    comment / note.
 * 5. A word in the id position that starts with `issue_` must be a well-formed id
 *    (ISSUE_ID_PATTERN); `ack issue_12-ab` is not a command.
 * 6. Not a command: inside an issue thread → `{kind:'comment', issue:null, text}` with the whole
 *    (trimmed) text; elsewhere → help 'unknown'.
 * 7. A command without an id keeps `issue: null` both inside a thread (the thread's issue is meant)
 *    and outside (the handler asks which issue). An explicit id always wins.
 * 8. `reply`/`回复` or the legacy form with no text → help 'missing-text' (in a thread too: an
 *    explicit reply command with nothing to say is a mistake, not a comment "reply").
 */

export type Command =
  | { kind: 'comment'; issue: string | null; text: string } // issue null = implied by the card thread
  | { kind: 'ack'; issue: string | null }
  | { kind: 'resolve'; issue: string | null; note: string }
  | { kind: 'reopen'; issue: string | null }
  | { kind: 'snooze'; issue: string | null; minutes: number }
  | { kind: 'assign'; issue: string | null }
  | { kind: 'warroom'; issue: string | null }
  | { kind: 'list' }
  | { kind: 'help'; reason: 'asked' | 'empty' | 'unknown' | 'missing-text' };

export interface ParseContext {
  /** true when the message is a reply in an issue card's thread */
  inIssueThread: boolean;
}

/** Guance issue ids, and the ids the bot gives cards of other sources (only in their exact form: `error_…` is a common word). */
const ID_BODY = '(?:issue_[A-Za-z0-9]+|(?:alert|sentry|error)_[0-9a-f]{32})';

/**
 * A whole Guance issue id, e.g. `issue_6b8a3c…`: `issue_` followed by letters and digits.
 * Anchored (tests a complete token) and without the `g` flag, so `.test()` is stateless.
 */
export const ISSUE_ID_PATTERN: RegExp = new RegExp(`^${ID_BODY}$`);

/** An id at the start of a string, ending where the next character cannot belong to an id. */
const LEADING_ID = new RegExp(`^(${ID_BODY})(?![A-Za-z0-9_-])`);
/** A word in the id position that is meant as an id; it must then be well-formed. */
const LOOKS_LIKE_ID = /^issue_/i;
/** Legacy `#issue_x#text`, with `＃` and spaces around the id allowed. */
const LEGACY = new RegExp(`^[#＃]\\s*(${ID_BODY})\\s*[#＃]([\\s\\S]*)$`);
/** Separators allowed between keyword / id and what follows. */
const LEADING_SEPARATORS = /^[\s:：,，;；、]+/;
/** What may trail a no-argument command and still leave it a command: nothing, or punctuation. */
const TRIVIAL = /^[\s.。!！,，;；:：、]*$/;

type Kind = 'reply' | 'ack' | 'resolve' | 'reopen' | 'list' | 'help' | 'snooze' | 'assign' | 'warroom';

interface Keyword {
  word: string;
  kind: Kind;
  /** English words need a separator after them; CJK words and symbols may be glued to an id. */
  latin: boolean;
}

const KEYWORDS: readonly Keyword[] = (
  [
    ['reply', 'reply'],
    ['回复', 'reply'],
    ['acknowledge', 'ack'],
    ['ack', 'ack'],
    ['确认', 'ack'],
    ['认领', 'ack'],
    ['resolve', 'resolve'],
    ['解决', 'resolve'],
    ['reopen', 'reopen'],
    ['重新打开', 'reopen'],
    ['snooze', 'snooze'],
    ['暂缓', 'snooze'],
    ['assign', 'assign'],
    ['指派', 'assign'],
    ['warroom', 'warroom'],
    ['war room', 'warroom'],
    ['作战室', 'warroom'],
    ['list', 'list'],
    ['列表', 'list'],
    ['help', 'help'],
    ['帮助', 'help'],
    ['?', 'help'],
    ['？', 'help'],
  ] as const
)
  .map(([word, kind]): Keyword => ({ word, kind, latin: /^[a-z ]+$/.test(word) }))
  // Longest first, so a longer keyword is never shadowed by a shorter one it starts with.
  .sort((a, b) => b.word.length - a.word.length);

export function parseCommand(text: string, ctx: ParseContext): Command {
  // String.prototype.trim covers U+3000 and the other Unicode spaces.
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'help', reason: 'empty' };

  const notACommand = (): Command =>
    ctx.inIssueThread ? { kind: 'comment', issue: null, text: trimmed } : { kind: 'help', reason: 'unknown' };

  const legacy = LEGACY.exec(trimmed);
  if (legacy) {
    const issue = legacy[1] ?? null;
    const body = (legacy[2] ?? '').trim();
    if (body === '') return { kind: 'help', reason: 'missing-text' };
    return { kind: 'comment', issue, text: body };
  }

  const matched = matchKeyword(trimmed.replace(/^\//, ''));
  if (matched === null) return notACommand();
  const { keyword, args } = matched;

  const split = splitIssue(args);
  if (split === null) return notACommand();
  const { issue, rest } = split;
  const restIsEmpty = TRIVIAL.test(rest);

  switch (keyword.kind) {
    case 'reply':
      if (restIsEmpty) return { kind: 'help', reason: 'missing-text' };
      return { kind: 'comment', issue, text: rest.trim() };
    case 'resolve':
      return { kind: 'resolve', issue, note: restIsEmpty ? '' : rest.trim() };
    case 'ack':
    case 'reopen':
      if (!restIsEmpty) return notACommand();
      return { kind: keyword.kind, issue };
    case 'snooze': {
      const minutes = durationMinutes(rest);
      return minutes === null ? notACommand() : { kind: 'snooze', issue, minutes };
    }
    case 'assign':
      // The person is the message's @mention (its open_id comes with the message, not the text).
      if (!rest.trim().startsWith('@')) return notACommand();
      return { kind: 'assign', issue };
    case 'warroom':
      if (!restIsEmpty) return notACommand();
      return { kind: 'warroom', issue };
    case 'list':
      if (issue !== null || !restIsEmpty) return notACommand();
      return { kind: 'list' };
    case 'help':
      if (issue !== null || !restIsEmpty) return notACommand();
      return { kind: 'help', reason: 'asked' };
  }
}

/** `30m`, `4h`, `1d`, `90` (minutes), `2 小时`, `1天`, `1.5h` → minutes (at most 30 days); anything else → null. */
export function durationMinutes(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*(m|min|mins|minutes?|h|hrs?|hours?|d|days?|分钟|分|小时|时|天)?[\s.。!！]*$/i.exec(text.trim());
  if (!match) return null;
  const value = Number(match[1]);
  const unit = (match[2] ?? 'm').toLowerCase();
  const factor = /^(h|hrs?|hours?|小时|时)$/.test(unit) ? 60 : /^(d|days?|天)$/.test(unit) ? 1440 : 1;
  const minutes = value * factor;
  return minutes > 0 && minutes <= 30 * 1440 ? minutes : null;
}

/** The keyword at the start of `s` and the text after it (separators removed), or null. */
function matchKeyword(s: string): { keyword: Keyword; args: string } | null {
  for (const keyword of KEYWORDS) {
    if (s.slice(0, keyword.word.length).toLowerCase() !== keyword.word) continue;
    const after = s.slice(keyword.word.length);
    // Nothing but punctuation after it (`认领！`, `ack.`): the bare command.
    if (TRIVIAL.test(after)) return { keyword, args: '' };
    if (/^[\s:：]/.test(after)) return { keyword, args: after.replace(/^\s*[:：]?\s*/, '') };
    // Glued: rule 2 above.
    if (!keyword.latin && LEADING_ID.test(after)) return { keyword, args: after };
    // An English keyword glued to more letters is another word (`acknowledged`); a CJK one glued
    // to ordinary text starts a sentence (`解决了吗`). Not this keyword; try the others.
  }
  return null;
}

/**
 * Takes an optional issue id off the front of a command's arguments. Null when the id position
 * holds something meant as an id that is not a well-formed one.
 */
function splitIssue(args: string): { issue: string | null; rest: string } | null {
  const id = LEADING_ID.exec(args);
  if (id) {
    const issue = id[1] ?? '';
    return { issue, rest: args.slice(issue.length).replace(LEADING_SEPARATORS, '') };
  }
  if (LOOKS_LIKE_ID.test(args)) return null;
  return { issue: null, rest: args };
}
