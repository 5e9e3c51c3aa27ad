import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  DINGTALK_MAX_CHARS,
  LARK_WEBHOOK_MAX_BYTES,
  WECOM_MAX_BYTES,
  dingTalkMessage,
  escapeRobotMd,
  larkWebhookCard,
  truncateUtf8,
  weComMessage,
  type RobotMessageView,
} from '../../../cards/robot-messages.js';
import type { LarkCard } from '../../../cards/types.js';
import type { RobotView } from '../../../src/robots/types.js';
import { expectValidCard, walk } from './card-checks.js';

type Json = Record<string, unknown>;
const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
const chars = (text: string): number => [...text].length;

const VIEW: RobotView = {
  title: '[P1] Checkout returns 500',
  level: 'P1',
  status: 'Open',
  source: 'Guance',
  time: '2026-11-23 14:05 (UTC+8)',
  fields: [
    { name: 'Service', value: 'checkout' },
    { name: 'Env', value: 'prod' },
    { name: 'Host', value: 'web-1' },
  ],
  excerpt: 'Error rate 7.2% on POST /pay\nSee the runbook',
  links: [
    { label: 'Open in Guance', url: 'https://console.guance.com/exceptions?w=wksp_1&__docid=issue_1' },
    { label: 'Bad', url: 'javascript:alert(1)' },
    { label: 'Sentry', url: 'https://sentry.io/issues/1/' },
    { label: 'Alert', url: 'https://console.guance.com/alert/2' },
    { label: 'Report', url: 'https://example.com/report/3' },
  ],
  lines: [],
};

const HUGE = 'x'.repeat(100 * 1024);
const HUGE_CJK = '数据库连接超时'.repeat(15_000); // ~315 KB of UTF-8
const digest = (n: number, title = 'Payment API error rate above 5% on host web-%d'): RobotView => ({
  ...VIEW,
  title: `${n} new issues in the last minute`,
  level: 'P0',
  excerpt: '',
  fields: [],
  links: [{ label: 'Open in Guance', url: 'https://console.guance.com/exceptions' }],
  lines: Array.from({ length: n }, (_, i) => ({
    level: i < 10 ? 'P0' : 'P2',
    title: title.replace('%d', String(i)),
    url: `https://console.guance.com/exceptions?__docid=issue_${i}_${'a'.repeat(60)}`,
  })),
});

const dingText = (message: Json): string => {
  const inner = (message.actionCard ?? message.markdown) as { text: string };
  return inner.text;
};
const weComContent = (message: Json): string => (message.markdown as { content: string }).content;
const larkCardOf = (message: Json): LarkCard => message.card as LarkCard;

describe('RobotMessageView', () => {
  it('is exactly RobotView (cards/ cannot import it, so it repeats it)', () => {
    expectTypeOf<RobotMessageView>().toEqualTypeOf<RobotView>();
  });
});

