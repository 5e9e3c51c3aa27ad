import { describe, expect, it } from 'vitest';
import {
  buttonsFor,
  callbackButton,
  clipLine,
  escapeLarkMd,
  formatTime,
  levelTemplate,
  plainExcerpt,
  safeUrl,
  statusName,
  templateForColour,
  textTagColour,
  truncateText,
  urlButton,
} from '../../../cards/parts.js';

describe('levelTemplate', () => {
  it('maps the priority names first', () => {
    expect(levelTemplate({ name: 'P0', color: '#E94444' })).toBe('red');
    expect(levelTemplate({ name: 'P1', color: '#FF7931' })).toBe('orange');
    expect(levelTemplate({ name: 'P2', color: '#FFB44A' })).toBe('yellow');
    expect(levelTemplate({ name: 'P3', color: '#C9C9C9' })).toBe('grey');
    expect(levelTemplate({ name: 'p1' })).toBe('orange');
    expect(levelTemplate({ name: 'system_level_0' })).toBe('red');
    expect(levelTemplate({ name: 'system_level_2' })).toBe('yellow');
    // the name wins over the colour
    expect(levelTemplate({ name: 'P2', color: '#E94444' })).toBe('yellow');
  });

  it('unknown or missing level is grey', () => {
    expect(levelTemplate(null)).toBe('grey');
    expect(levelTemplate(undefined)).toBe('grey');
    expect(levelTemplate({ name: '' })).toBe('grey');
    expect(levelTemplate({ name: '  ' })).toBe('grey');
    expect(levelTemplate({ name: '未知', color: '#C9C9C9' })).toBe('grey');
    expect(levelTemplate({ name: 'unknown' })).toBe('grey');
  });

  it('custom levels take the nearest colour, else blue', () => {
    expect(levelTemplate({ name: 'custom-1', color: '#E94444' })).toBe('red');
    expect(levelTemplate({ name: 'Sev1', color: '#ff7a30' })).toBe('orange');
    expect(levelTemplate({ name: 'Minor', color: '#FFB44A' })).toBe('yellow');
    expect(levelTemplate({ name: 'Info', color: '#3370FF' })).toBe('blue');
    expect(levelTemplate({ name: 'Ok', color: '#34C724' })).toBe('green');
    expect(levelTemplate({ name: 'Muted', color: '#999' })).toBe('grey');
    expect(levelTemplate({ name: 'Dark', color: '#000000' })).toBe('grey');
    expect(levelTemplate({ name: 'Odd', color: 'not-a-colour' })).toBe('blue');
    expect(levelTemplate({ name: 'Custom' })).toBe('blue');
  });

  it('templateForColour and text_tag colours', () => {
    expect(templateForColour('#E94444')).toBe('red');
    expect(templateForColour('#7F3BF5')).toBe('purple');
    expect(templateForColour('')).toBeNull();
    expect(textTagColour('grey')).toBe('neutral');
    expect(textTagColour('red')).toBe('red');
  });
});

describe('formatTime', () => {
  const t = 1795414500; // 2026-11-23T06:15:00Z
  it('renders workspace-local time with the UTC offset', () => {
    expect(formatTime(t, 'Asia/Shanghai', 'zh')).toBe('2026-11-23 14:15 (UTC+8)');
    expect(formatTime(t, 'Asia/Shanghai', 'en')).toBe('2026-11-23 14:15 (UTC+8)');
    expect(formatTime(t, 'UTC', 'en')).toBe('2026-11-23 06:15 (UTC)');
    expect(formatTime(t, 'Asia/Kolkata', 'en')).toBe('2026-11-23 11:45 (UTC+5:30)');
    expect(formatTime(t, 'America/New_York', 'en')).toBe('2026-11-23 01:15 (UTC-5)');
  });

  it('accepts float seconds, midnight as 00, and falls back on bad input', () => {
    expect(formatTime(t + 0.999, 'UTC', 'en')).toBe('2026-11-23 06:15 (UTC)');
    expect(formatTime(1795392000, 'UTC', 'en')).toBe('2026-11-23 00:00 (UTC)');
    expect(formatTime(t, 'Not/AZone', 'en')).toBe('2026-11-23 06:15 (UTC)');
    expect(formatTime(t, '', 'en')).toBe('2026-11-23 06:15 (UTC)');
    expect(formatTime(Number.NaN, 'UTC', 'en')).toBe('—');
    expect(formatTime(Number.POSITIVE_INFINITY, 'UTC', 'zh')).toBe('—');
  });
});

