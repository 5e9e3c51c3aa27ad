import { describe, expect, it } from 'vitest';
import { MAX_REPLY_CHARS, larkTextSafe, replyThreadText as renderReply, statusLineText, type ReplyTextOptions } from '../../../../cards/thread-text.js';
import { BOT_MARK, botCommentExtend } from '../../../../handlers/issues/index.js';
import { changeAction, guanceLastChange, hintSaysStatusMoved, isNewEntry, oldestFirst, planEntries, replyView } from '../../../../handlers/sync/plan.js';
import type { FollowState } from '../../../../src/store/index.js';
import { GuanceIssueSchema, GuanceReplySchema, type GuanceReply } from '../../../../src/guance/schemas.js';

const KEY = 'wsak_bot';
const T0 = 1_790_000_000; // 2026-09-21 …
const LINK = 'https://console.example.test/exceptions/x?__docid=issue_1';

let nextId = 1;
function entry(overrides: Partial<Record<string, unknown>> = {}): GuanceReply {
  const n = nextId++;
  return GuanceReplySchema.parse({
    uuid: `repim_${n}`,
    issueUUID: 'issue_1',
    content: `reply ${n}`,
    type: 'reply',
    extend: {},
    creator: 'acnt_alice',
    creatorInfo: { name: 'Alice', email: 'alice@example.com' },
    createAt: T0 + n,
    updateAt: T0 + n,
    deleteAt: -1,
    ...overrides,
  });
}

const baseState: FollowState = {
  followedAt: 0,
  issueCreatedAt: T0,
  issueCreator: 'acnt_creator',
  since: T0,
  watermark: T0,
  seen: [],
  knownUpdateAt: T0,
  lastCheckedAt: 0,
  lastActivityAt: 0,
  finishedAt: null,
};

describe('which entries are new', () => {
  it('skips seen uuids, history before the follow began, deleted entries, and entries far below the watermark', () => {
    const state = { ...baseState, since: T0, watermark: T0 + 1000, seen: ['repim_seen'] };
    expect(isNewEntry(entry({ uuid: 'repim_seen', createAt: T0 + 1000 }), state)).toBe(false);
    expect(isNewEntry(entry({ createAt: T0 - 1 }), state)).toBe(false);
    expect(isNewEntry(entry({ createAt: T0 + 1000, deleteAt: T0 + 1001 }), state)).toBe(false);
    expect(isNewEntry(entry({ createAt: T0 + 500 }), state)).toBe(false);
    // Same second as the newest handled one, or a little older (late write): still new when not seen.
    expect(isNewEntry(entry({ createAt: T0 + 1000 }), state)).toBe(true);
    expect(isNewEntry(entry({ createAt: T0 + 950 }), state)).toBe(true);
  });

  it('orders newest-first pages oldest first, keeping same-second entries in written order', () => {
    const a = entry({ uuid: 'a', createAt: T0 + 5 });
    const b = entry({ uuid: 'b', createAt: T0 + 5 });
    const c = entry({ uuid: 'c', createAt: T0 + 9 });
    // The list gives newest first; for the same second, later-written first.
    expect(oldestFirst([c, b, a]).map((e) => e.uuid)).toEqual(['a', 'b', 'c']);
  });
});

describe('what to do with each entry', () => {
  it("posts people's replies, never the bot's own comments or changes, and gives only the newest person change a status line", () => {
    const created = entry({ type: 'change', createAt: T0, creator: 'acnt_creator', content: 'Carol 创建了Issue。' });
    const reply = entry({ content: 'looking' });
    const ours = entry({ creator: KEY, extend: botCommentExtend({ ref: 'om_1', actorName: 'Bob' }), content: '[Lark] Bob: hi' });
    const oursMarkOnly = entry({ creator: 'acnt_other', extend: { larkBot: { mark: BOT_MARK } } });
    const ourChange = entry({ type: 'change', creator: KEY, content: 'key changed status' });
    const change1 = entry({ type: 'change', content: 'Alice set Working' });
    const change2 = entry({ type: 'change', content: 'Alice set Resolved' });
    const other = entry({ type: 'event' });
    const plan = planEntries([created, reply, ours, oursMarkOnly, ourChange, change1, change2, other], baseState, KEY);
    expect(plan.items.map((i) => i.kind)).toEqual(['skip', 'reply', 'skip', 'skip', 'skip', 'skip', 'status', 'skip']);
    expect(plan.lastPersonChange?.uuid).toBe(change2.uuid);
    expect(plan.items.filter((i) => i.byPerson).map((i) => i.entry.uuid)).toEqual([reply.uuid, change1.uuid, change2.uuid]);
  });

  it("tells the issue's own creation entry from a change another person made in the same second", () => {
    const created = entry({ type: 'change', createAt: T0, creator: 'acnt_creator' });
    const resolvedAtOnce = entry({ type: 'change', createAt: T0, creator: 'acnt_alice' });
    expect(planEntries([created], baseState, KEY).items[0]?.kind).toBe('skip');
    expect(planEntries([created, resolvedAtOnce], baseState, KEY).lastPersonChange?.uuid).toBe(resolvedAtOnce.uuid);
  });

  it('reads a status change only when a person made one or a scan saw the status move', () => {
    expect(planEntries([entry()], baseState, KEY).lastPersonChange).toBeUndefined();
    expect(hintSaysStatusMoved(undefined, 10)).toBe(false);
    expect(hintSaysStatusMoved(20, 10)).toBe(true);
    expect(hintSaysStatusMoved(10, 10)).toBe(false);
    expect(hintSaysStatusMoved(0, 10)).toBe(true); // left the open list
    expect(hintSaysStatusMoved(0, 20)).toBe(false);
  });
});

