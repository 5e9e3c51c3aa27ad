/**
 * Text hygiene for cards: turning Guance descriptions (editor HTML, markdown, plain text) into a
 * plain excerpt, escaping user text for Lark markdown, truncating on code-point boundaries, and
 * checking URLs. Pure string functions, linear in the input (inputs are capped before any regex
 * that could backtrack).
 */

/** Descriptions are cut to this many UTF-16 units before parsing; an excerpt never needs more. */
const EXCERPT_INPUT_LIMIT = 20_000;

/** Tags that are stripped from descriptions: HTML, MS Word namespaced tags, and Lark markdown tags. */
const KNOWN_TAGS: ReadonlySet<string> = new Set(
  (
    'html head body div span p br hr a b i u s em strong small big sub sup mark del ins strike code pre kbd ' +
    'samp var blockquote q cite abbr h1 h2 h3 h4 h5 h6 ul ol li dl dt dd table thead tbody tfoot tr td th ' +
    'caption colgroup col img figure figcaption picture source video audio iframe embed object param section ' +
    'article aside header footer nav main address details summary label input button select option textarea ' +
    'form fieldset legend font center tt wbr time meta link title svg path g use canvas noscript base ' +
    // Lark card markdown tags
    'at person local_datetime text_tag number_tag raw'
  ).split(' '),
);

/** Closing one of these ends a line. */
const BLOCK_TAGS: ReadonlySet<string> = new Set(
  'p div li tr h1 h2 h3 h4 h5 h6 blockquote pre table ul ol section article header footer dt dd figure details summary'.split(
    ' ',
  ),
);

/** Elements whose content is never text worth showing. */
const DROPPED_BLOCKS = ['script', 'style', 'head', 'template', 'noscript'] as const;

const NAMED_ENTITIES: Readonly<Record<string, string>> = Object.freeze({
  nbsp: '\u00A0',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  ensp: '\u2002',
  emsp: '\u2003',
  thinsp: '\u2009',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  middot: '·',
  bull: '•',
  copy: '©',
  reg: '®',
  trade: '™',
  laquo: '«',
  raquo: '»',
  times: '×',
  divide: '÷',
  deg: '°',
  yen: '¥',
  euro: '€',
});

/**
 * Normalises line ends and removes what must never reach a card: control characters (except newline
 * and tab), lone surrogates, and invisible format characters such as bidi overrides (ZWJ/ZWNJ stay,
 * emoji need them).
 */
export function cleanText(text: string): string {
  return String(text)
    .replace(/\r\n?/g, '\n')
    .replace(/\p{Cc}/gu, (ch) => (ch === '\n' || ch === '\t' ? ch : ''))
    .replace(/\p{Cs}/gu, '')
    .replace(/\p{Cf}/gu, (ch) => (ch === '\u200C' || ch === '\u200D' ? ch : ''));
}

/** `cleanText`, then every run of whitespace (newlines included) becomes one space. */
export function singleLine(text: string): string {
  return cleanText(text).replace(/\s+/g, ' ').trim();
}

/**
 * Cuts `text` to at most `maxChars` code points, never inside a surrogate pair. When it had to cut,
 * the result ends with `…` (which counts towards `maxChars`).
 */
export function truncateText(text: string, maxChars: number): string {
  const max = Math.floor(maxChars);
  if (!(max > 0)) return '';
  if (text.length <= max) return text; // UTF-16 length >= code points
  let index = 0;
  let count = 0;
  let cut = 0;
  for (const ch of text) {
    if (count === max - 1) cut = index;
    if (count === max) return `${text.slice(0, cut).trimEnd()}…`;
    count += 1;
    index += ch.length;
  }
  return text;
}

/**
 * `singleLine` then `truncateText`, without cleaning megabytes first: long input is cut to a generous
 * prefix before cleaning, and a cut always shows as `…`.
 */
export function clipLine(text: string, maxChars: number): string {
  const raw = String(text ?? '');
  const limit = Math.max(0, Math.floor(maxChars)) * 8 + 256;
  if (raw.length <= limit) return truncateText(singleLine(raw), maxChars);
  const line = singleLine(raw.slice(0, limit));
  const clipped = truncateText(line, maxChars);
  return clipped !== line ? clipped : truncateText(`${line}…`, maxChars);
}

/** Decodes `&name;`, `&#NNN;` and `&#xHH;` in one pass (so `&amp;lt;` becomes `&lt;`, not `<`). */
function decodeEntities(text: string): string {
  return text.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});/g, (whole, body: string) => {
    if (body.startsWith('#')) {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      const valid = code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
      return valid ? String.fromCodePoint(code) : '\uFFFD';
    }
    return NAMED_ENTITIES[body] ?? NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/** Removes `<tag …>…</tag>` blocks (and an unclosed one up to the end) without regex backtracking. */
function dropBlocks(html: string, tag: string): string {
  const lower = html.toLowerCase();
  const open = `<${tag}`;
  const close = `</${tag}`;
  let out = '';
  let from = 0;
  for (;;) {
    const start = lower.indexOf(open, from);
    if (start < 0) return out + html.slice(from);
    const next = lower.charAt(start + open.length);
    if (next !== '>' && next !== '/' && !/\s/.test(next)) {
      out += html.slice(from, start + open.length);
      from = start + open.length;
      continue;
    }
    out += html.slice(from, start);
    const end = lower.indexOf(close, start);
    if (end < 0) return out;
    const gt = lower.indexOf('>', end);
    if (gt < 0) return out;
    from = gt + 1;
  }
}

function stripTags(html: string): string {
  let text = html.replace(/<!--[\s\S]*?(?:-->|$)/g, '');
  for (const tag of DROPPED_BLOCKS) text = dropBlocks(text, tag);
  // Attribute runs are bounded so that an unclosed quote cannot make this quadratic.
  return text.replace(
    /<(\/?)([a-zA-Z][\w:-]{0,40})((?:"[^"]{0,1000}"|'[^']{0,1000}'|[^'">]){0,2000})>/g,
    (whole, slash: string, rawName: string) => {
      const name = rawName.toLowerCase();
      if (!KNOWN_TAGS.has(name) && !name.includes(':')) return whole;
      if (name === 'br') return '\n';
      if (slash === '' && name === 'li') return '\n• ';
      if (slash !== '' && BLOCK_TAGS.has(name)) return '\n';
      if (slash !== '' && (name === 'td' || name === 'th')) return ' ';
      return '';
    },
  );
}

