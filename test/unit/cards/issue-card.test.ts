import { describe, expect, it } from 'vitest';
import { buildIssueCard } from '../../../cards/issue-card.js';
import { countCardElements } from '../../../cards/parts.js';
import type { IssueCardModel, Language } from '../../../cards/types.js';
import {
  BASE_MODEL,
  buttons,
  byteLength,
  callbackValues,
  expectValidCard,
  markdownContents,
  openUrls,
  plainContents,
} from './card-checks.js';

const STATUSES = [10, 15, 20, 25, 30] as const;
const LANGUAGES: readonly Language[] = ['zh', 'en'];

const ACKED: IssueCardModel['lastChange'] = {
  action: 'ack',
  statusType: 15,
  by: { name: 'Alice Zhang', at: 1795414800, via: 'lark' },
};

describe('buildIssueCard snapshots', () => {
  for (const lang of LANGUAGES) {
    for (const statusType of STATUSES) {
      it(`status ${statusType} in ${lang}`, () => {
        const model: IssueCardModel = {
          ...BASE_MODEL,
          statusType,
          ...(statusType === 15 ? { lastChange: ACKED } : {}),
          ...(statusType === 20
            ? { lastChange: { action: 'resolve', statusType: 20, by: { name: 'Wang Wei', at: 1795418400, via: 'guance' } } }
            : {}),
        };
        const card = buildIssueCard(model, lang);
        expectValidCard(card);
        expect(card).toMatchSnapshot();
      });
    }
  }

  it('unknown level, no assignees, manual source, notice', () => {
    const card = buildIssueCard(
      { ...BASE_MODEL, level: null, assignees: [], source: '', description: '', notice: 'Could not resolve: HTTP 403' },
      'en',
    );
    expectValidCard(card);
    expect(card).toMatchSnapshot();
  });
});

describe('buildIssueCard content', () => {
  it('header: level colour, plain-text title, level · status subtitle, summary', () => {
    const card = buildIssueCard(BASE_MODEL, 'en');
    expect(card.header?.template).toBe('red');
    expect(card.header?.title).toEqual({ tag: 'plain_text', content: BASE_MODEL.title });
    expect(card.header?.subtitle).toEqual({ tag: 'plain_text', content: 'P0 · Open' });
    expect(card.config.summary?.content).toBe(`[P0] ${BASE_MODEL.title}`);
    expect(buildIssueCard({ ...BASE_MODEL, statusType: 15 }, 'zh').header?.subtitle?.content).toBe('P0 · 处理中');
  });

  it('fields: level, source, status, created in the workspace zone, assignees', () => {
    const md = markdownContents(buildIssueCard(BASE_MODEL, 'en'));
    expect(md).toContain('**Level**\nP0');
    expect(md).toContain('**Status**\nOpen');
    expect(md).toContain('**Created**\n2026-11-23 14:15 (UTC+8)');
    expect(md.find((m) => m.startsWith('**Source**'))).toBe('**Source**\nchecker&#58; payment-api-errors');
    expect(md.find((m) => m.startsWith('**Assignees**'))).toBe('**Assignees**\nAlice Zhang, bob@example.com');
    const utc = markdownContents(buildIssueCard({ ...BASE_MODEL, timeZone: 'UTC' }, 'zh'));
    expect(utc).toContain('**创建时间**\n2026-11-23 06:15 (UTC)');
  });

  it('shows — for no assignees, Manual for an empty source, Unknown for no level', () => {
    const card = buildIssueCard({ ...BASE_MODEL, assignees: [], source: '', level: { name: '' } }, 'en');
    const md = markdownContents(card);
    expect(md).toContain('**Assignees**\n—');
    expect(md).toContain('**Source**\nManual');
    expect(md).toContain('**Level**\nUnknown');
    expect(card.header?.template).toBe('grey');
  });

  it('description is a plain-text excerpt of the HTML', () => {
    const card = buildIssueCard(BASE_MODEL, 'en');
    expect(plainContents(card)).toContain('Error rate is 7.2% on POST /pay\nSee the runbook & dashboards.');
    const empty = buildIssueCard({ ...BASE_MODEL, description: '<p>&nbsp;</p>' }, 'zh');
    expect(plainContents(empty)).toContain('无描述');
  });

  it('last change line for Lark and Guance actors', () => {
    expect(plainContents(buildIssueCard({ ...BASE_MODEL, statusType: 15, lastChange: ACKED }, 'en'))).toContain(
      'Acknowledged by Alice Zhang at 2026-11-23 14:20 (UTC+8)',
    );
    const resolved = buildIssueCard(
      { ...BASE_MODEL, statusType: 20, lastChange: { action: 'resolve', statusType: 20, by: { name: 'Wang', at: 1795418400, via: 'guance' } } },
      'en',
    );
    expect(plainContents(resolved)).toContain('Resolved by Wang in Guance at 2026-11-23 15:20 (UTC+8)');
    const status = buildIssueCard(
      { ...BASE_MODEL, statusType: 30, lastChange: { action: 'status', statusType: 30, by: { name: 'Li', at: 1795418400, via: 'guance' } } },
      'zh',
    );
    expect(plainContents(status)).toContain('Li 于 2026-11-23 15:20 (UTC+8) 在观测云中将状态改为挂起');
  });

  it('notice line when set', () => {
    const card = buildIssueCard({ ...BASE_MODEL, notice: 'Could not resolve: Guance refused' }, 'en');
    expect(plainContents(card)).toContain('Could not resolve: Guance refused');
  });
});

