/**
 * Plain command text out of a received Lark message (`im.message.receive_v1`).
 *
 * Pure: no I/O, no logging. The caller passes `message.message_type`, the raw `message.content`
 * (a JSON *string*, parsed here a second time) and `message.mentions`.
 *
 * Content shapes (Lark page 接收消息内容结构, see shared/reference/lark-platform.md §2):
 * - text: `{"text":"@_user_1 hello"}`. Mentions are placeholders `@_user_N` / `@_all`, links arrive
 *   as `[text](url)`.
 * - post: `{"title":"…","content":[[{tag:"text"|"a"|"at"|"img"|"media"|"emotion"|"hr"|"code_block",…}]]}`
 *   as received (no locale wrapper). The sending form `{"zh_cn":{title,content}}` is accepted too,
 *   as node-sdk's normaliser does. `at.user_id` may be a placeholder (`@_user_1`) or a real open_id.
 */
import { parseJson } from '../../src/json.js';
import { z } from 'zod';

export interface MessageMention {
  key: string;
  id: { open_id?: string; union_id?: string; user_id?: string };
  name: string;
  mentioned_type?: string;
}

export interface ExtractedText {
  text: string;
  mentionsBot: boolean;
  mentionsAll: boolean;
}

const ALL_KEY = '@_all';

const TextContent = z.object({ text: z.string() });

/** Fields of a post element; a field of the wrong type is dropped rather than failing the message. */
const PostElement = z.object({
  tag: z.string(),
  text: z.string().optional().catch(undefined),
  href: z.string().optional().catch(undefined),
  user_id: z.string().optional().catch(undefined),
  user_name: z.string().optional().catch(undefined),
  emoji_type: z.string().optional().catch(undefined),
});
type PostElement = z.infer<typeof PostElement>;

const PostBody = z.object({
  title: z.string().nullish().catch(undefined),
  // Elements are checked one by one so one odd element does not discard the whole message.
  content: z.array(z.array(z.unknown())),
});
type PostBody = z.infer<typeof PostBody>;

const LocaleWrapped = z.record(z.string(), z.unknown());
/** Locale keys tried first when the post is locale-wrapped; any other key is tried after these. */
const PREFERRED_LOCALES = ['zh_cn', 'en_us', 'ja_jp'];

/** Horizontal whitespace, including the full-width space U+3000 (not newlines). */
const H_SPACE = /^[ \t\u00a0\u3000]+/;
const H_SPACE_CHARS = new Set([' ', '\t', '\u00a0', '\u3000']);

/**
 * Horizontal whitespace off both ends. A loop, not `/[ \t]+$/g`: that pattern retries from every blank of a long
 * inner run and backtracks over the rest of it, so 150 KB of blanks in one message (a text message may be that
 * long: ../shared/reference/lark-platform.md §5.3) took the bot's one thread for seconds (fuzz, issue 11).
 */
function trimHorizontal(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && H_SPACE_CHARS.has(s.charAt(start))) start += 1;
  while (end > start && H_SPACE_CHARS.has(s.charAt(end - 1))) end -= 1;
  return s.slice(start, end);
}

/**
 * Turns a received message's content into the plain command text: the bot's own @ placeholder
 * removed, other people's placeholders replaced by "@Name", post paragraphs joined by newlines,
 * links as "text (url)", images/media dropped, code blocks kept as text. Returns null for message
 * types that carry no text (image, file, sticker, system, …) or unparseable content.
 *
 * `mentionsBot` is true only when a mention resolves to `botOpenId` (`mentions[].id.open_id`, or in
 * post content an `at` whose `user_id` is the bot's open_id or a placeholder mapped to it);
 * `mentioned_type === "bot"` alone does not count, since other bots can be mentioned too.
 */