/** Markdown syntax to plain text: `[t](u)` → `t (u)`, emphasis, code, headings, quotes, bullets. */
function stripMarkdown(text: string): string {
  return text
    .replace(/^[ \t]*(?:```|~~~).*$/gm, '')
    .replace(/!\[([^\]\n]{0,500})\]\([^)\s]{0,2000}(?:\s+"[^"\n]{0,500}")?\)/g, '$1')
    .replace(/\[([^\]\n]{1,500})\]\(([^)\s]{1,2000})(?:\s+"[^"\n]{0,500}")?\)/g, (_whole, label: string, url: string) =>
      label === url ? url : `${label} (${url})`,
    )
    .replace(/<((?:https?|mailto):[^>\s]{1,2000})>/gi, '$1')
    .replace(/^[ \t]{0,3}#{1,6}[ \t]+/gm, '')
    .replace(/^[ \t]{0,3}(?:>[ \t]?)+/gm, '')
    .replace(/^[ \t]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/gm, '')
    .replace(/^([ \t]*)[-*+][ \t]+/gm, '$1• ')
    .replace(/(\*\*|__)(?=\S)([^\n]{0,500}?\S)\1/g, '$2')
    .replace(/~~(?=\S)([^\n]{0,500}?\S)~~/g, '$1')
    .replace(/(^|[^\w*])\*(?=\S)([^*\n]{0,500}?\S)\*(?!\w)/gm, '$1$2')
    .replace(/(^|[^\w])_(?=\S)([^_\n]{0,500}?\S)_(?!\w)/gm, '$1$2')
    .replace(/`([^`\n]{1,500})`/g, '$1');
}

/** Collapses runs of spaces, trims lines, keeps at most one blank line. */
function collapseWhitespace(text: string): string {
  return text
    .replace(/[\t\f\v\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g, ' ')
    .replace(/ {2,}/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * A plain-text excerpt of a description that may be HTML (Guance editor), markdown or plain text:
 * tags stripped (`<script>`/`<style>` with their content), entities decoded, `<br>`/`</p>` turned into
 * line breaks, markdown reduced to its text, whitespace collapsed, then cut to `maxChars` code points
 * with `…`. The result is meant for `plain_text`; it is not markdown-safe (use `escapeLarkMd` for that).
 */
export function plainExcerpt(raw: string, maxChars: number): string {
  const input = String(raw ?? '').slice(0, Math.max(EXCERPT_INPUT_LIMIT, Math.floor(maxChars) * 8));
  const text = collapseWhitespace(cleanText(stripMarkdown(decodeEntities(stripTags(cleanText(input))))));
  return truncateText(text, maxChars);
}

/** Characters with a meaning anywhere in Lark card markdown (CommonMark, Lark's tags, `:emoji:`). */
const MARKDOWN_SPECIAL = /[\\`*_~[\]()<>#|&{}:"'$!]/g;

const entity = (ch: string): string => `&#${ch.charCodeAt(0)};`;

/**
 * Makes user text safe to place inside a `markdown` element: every markdown or tag character becomes
 * a numeric HTML entity (the escaping Lark documents for card markdown), so the text can neither
 * format, link, nor mention (`<at id=all>` shows as text). Line breaks are kept; markers that only
 * count at the start of a line (`-`, `+`, `=`, `1.`, indentation) are neutralised there.
 */
export function escapeLarkMd(text: string): string {
  return cleanText(text)
    .replace(/\t/g, ' ')
    .replace(/^ +/gm, '')
    .replace(MARKDOWN_SPECIAL, entity)
    .replace(/^[-+=]/gm, entity)
    .replace(/^(\d+)([.)])/gm, (_whole, digits: string, mark: string) => `${digits}${entity(mark)}`);
}

/**
 * The URL if it is an absolute http(s) URL of at most `maxLength` characters, else `null`.
 * A URL containing whitespace or quotes is returned in its normalised (percent-encoded) form.
 */
export function safeUrl(url: string, maxLength = 2000): string | null {
  const trimmed = String(url ?? '').trim();
  if (trimmed.length === 0 || trimmed.length > maxLength || !/^https?:\/\//i.test(trimmed)) return null;
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  const result = /[\s"'<>`\\]/.test(trimmed) ? parsed.href : trimmed;
  return result.length <= maxLength ? result : null;
}

/** A URL made safe as a markdown link target: parentheses and the like percent-encoded. */
export function markdownLinkTarget(url: string): string {
  return url.replace(/[()[\]<>\s"'`]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