describe('buildIssueCard buttons', () => {
  const expected: Record<number, string[]> = {
    10: ['ack', 'resolve'],
    15: ['resolve'],
    20: ['reopen'],
    25: ['reopen'],
    30: ['ack', 'resolve'],
    99: [],
  };

  for (const [status, actions] of Object.entries(expected)) {
    it(`status ${status} → ${actions.join(', ') || 'no actions'} + Open in Guance`, () => {
      const card = buildIssueCard({ ...BASE_MODEL, statusType: Number(status) }, 'en');
      const values = callbackValues(card);
      expect(values).toEqual(actions.map((action) => ({ action, issue: BASE_MODEL.uuid })));
      for (const value of values) expect(Object.keys(value as object).sort()).toEqual(['action', 'issue']);
      expect(openUrls(card)).toEqual([BASE_MODEL.consoleUrl]);
      expect(buttons(card).at(-1)?.text.content).toBe('Open in Guance');
    });
  }

  it('labels the buttons in both languages, first action highlighted', () => {
    expect(buttons(buildIssueCard(BASE_MODEL, 'zh')).map((b) => [b.text.content, b.type])).toEqual([
      ['确认', 'primary_filled'],
      ['解决', 'default'],
      ['在观测云中查看', 'default'],
    ]);
    expect(buttons(buildIssueCard({ ...BASE_MODEL, statusType: 25 }, 'en')).map((b) => b.text.content)).toEqual([
      'Reopen',
      'Open in Guance',
    ]);
  });

  it('drops the Open in Guance button for a non-http(s) link', () => {
    for (const consoleUrl of ['javascript:alert(1)', '', 'console.guance.com/x', `https://x.com/${'a'.repeat(3000)}`]) {
      expect(openUrls(buildIssueCard({ ...BASE_MODEL, consoleUrl }, 'en'))).toEqual([]);
    }
  });

  it('no callback buttons when the issue id is unusable', () => {
    expect(callbackValues(buildIssueCard({ ...BASE_MODEL, uuid: '' }, 'en'))).toEqual([]);
    expect(callbackValues(buildIssueCard({ ...BASE_MODEL, uuid: 'x'.repeat(500) }, 'en'))).toEqual([]);
  });
});

