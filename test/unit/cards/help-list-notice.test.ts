import { describe, expect, it } from 'vitest';
import { buildHelpCard } from '../../../cards/help-card.js';
import { buildListCard } from '../../../cards/list-card.js';
import { buildNoticeCard } from '../../../cards/result-card.js';
import type { IssueListItem, Language } from '../../../cards/types.js';
import { byteLength, expectValidCard, markdownContents, plainContents } from './card-checks.js';

const LANGUAGES: readonly Language[] = ['zh', 'en'];

describe('buildHelpCard', () => {
  for (const lang of LANGUAGES) {
    it(`lists every command in both forms (${lang})`, () => {
      const card = buildHelpCard(lang);
      expectValidCard(card);
      expect(card).toMatchSnapshot();
      const text = markdownContents(card).join('\n');
      for (const form of [
        '#issue_xxx#',
        'reply issue_xxx',
        '回复 issue_xxx',
        'ack [',
        '确认 [',
        '认领 [',
        'resolve [',
        '解决 [',
        'reopen [',
        '重新打开 [',
        '`list`',
        '`列表`',
        '`help`',
        '`帮助`',
      ]) {
        expect(text, form).toContain(form);
      }
    });
  }

  it('explains in the bot language', () => {
    expect(buildHelpCard('en').header?.title.content).toBe('Guance issue bot: commands');
    expect(buildHelpCard('zh').header?.title.content).toBe('观测云 Issue 机器人：命令说明');
    expect(markdownContents(buildHelpCard('en')).join('\n')).toContain('`resolve [issue] [note]`');
    expect(markdownContents(buildHelpCard('zh')).join('\n')).toContain('`解决 [issue] [备注]`');
  });
});

const item = (i: number, overrides: Partial<IssueListItem> = {}): IssueListItem => ({
  uuid: `issue_${i}`,
  title: `Issue number ${i}`,
  levelName: ['P0', 'P1', 'P2', 'P3', null][i % 5] ?? null,
  statusType: i % 2 === 0 ? 10 : 30,
  createdAt: 1795414500 + i * 60,
  consoleUrl: `https://console.guance.com/issue/${i}`,
  ...overrides,
});

describe('buildListCard', () => {
  for (const lang of LANGUAGES) {
    it(`renders open issues (${lang})`, () => {
      const card = buildListCard([item(0), item(1), item(4)], lang, { timeZone: 'Asia/Shanghai' });
      expectValidCard(card);
      expect(card).toMatchSnapshot();
    });

    it(`says when there are none (${lang})`, () => {
      const card = buildListCard([], lang);
      expectValidCard(card);
      expect(plainContents(card)).toContain(lang === 'en' ? 'No open issues' : '没有待处理的 Issue');
      expect(card.header?.title.content).toBe(lang === 'en' ? 'Open issues (0)' : '待处理的 Issue（0）');
    });
  }

  it('one line per issue: level tag, linked title, status, time', () => {
    const [row] = markdownContents(buildListCard([item(0)], 'en', { timeZone: 'UTC' }));
    expect(row).toBe(
      "<text_tag color='red'>P0</text_tag> [Issue number 0](https://console.guance.com/issue/0)\n<font color='grey'>Open · 2026-11-23 06:15 (UTC)</font>",
    );
  });

  it('shows at most 30 rows and "and N more", counting the total', () => {
    const items = Array.from({ length: 45 }, (_, i) => item(i));
    const card = buildListCard(items, 'en', { total: 120 });
    expectValidCard(card);
    expect(markdownContents(card)).toHaveLength(30);
    expect(plainContents(card)).toContain('…and 90 more');
    expect(card.header?.title.content).toBe('Open issues (120)');
    expect(markdownContents(buildListCard(items, 'en', { maxRows: 5 }))).toHaveLength(5);
  });

  it('escapes titles and levels, encodes link targets, drops unsafe links', () => {
    const card = buildListCard(
      [
        item(1, { title: '<at id=all></at> [x](https://evil) **b**', levelName: '<at id=all>' }),
        item(2, { consoleUrl: 'javascript:alert(1)' }),
        item(3, { consoleUrl: 'https://a.b/x)(y' }),
      ],
      'en',
    );
    const [first, second, third] = markdownContents(card);
    expect(first).not.toContain('<at');
    expect(first).toContain('&#60;at id=all&#62;&#60;/at&#62; &#91;x&#93;&#40;https&#58;//evil&#41; &#42;&#42;b&#42;&#42;');
    expect(first).toContain("<text_tag color='blue'>&#60;at id=all&#62;</text_tag>");
    expect(second).not.toContain('javascript');
    expect(second).not.toContain('](');
    expect(third).toContain('(https://a.b/x%29%28y)');
  });

  it('drops rows rather than exceeding 30 KB', () => {
    const items = Array.from({ length: 30 }, (_, i) =>
      item(i, { title: '&'.repeat(5000), levelName: '*'.repeat(500), consoleUrl: `https://a.b/${'('.repeat(900)}` }),
    );
    const card = buildListCard(items, 'en', { total: 30 });
    expectValidCard(card);
    expect(byteLength(card)).toBeLessThan(30 * 1024);
    const rows = markdownContents(card).length;
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThan(30);
    expect(plainContents(card)).toContain(`…and ${30 - rows} more`);
  });
});

describe('buildNoticeCard', () => {
  it('is a header and plain text', () => {
    const card = buildNoticeCard('Comment added', 'Added to "DB down" at 14:05', 'green');
    expectValidCard(card);
    expect(card).toMatchSnapshot();
  });

  it('falls back to blue, keeps text plain, bounds the size', () => {
    const card = buildNoticeCard('<at id=all></at>'.repeat(10_000), `line1\nline2 <at id=all>\u0000${'x'.repeat(1_000_000)}`, 'hotpink');
    expectValidCard(card);
    expect(card.header?.template).toBe('blue');
    expect(card.header?.title.tag).toBe('plain_text');
    expect(markdownContents(card)).toEqual([]);
    expect(plainContents(card).some((text) => text.startsWith('line1\nline2 <at id=all>xxx'))).toBe(true);
  });
});