describe('dingTalkMessage', () => {
  it('is an actionCard with at most 3 URL buttons when there are links, with msgUuid', () => {
    const message = dingTalkMessage(VIEW, { msgUuid: 'u-1' });
    expect(message.msgtype).toBe('actionCard');
    expect(message.msgUuid).toBe('u-1');
    const card = message.actionCard as { title: string; text: string; btns: { title: string; actionURL: string }[] };
    expect(card.btns).toHaveLength(3);
    for (const btn of card.btns) expect(btn.actionURL).toMatch(/^https:\/\//);
    expect(card.btns.map((b) => b.title)).toEqual(['Open in Guance', 'Sentry', 'Alert']);
    expect(card.title).toBe('[P1] Checkout returns 500');
    expect(card.text).toContain('**[P1] Checkout returns 500**');
    expect(card.text).toContain('Guance · Open · 2026-11-23 14:05 (UTC+8)');
    expect(card.text).toContain('**Service** checkout');
    expect(card.text).toContain('> Error rate 7.2% on POST /pay  \n> See the runbook');
  });

  it('is markdown without links', () => {
    const message = dingTalkMessage({ ...VIEW, links: [{ label: 'x', url: 'ftp://nope' }] }, { msgUuid: 'u-2' });
    expect(message.msgtype).toBe('markdown');
    expect(message).not.toHaveProperty('actionCard');
    expect((message.markdown as { title: string }).title).toBe('[P1] Checkout returns 500');
  });

  it('escapes user text: no formatting, links, tags or mentions from it', () => {
    const text = dingText(
      dingTalkMessage(
        { ...VIEW, title: '**bold** [x](https://evil.example) <font color="red">hi</font>', excerpt: '# heading\n- item\n1. one' },
        { msgUuid: 'u' },
      ),
    );
    expect(text).not.toContain('[x](');
    expect(text).not.toContain('<font');
    expect(text).toContain('\\*\\*bold\\*\\*');
    expect(text).toContain('> \\# heading');
    expect(text).toContain('> \\- item');
    expect(text).toContain('> 1\\. one');
  });

  it('stays within 4 000 characters with a 100 KB excerpt', () => {
    for (const excerpt of [HUGE, HUGE_CJK]) {
      const text = dingText(dingTalkMessage({ ...VIEW, excerpt, title: HUGE }, { msgUuid: 'u' }));
      expect(chars(text)).toBeLessThanOrEqual(DINGTALK_MAX_CHARS);
      expect(text).toContain('…');
    }
  });

  it('lists a 300-line digest in order, cut to fit with "…and N more"', () => {
    const text = dingText(dingTalkMessage(digest(300), { msgUuid: 'u', lang: 'en' }));
    expect(chars(text)).toBeLessThanOrEqual(DINGTALK_MAX_CHARS);
    const items = text.split('\n').filter((line) => line.startsWith('- '));
    expect(items[0]).toMatch(/^- \[P0\] \[Payment API error rate above 5% on host web-0\]\(https:/);
    expect(items.at(-1)).toMatch(/^- …and \d+ more$/);
    const shown = items.length - 1;
    expect(items.at(-1)).toBe(`- …and ${300 - shown} more`);
  });
});

describe('weComMessage', () => {
  it('is markdown with the level coloured and links', () => {
    const message = weComMessage(VIEW);
    expect(message.msgtype).toBe('markdown');
    const content = weComContent(message);
    expect(content.startsWith('**[<font color="warning">P1</font>] Checkout returns 500**')).toBe(true);
    expect(content).toContain('> <font color="comment">Guance · Open · 2026-11-23 14:05 (UTC+8)</font>');
    expect(content).toContain('[Open in Guance](https://console.guance.com/exceptions?w=wksp_1&__docid=issue_1)');
    expect(content).not.toContain('javascript:');
    expect(weComContent(weComMessage({ ...VIEW, level: 'P3', title: 'x' }))).toContain('<font color="comment">P3</font>');
  });

  it('cannot be made to mention, colour or link from user text', () => {
    const content = weComContent(
      weComMessage({ ...VIEW, title: '<@zhangsan> <font color="info">ok</font>', fields: [{ name: '<@all>', value: '[a](https://x.y)' }] }),
    );
    expect(content).not.toMatch(/<@/);
    expect(content).not.toContain('<font color="info">');
    expect(content).toContain('＜@zhangsan＞');
    expect(content).not.toContain('[a](');
  });

  it('stays within 4 096 UTF-8 bytes with CJK text, cut on a code point', () => {
    for (const view of [{ ...VIEW, excerpt: HUGE_CJK }, { ...VIEW, excerpt: HUGE }, { ...VIEW, title: HUGE_CJK, excerpt: HUGE_CJK }]) {
      const content = weComContent(weComMessage(view));
      expect(bytes(content)).toBeLessThanOrEqual(WECOM_MAX_BYTES);
      expect(content).not.toContain('\uFFFD');
      expect(Buffer.from(content, 'utf8').toString('utf8')).toBe(content);
    }
  });

  it('fits a 300-line CJK digest', () => {
    const content = weComContent(weComMessage(digest(300, '支付接口错误率超过百分之五，主机 web-%d'), 'zh'));
    expect(bytes(content)).toBeLessThanOrEqual(WECOM_MAX_BYTES);
    expect(content).toMatch(/…还有 \d+ 个$/);
    expect(content).toContain('[<font color="warning">P0</font>] [支付接口错误率超过百分之五，主机 web-0](https://');
  });
});

describe('larkWebhookCard', () => {
  it('is an interactive JSON 2.0 card under `card`, coloured by level, with URL buttons only', () => {
    const message = larkWebhookCard({ ...VIEW, level: 'P0', title: '[P0] Down' }, 'en');
    expect(message.msg_type).toBe('interactive');
    expect(message).not.toHaveProperty('content');
    const card = larkCardOf(message);
    expectValidCard(card);
    expect(card.header?.template).toBe('red');
    expect(card.header?.title.content).toBe('[P0] Down');
    const behaviors: Json[] = [];
    walk(card, (node) => {
      if (node.tag === 'button') behaviors.push(...(node.behaviors as Json[]));
    });
    expect(behaviors).toHaveLength(3);
    for (const behavior of behaviors) expect(behavior.type).toBe('open_url');
    expect(JSON.stringify(card)).not.toContain('callback');
    expect(JSON.stringify(card)).not.toContain('javascript:');
  });

  it('escapes user text in markdown', () => {
    const card = larkCardOf(larkWebhookCard({ ...VIEW, fields: [{ name: '<at id=all></at>', value: '**x**' }] }, 'en'));
    const text = JSON.stringify(card);
    expect(text).not.toContain('<at id=all>');
    expect(text).not.toContain('**x**');
  });

  it('stays under 19 000 bytes with a 100 KB excerpt', () => {
    for (const excerpt of [HUGE, HUGE_CJK]) {
      const message = larkWebhookCard({ ...VIEW, excerpt, title: HUGE_CJK, fields: Array(50).fill({ name: HUGE, value: HUGE_CJK }) }, 'zh');
      expect(bytes(JSON.stringify(message))).toBeLessThanOrEqual(LARK_WEBHOOK_MAX_BYTES);
      expectValidCard(larkCardOf(message));
    }
  });

  it('fits a 300-line digest, most severe first as given', () => {
    const message = larkWebhookCard(digest(300, '支付接口错误率超过百分之五，主机 web-%d'), 'en');
    expect(bytes(JSON.stringify(message))).toBeLessThanOrEqual(LARK_WEBHOOK_MAX_BYTES);
    const card = larkCardOf(message);
    expectValidCard(card);
    const list = card.body.elements.flatMap((el) => (el.tag === 'markdown' ? [el.content] : [])).join('\n');
    const items = list.split('\n');
    expect(items[0]).toMatch(/^- &#91;P0&#93; \[支付接口错误率超过百分之五，主机 web-0\]\(https:/);
    expect(items.at(-1)).toMatch(/^- …and \d+ more$/);
  });
});

describe('text helpers', () => {
  it('truncateUtf8 cuts on a code point and counts the ellipsis', () => {
    expect(truncateUtf8('abc', 3)).toBe('abc');
    expect(truncateUtf8('abcd', 3)).toBe('…');
    expect(truncateUtf8('数据库', 8)).toBe('数…');
    expect(truncateUtf8('😀😀😀', 10)).toBe('😀…');
    expect(bytes(truncateUtf8('数'.repeat(5000), 4096))).toBeLessThanOrEqual(4096);
    expect(truncateUtf8('abcd', 2)).toBe('');
  });

  it('escapeRobotMd neutralises markdown and tags', () => {
    expect(escapeRobotMd('a*b_c [d] `e` <f> \\ ~')).toBe('a\\*b\\_c \\[d\\] \\`e\\` ＜f＞ \\\\ \\~');
  });
});