describe('buildIssueCard neutralises injected markup', () => {
  const evil = '**bold** <at id=all></at> [click](https://evil.example) `code` # head <font color=red>x</font> :OK:';
  const model: IssueCardModel = {
    ...BASE_MODEL,
    title: evil,
    level: { name: '<at id=all></at>', color: '#E94444' },
    source: evil,
    assignees: ['<at id=all></at>', '[x](https://evil.example)', '*a*_b_'],
    description: `<at id=all></at> ${evil} <script>alert("x")</script>`,
    notice: evil,
    lastChange: { action: 'ack', statusType: 15, by: { name: '<at id=all></at>', at: 1795414800, via: 'lark' } },
  };

  for (const lang of LANGUAGES) {
    it(`markdown elements carry no live markup (${lang})`, () => {
      const card = buildIssueCard(model, lang);
      expectValidCard(card);
      for (const content of markdownContents(card)) {
        const value = content.replace(/^\*\*[^*\n]+\*\*\n/, '').replace(/&#\d+;/g, '');
        expect(value).not.toMatch(/[<>[\]*_`~#]/);
        expect(value.toLowerCase()).not.toContain('<at');
      }
      expect(JSON.stringify(card)).not.toMatch(/"tag":"markdown","content":"[^"]*<at/);
    });
  }

  it('user text outside markdown is plain_text only', () => {
    const card = buildIssueCard(model, 'en');
    expect(card.header?.title.tag).toBe('plain_text');
    expect(card.header?.subtitle?.tag).toBe('plain_text');
    const texts = plainContents(card);
    expect(texts.some((text) => text.includes('alert'))).toBe(false); // script content dropped
    // Tags (the description's own <at> included) are stripped and markdown reduced to its text.
    expect(texts).toContain('bold click (https://evil.example) code # head x :OK:');
  });
});

describe('buildIssueCard size bounds', () => {
  it('truncates a long title (~150) and description (500) with an ellipsis', () => {
    const card = buildIssueCard({ ...BASE_MODEL, title: 'T'.repeat(400), description: 'd '.repeat(2000) }, 'en');
    const title = card.header?.title.content ?? '';
    expect([...title].length).toBe(150);
    expect(title.endsWith('…')).toBe(true);
    const excerpt = plainContents(card).find((text) => text.startsWith('d d'));
    expect(excerpt).toBeDefined();
    expect([...(excerpt ?? '')].length).toBeLessThanOrEqual(500);
    expect(excerpt?.endsWith('…')).toBe(true);
  });

  it('cuts on code-point boundaries (no broken emoji)', () => {
    const card = buildIssueCard({ ...BASE_MODEL, title: '😀'.repeat(300), description: '🚨'.repeat(1000) }, 'en');
    for (const text of plainContents(card)) expect(text).not.toMatch(/\p{Cs}/u);
    expect(card.header?.title.content).toBe(`${'😀'.repeat(149)}…`);
  });

  const pathological = (fill: string): IssueCardModel => ({
    uuid: `issue_${'f'.repeat(100)}`,
    title: fill.repeat(Math.ceil(1_000_000 / fill.length)),
    level: { name: fill.repeat(10_000), color: '#123456' },
    statusType: 10,
    source: fill.repeat(100_000),
    createdAt: 1795414500.123,
    timeZone: 'Asia/Shanghai',
    assignees: Array.from({ length: 10_000 }, (_, i) => `${fill.repeat(50)}${i}@example.com`),
    description: `<div>${'<span data-info="{&quot;a&quot;:1}">&amp;&lt;x&gt;</span>'.repeat(20_000)}${fill.repeat(200_000)}</div>`,
    consoleUrl: `https://console.guance.com/${'p'.repeat(1900)}`,
    lastChange: { action: 'ack', statusType: 15, by: { name: fill.repeat(100_000), at: 1795414800, via: 'lark' } },
    notice: fill.repeat(500_000),
  });

  for (const fill of ['a', '&', '😀', '<at id=all></at>', '\u0001\u202e']) {
    it(`stays under 30 KB and 200 elements for any input (${JSON.stringify(fill)})`, () => {
      for (const lang of LANGUAGES) {
        const card = buildIssueCard(pathological(fill), lang);
        expect(byteLength(card)).toBeLessThan(30 * 1024);
        expect(countCardElements(card)).toBeLessThanOrEqual(200);
        expectValidCard(card);
        expect(callbackValues(card)).toHaveLength(2);
        expect(openUrls(card)).toHaveLength(1);
      }
    });
  }

  it('shows "+N more" for a long assignee list', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => `user${i}`);
    const md = markdownContents(buildIssueCard({ ...BASE_MODEL, assignees: many }, 'en'));
    const assignees = md.find((m) => m.startsWith('**Assignees**')) ?? '';
    expect(assignees).toMatch(/^\*\*Assignees\*\*\nuser0, user1, .* \+\d+ more$/);
  });
});

describe('cards of other sources', () => {
  const sentryModel: IssueCardModel = {
    ...BASE_MODEL,
    uuid: `sentry_${'a'.repeat(32)}`,
    title: 'ReferenceError: blooopy is not defined',
    level: { name: 'P1', color: '#FF7931' },
    sourceKind: 'sentry',
    source: 'Sentry',
    consoleUrl: '',
    assignees: [],
    fields: [
      { name: 'project', value: 'front-end' },
      { name: 'environment', value: 'prod' },
      { name: 'release', value: '1.2.3' },
    ],
    links: [{ kind: 'sentry', url: 'https://sentry.io/organizations/acme/issues/1/' }],
    count: 3,
    lastSeenAt: 1795414800,
  };

  it('are of one family: level colour, fields, the count, Acknowledge / Resolve and the source link, no Guance link', () => {
    for (const lang of LANGUAGES) {
      const card = buildIssueCard(sentryModel, lang);
      expectValidCard(card);
      expect(card.header?.template).toBe('orange');
      expect(markdownContents(card).join('\n')).toContain('front-end');
      expect(plainContents(card).join('\n')).toContain('3');
      expect(openUrls(card)).toEqual(['https://sentry.io/organizations/acme/issues/1/']);
      expect(callbackValues(card).map((v) => (v as { action: string }).action)).toEqual(['ack', 'resolve']);
    }
    expect(buttons(buildIssueCard(sentryModel, 'en')).map((b) => b.text.content)).toEqual(['Acknowledge', 'Resolve', 'Open in Sentry']);
    expect(plainContents(buildIssueCard(sentryModel, 'en')).join('\n')).toContain('Seen 3 times');
  });

  it('turn green when the source says it is over, and say who did it there', () => {
    const card = buildIssueCard(
      { ...sentryModel, statusType: 20, lastChange: { action: 'resolve', statusType: 20, by: { name: 'Jane', at: 1795418400, via: 'source' } } },
      'en',
    );
    expect(card.header?.template).toBe('green');
    expect(plainContents(card).join('\n')).toContain('Jane: resolved / recovered at');
    expect(callbackValues(card).map((v) => (v as { action: string }).action)).toEqual(['reopen']);
  });

  it('show no assignee row unless the source names someone', () => {
    const text = (model: IssueCardModel) => markdownContents(buildIssueCard(model, 'en')).join('\n');
    expect(text(sentryModel)).not.toContain('Assignees');
    expect(text({ ...sentryModel, assignees: ['Jane'] })).toContain('Assignees');
  });
});