describe('statusName', () => {
  it('names every Guance status in both languages', () => {
    expect([10, 15, 20, 25, 30].map((s) => statusName(s, 'en'))).toEqual([
      'Open',
      'Working',
      'Resolved',
      'Closed',
      'Pending',
    ]);
    expect([10, 15, 20, 25, 30].map((s) => statusName(s, 'zh'))).toEqual(['待处理', '处理中', '已解决', '已关闭', '挂起']);
    expect(statusName(42, 'en')).toBe('Status 42');
  });
});

describe('buttons', () => {
  it('buttonsFor follows the status', () => {
    expect(buttonsFor(10)).toEqual(['ack', 'resolve']);
    expect(buttonsFor(30)).toEqual(['ack', 'resolve']);
    expect(buttonsFor(15)).toEqual(['resolve']);
    expect(buttonsFor(20)).toEqual(['reopen']);
    expect(buttonsFor(25)).toEqual(['reopen']);
    expect(buttonsFor(0)).toEqual([]);
  });

  it('callbackButton carries exactly {action, issue}', () => {
    const extra = { action: 'ack', issue: 'issue_1', secret: 'x' } as const;
    const button = callbackButton('Ack', extra, { type: 'primary_filled', elementId: 'b1' });
    expect(button).toEqual({
      tag: 'button',
      element_id: 'b1',
      type: 'primary_filled',
      text: { tag: 'plain_text', content: 'Ack' },
      behaviors: [{ type: 'callback', value: { action: 'ack', issue: 'issue_1' } }],
    });
  });

  it('urlButton opens the url; labels are single-line and at most 100 characters', () => {
    const button = urlButton(`Open\n${'x'.repeat(200)}`, 'https://example.com/a');
    expect(button.behaviors).toEqual([{ type: 'open_url', default_url: 'https://example.com/a' }]);
    expect([...button.text.content].length).toBe(100);
    expect(button.text.content.startsWith('Open x')).toBe(true);
  });
});

describe('plainExcerpt', () => {
  it('strips HTML, scripts and styles, decodes entities, keeps paragraphs as lines', () => {
    const html =
      '<p>Hello <b>world</b></p><p>a<br>b<br/>c</p><script>alert("x")</script><style>p{color:red}</style>' +
      '<p>&nbsp;x &amp; y &lt;tag&gt; &quot;q&quot; &#39;s&#39; &#65;&#x42; &#x1F600;</p>';
    expect(plainExcerpt(html, 500)).toBe('Hello world\na\nb\nc\nx & y <tag> "q" \'s\' AB 😀');
  });

  it('handles the Guance editor mention spans', () => {
    const description =
      '<span><span data-at-embedded="" data-insert-by="@" data-info="{&quot;item&quot;:{&quot;uuid&quot;:&quot;acnt_x&quot;}}" contenteditable="false">&nbsp;<span class="key-word">@jiangyd@jiagouyun.com</span>&nbsp;</span>nn</span>';
    expect(plainExcerpt(description, 500)).toBe('@jiangyd@jiagouyun.com nn');
  });

  it('reduces markdown to text', () => {
    const md = '# Title\n\n**bold** and *it* and _em_ and ~~gone~~ and `code`\n- item\n> quote\n[link](https://x.io) ![img](https://x.io/a.png)';
    expect(plainExcerpt(md, 500)).toBe('Title\n\nbold and it and em and gone and code\n• item\nquote\nlink (https://x.io) img');
  });

  it('keeps text that only looks like tags, and snake_case', () => {
    expect(plainExcerpt('List<String> x < y > z snake_case_name 2*3*4', 500)).toBe(
      'List<String> x < y > z snake_case_name 2*3*4',
    );
  });

  it('strips Lark tags and an unclosed script', () => {
    expect(plainExcerpt('hi <at id=all></at><font color=red>x</font> <script>never closed', 500)).toBe('hi x');
  });

  it('collapses whitespace and control characters', () => {
    expect(plainExcerpt('  a \t\t b \u0000\u0007 c\r\n\r\n\r\n\r\nd\u202e  ', 500)).toBe('a b c\n\nd');
  });

  it('truncates on a code-point boundary with …', () => {
    expect(plainExcerpt('abcdef', 4)).toBe('abc…');
    expect(plainExcerpt('abcd', 4)).toBe('abcd');
    const emoji = plainExcerpt('😀'.repeat(10), 5);
    expect(emoji).toBe('😀😀😀😀…');
    expect(plainExcerpt('x'.repeat(2_000_000), 500)).toHaveLength(500);
  });
});