describe('status changes made in Guance', () => {
  const issue = (over: Record<string, unknown> = {}) =>
    GuanceIssueSchema.parse({
      uuid: 'issue_1',
      name: 'x',
      statusType: 20,
      createAt: T0,
      updateAt: T0 + 50,
      updator: 'acnt_alice',
      updatorInfo: { name: 'Alice' },
      ...over,
    });

  it('names the action from the old and new status', () => {
    expect(changeAction(10, 20)).toBe('resolve');
    expect(changeAction(10, 15)).toBe('ack');
    expect(changeAction(20, 10)).toBe('reopen');
    expect(changeAction(25, 10)).toBe('reopen');
    expect(changeAction(15, 10)).toBe('status');
    expect(changeAction(10, 25)).toBe('status');
  });

  it('attributes a new status to the person of the change entry, at its time', () => {
    const change = entry({ type: 'change', createAt: T0 + 40, creatorInfo: { name: 'Carol' } });
    expect(guanceLastChange({ statusType: 10 }, issue(), change, KEY)).toEqual({
      action: 'resolve',
      statusType: 20,
      by: { name: 'Carol', at: T0 + 40, via: 'guance' },
    });
  });

  it('posts nothing when the card already shows that status (a Lark action, or a level change)', () => {
    expect(guanceLastChange({ statusType: 20 }, issue(), entry({ type: 'change' }), KEY)).toBeNull();
  });

  it("does not attribute to Guance a change the bot's own key made", () => {
    expect(guanceLastChange({ statusType: 10 }, issue({ updator: KEY, updatorInfo: { name: KEY } }), undefined, KEY)).toBeNull();
    expect(guanceLastChange({ statusType: 10 }, issue(), undefined, KEY)?.by).toEqual({ name: 'Alice', at: T0 + 50, via: 'guance' });
  });

  it('says it in one short line', () => {
    const line = statusLineText({ action: 'resolve', statusType: 20, by: { name: 'Alice', at: T0, via: 'guance' } }, 'en', 'Asia/Shanghai');
    expect(line).toMatch(/^Resolved by Alice in Guance at \d{4}-\d\d-\d\d \d\d:\d\d \(UTC\+8\)$/);
    expect(statusLineText({ action: 'status', statusType: 30, by: { name: 'A', at: T0, via: 'guance' } }, 'zh', 'UTC')).toContain('挂起');
  });
});

/** Read (handlers/sync/plan.ts) then rendered (cards/thread-text.ts), as sync does. */
const replyThreadText = (reply: GuanceReply, options: ReplyTextOptions) => renderReply(replyView(reply), options);

describe('reply text in the thread', () => {
  const options = { lang: 'en' as const, timeZone: 'Asia/Shanghai', issueLink: LINK };

  it('has the author, the workspace-local time and the text as plain text', () => {
    const text = replyThreadText(entry({ content: '<p>Deploy <b>rolled back</b></p><p>see **logs**</p>', createAt: T0 }), options);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^Alice replied in Guance at \d{4}-\d\d-\d\d \d\d:\d\d \(UTC\+8\):$/);
    expect(lines.slice(1)).toEqual(['Deploy rolled back', 'see logs']);
  });

  it('cannot mention or link anyone through Lark text syntax', () => {
    const text = replyThreadText(entry({ content: 'hi &lt;at user_id="all"&gt;everyone&lt;/at&gt; and <at user_id="all"></at> [x](https://evil.test)' }), options);
    expect(text).not.toMatch(/<at/i);
    expect(text).not.toContain('](');
    expect(larkTextSafe('a <b>b</b> 1 < 2')).toBe('a ＜b>b＜/b> 1 < 2');
  });

  it('cuts long text sensibly and links to the full text', () => {
    const text = replyThreadText(entry({ content: 'word '.repeat(1000) }), options);
    const body = text.split('\n')[1] ?? '';
    expect([...body].length).toBeLessThanOrEqual(MAX_REPLY_CHARS);
    expect(body.endsWith('…')).toBe(true);
    expect(text).toContain(`Full text in Guance: ${LINK}`);
    expect(replyThreadText(entry({ content: 'short' }), options)).not.toContain('Full text');
  });

  it('lists attachments and links, and falls back for missing names and text', () => {
    const text = replyThreadText(
      entry({
        content: '',
        creatorInfo: null,
        extend: { extra: { creator: { name: 'Dan' } }, linkList: [{ name: 'Runbook', link: 'https://wiki.example/rb' }, { name: 'bad', link: 'javascript:alert(1)' }] },
        attachmentsList: [{ fileName: 'trace', fileSuffix: 'log', uuid: 'att_1' }, { fileName: 'shot.png', fileSuffix: 'png', uuid: 'att_2' }],
      }),
      options,
    );
    expect(text).toContain('Dan replied in Guance');
    expect(text).toContain('(no text)');
    expect(text).toContain(`Attachments: trace.log, shot.png (open in Guance: ${LINK})`);
    expect(text).toContain('Links:\nRunbook: https://wiki.example/rb');
    expect(text).not.toContain('javascript');
    const anonymous = replyThreadText(entry({ creatorInfo: {}, extend: {} }), { ...options, lang: 'zh' });
    expect(anonymous.startsWith('有人 于')).toBe(true);
  });
});
