import { describe, expect, it } from 'vitest';
import { ISSUE_ID_PATTERN, parseCommand, type Command } from '../../../../handlers/commands/parse.js';

const ID = 'issue_6b8a3c0f1e2d4a5b';
const ID2 = 'issue_ABC123';

const unknown: Command = { kind: 'help', reason: 'unknown' };
const missingText: Command = { kind: 'help', reason: 'missing-text' };
const inThreadComment = (text: string): Command => ({ kind: 'comment', issue: null, text });

/**
 * [input, outside a thread, inside an issue card's thread]
 * Where both columns are the same the command does not depend on the thread.
 */
type Row = [string, Command, Command];
const same = (input: string, cmd: Command): Row => [input, cmd, cmd];

const cases: Row[] = [
  // --- empty ---
  same('', { kind: 'help', reason: 'empty' }),
  same('   ', { kind: 'help', reason: 'empty' }),
  same('\u3000\u3000', { kind: 'help', reason: 'empty' }),
  same(' \n\t ', { kind: 'help', reason: 'empty' }),

  // --- legacy #issue#text ---
  same(`#${ID}#some text`, { kind: 'comment', issue: ID, text: 'some text' }),
  same(`＃${ID}＃全角井号`, { kind: 'comment', issue: ID, text: '全角井号' }),
  same(`#${ID}＃mixed hashes`, { kind: 'comment', issue: ID, text: 'mixed hashes' }),
  same(`  # ${ID} #   spaced out  `, { kind: 'comment', issue: ID, text: 'spaced out' }),
  same(`\u3000＃\u3000${ID}\u3000＃\u3000全角空格\u3000`, { kind: 'comment', issue: ID, text: '全角空格' }),
  same(`#${ID}#line one\nline two`, { kind: 'comment', issue: ID, text: 'line one\nline two' }),
  same(`#${ID}#text with # hash`, { kind: 'comment', issue: ID, text: 'text with # hash' }),
  same(`#${ID}#`, missingText),
  same(`#${ID}#   `, missingText),
  same(`＃${ID}＃\u3000`, missingText),
  [`#issue_bad-id#text`, unknown, inThreadComment('#issue_bad-id#text')],
  [`#notanissue#text`, unknown, inThreadComment('#notanissue#text')],
  [`#${ID} text without closing hash`, unknown, inThreadComment(`#${ID} text without closing hash`)],

  // --- reply / 回复 ---
  same(`reply ${ID} looking into it`, { kind: 'comment', issue: ID, text: 'looking into it' }),
  same(`REPLY ${ID} upper case`, { kind: 'comment', issue: ID, text: 'upper case' }),
  same(`Reply   ${ID}    many   spaces  `, { kind: 'comment', issue: ID, text: 'many   spaces' }),
  same(`reply: ${ID} colon`, { kind: 'comment', issue: ID, text: 'colon' }),
  same(`reply ${ID}\nfirst line\nsecond line`, { kind: 'comment', issue: ID, text: 'first line\nsecond line' }),
  same(`回复 ${ID} 已在处理`, { kind: 'comment', issue: ID, text: '已在处理' }),
  same(`回复：${ID} 全角冒号`, { kind: 'comment', issue: ID, text: '全角冒号' }),
  same(`回复:${ID} 半角冒号`, { kind: 'comment', issue: ID, text: '半角冒号' }),
  same(`回复${ID} 无空格`, { kind: 'comment', issue: ID, text: '无空格' }),
  same(`回复${ID}紧跟文本`, { kind: 'comment', issue: ID, text: '紧跟文本' }),
  same(`回复\u3000${ID}\u3000全角空格`, { kind: 'comment', issue: ID, text: '全角空格' }),
  same(`reply ${ID2} other id`, { kind: 'comment', issue: ID2, text: 'other id' }),
  same(`reply ${ID}`, missingText),
  same(`回复 ${ID}`, missingText),
  same('reply', missingText),
  same('回复', missingText),
  same('回复：', missingText),
  // reply without id: the thread's issue, or (outside) the handler asks which issue.
  same('reply some text', { kind: 'comment', issue: null, text: 'some text' }),
  same('回复 一些文字', { kind: 'comment', issue: null, text: '一些文字' }),
  [`reply issue_bad-id text`, unknown, inThreadComment('reply issue_bad-id text')],
  // Glued Chinese text is a sentence, not a command.
  ['回复一下大家', unknown, inThreadComment('回复一下大家')],
  ['replying now', unknown, inThreadComment('replying now')],

  // --- ack / acknowledge / 确认 / 认领 ---
  same(`ack ${ID}`, { kind: 'ack', issue: ID }),
  same(`ACK ${ID}`, { kind: 'ack', issue: ID }),
  same(`Acknowledge ${ID}`, { kind: 'ack', issue: ID }),
  same(`acknowledge:${ID}`, { kind: 'ack', issue: ID }),
  same(`  ack    ${ID}   `, { kind: 'ack', issue: ID }),
  same(`ack ${ID}.`, { kind: 'ack', issue: ID }),
  same(`确认 ${ID}`, { kind: 'ack', issue: ID }),
  same(`确认${ID}`, { kind: 'ack', issue: ID }),
  same(`确认：${ID}`, { kind: 'ack', issue: ID }),
  same(`认领 ${ID}`, { kind: 'ack', issue: ID }),
  same(`认领${ID}。`, { kind: 'ack', issue: ID }),
  same('ack', { kind: 'ack', issue: null }),
  same('Ack', { kind: 'ack', issue: null }),
  same('acknowledge', { kind: 'ack', issue: null }),
  same('确认', { kind: 'ack', issue: null }),
  same('认领', { kind: 'ack', issue: null }),
  same('认领！', { kind: 'ack', issue: null }),
  same('\u3000确认\u3000', { kind: 'ack', issue: null }),
  same('/ack', { kind: 'ack', issue: null }),
  same('ack.', { kind: 'ack', issue: null }),
  same('reply.', missingText),
  same('解决。', { kind: 'resolve', issue: null, note: '' }),
  ['ack foo', unknown, inThreadComment('ack foo')],
  ['ack this later please', unknown, inThreadComment('ack this later please')],
  [`ack ${ID} and more words`, unknown, inThreadComment(`ack ${ID} and more words`)],
  ['ack issue_bad-id', unknown, inThreadComment('ack issue_bad-id')],
  ['ack issue_', unknown, inThreadComment('ack issue_')],
  ['ack Issue_abc', unknown, inThreadComment('ack Issue_abc')],
  ['acknowledged', unknown, inThreadComment('acknowledged')],
  ['ack, on it', unknown, inThreadComment('ack, on it')],
  ['确认一下这个问题是不是已经修复了', unknown, inThreadComment('确认一下这个问题是不是已经修复了')],
  ['确认 一下', unknown, inThreadComment('确认 一下')],

  // --- resolve / 解决 ---
  same(`resolve ${ID}`, { kind: 'resolve', issue: ID, note: '' }),
  same(`RESOLVE ${ID} fixed by restart`, { kind: 'resolve', issue: ID, note: 'fixed by restart' }),
  same(`resolve:  ${ID}   fixed`, { kind: 'resolve', issue: ID, note: 'fixed' }),
  same(`resolve ${ID}, rolled back`, { kind: 'resolve', issue: ID, note: 'rolled back' }),
  same(`resolve ${ID}\nroot cause: bad config`, { kind: 'resolve', issue: ID, note: 'root cause: bad config' }),
  same('resolve', { kind: 'resolve', issue: null, note: '' }),
  same('resolve fixed in v1.2.3', { kind: 'resolve', issue: null, note: 'fixed in v1.2.3' }),
  same('resolve: fixed', { kind: 'resolve', issue: null, note: 'fixed' }),
  same(`解决 ${ID} 已回滚`, { kind: 'resolve', issue: ID, note: '已回滚' }),
  same(`解决${ID}`, { kind: 'resolve', issue: ID, note: '' }),
  same(`解决${ID}，已回滚`, { kind: 'resolve', issue: ID, note: '已回滚' }),
  same(`解决${ID}已回滚`, { kind: 'resolve', issue: ID, note: '已回滚' }),
  same(`解决：${ID}\u3000已回滚`, { kind: 'resolve', issue: ID, note: '已回滚' }),
  same('解决', { kind: 'resolve', issue: null, note: '' }),
  same('解决：重启后恢复', { kind: 'resolve', issue: null, note: '重启后恢复' }),
  same('解决 重启后恢复', { kind: 'resolve', issue: null, note: '重启后恢复' }),
  ['resolve issue_bad-id note', unknown, inThreadComment('resolve issue_bad-id note')],
  ['resolved', unknown, inThreadComment('resolved')],
  ['解决了吗？', unknown, inThreadComment('解决了吗？')],
  ['解决方案是重启服务', unknown, inThreadComment('解决方案是重启服务')],

  // --- reopen / 重新打开 ---
  same(`reopen ${ID}`, { kind: 'reopen', issue: ID }),
  same(`ReOpen ${ID}`, { kind: 'reopen', issue: ID }),
  same('reopen', { kind: 'reopen', issue: null }),
  same(`重新打开 ${ID}`, { kind: 'reopen', issue: ID }),
  same(`重新打开${ID}`, { kind: 'reopen', issue: ID }),
  same('重新打开', { kind: 'reopen', issue: null }),
  ['reopen it tomorrow', unknown, inThreadComment('reopen it tomorrow')],
  ['reopened again?', unknown, inThreadComment('reopened again?')],

  // --- list / 列表 ---
  same('list', { kind: 'list' }),
  same('LIST', { kind: 'list' }),
  same('  list  ', { kind: 'list' }),
  same('列表', { kind: 'list' }),
  same('list:', { kind: 'list' }),
  ['list of things is long', unknown, inThreadComment('list of things is long')],
  [`list ${ID}`, unknown, inThreadComment(`list ${ID}`)],
  ['列表里没有这个', unknown, inThreadComment('列表里没有这个')],

  // --- help / 帮助 / ? ---
  same('help', { kind: 'help', reason: 'asked' }),
  same('HELP', { kind: 'help', reason: 'asked' }),
  same('帮助', { kind: 'help', reason: 'asked' }),
  same('?', { kind: 'help', reason: 'asked' }),
  same('？', { kind: 'help', reason: 'asked' }),
  same(' ？ ', { kind: 'help', reason: 'asked' }),
  same('/help', { kind: 'help', reason: 'asked' }),
  ['help me understand this stack trace', unknown, inThreadComment('help me understand this stack trace')],
  ['帮助一下', unknown, inThreadComment('帮助一下')],
  ['??', unknown, inThreadComment('??')],

  // --- anything else ---
  ['hello', unknown, inThreadComment('hello')],
  ['  looks like the DB again  ', unknown, inThreadComment('looks like the DB again')],
  ['这个是数据库连接池的问题', unknown, inThreadComment('这个是数据库连接池的问题')],
  [ID, unknown, inThreadComment(ID)],
  ['@Tom please check', unknown, inThreadComment('@Tom please check')],
  ['/', unknown, inThreadComment('/')],
  ['/unknown', unknown, inThreadComment('/unknown')],
];

describe('parseCommand', () => {
  it.each(cases)('%j → outside: %j, in thread: %j', (input, outside, inThread) => {
    expect(parseCommand(input, { inIssueThread: false })).toEqual(outside);
    expect(parseCommand(input, { inIssueThread: true })).toEqual(inThread);
  });

  it('an explicit id wins over the thread', () => {
    expect(parseCommand(`ack ${ID2}`, { inIssueThread: true })).toEqual({ kind: 'ack', issue: ID2 });
  });
});

describe('ISSUE_ID_PATTERN', () => {
  it.each([
    [ID, true],
    [ID2, true],
    ['issue_1', true],
    ['issue_', false],
    ['Issue_abc', false],
    ['issue_abc-def', false],
    ['issue_abc_def', false],
    [`x${ID}`, false],
    [`${ID} `, false],
    ['', false],
  ])('%j → %s', (value, expected) => {
    expect(ISSUE_ID_PATTERN.test(value)).toBe(expected);
    // No `g` flag: testing twice gives the same answer.
    expect(ISSUE_ID_PATTERN.test(value)).toBe(expected);
  });
});