export function extractMessageText(
  messageType: string,
  content: string,
  mentions: MessageMention[] | undefined,
  botOpenId: string,
): ExtractedText | null {
  if (messageType !== 'text' && messageType !== 'post') return null;

  const raw = parseJson(content);
  if (raw === undefined) return null;

  const list = mentions ?? [];
  const isBotOpenId = (openId: string | undefined): boolean =>
    botOpenId !== '' && openId !== undefined && openId === botOpenId;
  const mentionsBot = list.some((m) => isBotOpenId(m.id?.open_id));
  const mentionsAll = list.some((m) => m.key === ALL_KEY);

  if (messageType === 'text') {
    const parsed = TextContent.safeParse(raw);
    if (!parsed.success) return null;
    return {
      text: textMessageToPlain(parsed.data.text, list, isBotOpenId),
      mentionsBot,
      // node-sdk notes that `mentions` is sometimes omitted for @all, so scan the text as well.
      mentionsAll: mentionsAll || parsed.data.text.includes(ALL_KEY),
    };
  }

  const body = readPostBody(raw);
  if (body === null) return null;
  const rendered = postToPlain(body, list, isBotOpenId);
  return {
    text: rendered.text,
    mentionsBot: mentionsBot || rendered.mentionsBot,
    mentionsAll: mentionsAll || rendered.mentionsAll,
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** "@Name" for a mention that is not the bot; falls back to the open_id, then the bare key. */
function displayMention(m: MessageMention | undefined, key: string): string {
  return `@${m?.name || m?.id?.open_id || key.replace(/^@_?/, '')}`;
}

function allName(list: MessageMention[], fallback?: string): string {
  const m = list.find((x) => x.key === ALL_KEY);
  return `@${m?.name || fallback || 'all'}`;
}

function textMessageToPlain(
  text: string,
  list: MessageMention[],
  isBotOpenId: (openId: string | undefined) => boolean,
): string {
  const byKey = new Map<string, MessageMention>();
  for (const m of list) if (m.key) byKey.set(m.key, m);
  const keys = new Set<string>([...byKey.keys(), ALL_KEY]);
  // Longest first so `@_user_1` never eats the start of `@_user_10`.
  const alternation = [...keys]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join('|');
  // The bot's own placeholder goes together with the spaces after it, so "@_user_1 ack" → "ack".
  // The lookahead keeps `@_user_1` from matching the start of an unknown `@_user_10`.
  const placeholders = new RegExp(`(${alternation})(?![A-Za-z0-9_])([ \\t\\u00a0\\u3000]*)`, 'g');

  const replaced = text.replace(placeholders, (_match, key: string, spaces: string) => {
    if (key === ALL_KEY) return allName(list) + spaces;
    const m = byKey.get(key);
    if (m && isBotOpenId(m.id?.open_id)) return '';
    return displayMention(m, key) + spaces;
  });

  // Text messages carry links as markdown `[text](url)`; show them the way post links are shown. Neither the label
  // nor the url runs past a `[`: each match attempt starts at one, so a scan ending at the next keeps the whole
  // replace linear. Without that, 150 KB of `[` (or of `[](http://`) backtracked for seconds (fuzz, issue 11).
  const linked = replaced.replace(
    /\[([^[\]\n]*)\]\((https?:\/\/[^\s)[]+)\)/g,
    (_match, label: string, url: string) => linkText(label, url),
  );
  return linked.trim();
}

function linkText(label: string | undefined, url: string | undefined): string {
  const l = (label ?? '').trim();
  const u = (url ?? '').trim();
  if (u === '') return l;
  if (l === '' || l === u) return u;
  return `${l} (${u})`;
}

function readPostBody(raw: unknown): PostBody | null {
  const direct = PostBody.safeParse(raw);
  if (direct.success) return direct.data;

  // Locale-wrapped (the sending form): {"zh_cn":{title,content}}.
  const wrapped = LocaleWrapped.safeParse(raw);
  if (!wrapped.success) return null;
  const record = wrapped.data;
  const keys = [
    ...PREFERRED_LOCALES.filter((k) => k in record),
    ...Object.keys(record).filter((k) => !PREFERRED_LOCALES.includes(k)),
  ];
  for (const key of keys) {
    const inner = PostBody.safeParse(record[key]);
    if (inner.success) return inner.data;
  }
  return null;
}

interface PostRender {
  text: string;
  mentionsBot: boolean;
  mentionsAll: boolean;
}

function postToPlain(
  body: PostBody,
  list: MessageMention[],
  isBotOpenId: (openId: string | undefined) => boolean,
): PostRender {
  let mentionsBot = false;
  let mentionsAll = false;
  const lines: string[] = [];

  const title = (body.title ?? '').trim();
  if (title !== '') lines.push(title);

  for (const paragraph of body.content) {
    let line = '';
    // After the bot's own @ is dropped, the spaces that followed it go too.
    let eatSpaces = false;
    for (const rawElement of paragraph) {
      const parsed = PostElement.safeParse(rawElement);
      if (!parsed.success) continue;
      const el: PostElement = parsed.data;
      let piece = '';
      switch (el.tag) {
        case 'text':
          piece = el.text ?? '';
          break;
        case 'a':
          piece = linkText(el.text, el.href);
          break;
        case 'at': {
          const userId = el.user_id ?? '';
          if (userId === ALL_KEY || userId === 'all') {
            mentionsAll = true;
            piece = allName(list, el.user_name);
            break;
          }
          const m = list.find((x) => x.key === userId) ?? list.find((x) => x.id?.open_id === userId);
          if (isBotOpenId(userId) || isBotOpenId(m?.id?.open_id)) {
            mentionsBot = true;
            eatSpaces = true;
            continue;
          }
          // A bare placeholder with no mention entry and no user_name has no name worth showing.
          const name = m?.name || el.user_name || m?.id?.open_id || (userId.startsWith('@_') ? '' : userId);
          piece = name === '' ? '' : `@${name}`;
          break;
        }
        case 'code_block':
          piece = el.text ?? '';
          break;
        case 'emotion':
          piece = el.emoji_type ? `[${el.emoji_type}]` : '';
          break;
        case 'hr':
          piece = '---';
          break;
        case 'img':
        case 'media':
          piece = '';
          break;
        default:
          // Unknown or send-only tags (e.g. `md`): keep whatever text they carry.
          piece = el.text ?? '';
      }
      if (eatSpaces) {
        piece = piece.replace(H_SPACE, '');
        if (piece !== '') eatSpaces = false;
      }
      line += piece;
    }
    line = trimHorizontal(line);
    // Paragraphs left empty (image-only, the bot's @ alone) are dropped rather than kept as blanks.
    if (line.trim() !== '') lines.push(line);
  }

  return { text: lines.join('\n').trim(), mentionsBot, mentionsAll };
}