describe('truncateText and clipLine', () => {
  it('counts code points and never exceeds the maximum', () => {
    expect(truncateText('hello', 5)).toBe('hello');
    expect(truncateText('hello!', 5)).toBe('hell…');
    expect(truncateText('ab', 1)).toBe('…');
    expect(truncateText('ab', 0)).toBe('');
    expect(truncateText('a😀😀😀', 3)).toBe('a😀…');
  });

  it('clipLine cleans a single line and marks cuts of huge input', () => {
    expect(clipLine('  a\n b\t', 10)).toBe('a b');
    expect(clipLine(`${'\u0001'.repeat(100_000)}tail`, 10)).toBe('…');
    expect(clipLine('word '.repeat(100_000), 10)).toBe('word word…');
  });
});

describe('escapeLarkMd', () => {
  it('turns markdown and tag characters into entities', () => {
    expect(escapeLarkMd('<at id=all></at>')).toBe('&#60;at id=all&#62;&#60;/at&#62;');
    expect(escapeLarkMd('**b** _i_ ~~s~~ `c` [t](https://u) #h |x| :OK: {v} $')).toBe(
      '&#42;&#42;b&#42;&#42; &#95;i&#95; &#126;&#126;s&#126;&#126; &#96;c&#96; &#91;t&#93;&#40;https&#58;//u&#41; &#35;h &#124;x&#124; &#58;OK&#58; &#123;v&#125; &#36;',
    );
    expect(escapeLarkMd('a & b &lt;')).toBe('a &#38; b &#38;lt;');
    expect(escapeLarkMd('back\\slash')).toBe('back&#92;slash');
  });

  it('neutralises line-start markers and indentation, keeps plain words', () => {
    expect(escapeLarkMd('- item\n+ item\n1. one\n    code\n===')).toBe(
      '&#45; item\n&#43; item\n1&#46; one\ncode\n&#61;==',
    );
    expect(escapeLarkMd('payment-api 1.2 a+b')).toBe('payment-api 1.2 a+b');
    expect(escapeLarkMd('Alice 张三')).toBe('Alice 张三');
  });

  it('drops control and bidi characters', () => {
    expect(escapeLarkMd('a\u0000b\u202ec')).toBe('abc');
  });
});

describe('safeUrl', () => {
  it('accepts http(s) only, within the length limit', () => {
    expect(safeUrl('https://console.guance.com/x?y=1&z=2')).toBe('https://console.guance.com/x?y=1&z=2');
    expect(safeUrl('  http://a.b/c ')).toBe('http://a.b/c');
    expect(safeUrl('javascript:alert(1)')).toBeNull();
    expect(safeUrl('ftp://a.b')).toBeNull();
    expect(safeUrl('/relative')).toBeNull();
    expect(safeUrl('https://')).toBeNull();
    expect(safeUrl(`https://a.b/${'x'.repeat(2000)}`)).toBeNull();
  });

  it('percent-encodes whitespace and quotes', () => {
    expect(safeUrl('https://a.b/x y"z')).toBe('https://a.b/x%20y%22z');
  });
});
