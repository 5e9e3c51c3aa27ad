import { describe, expect, it } from 'vitest';
import { durationMinutes, parseCommand } from '../../../../handlers/commands/parse.js';

const ID = `issue_${'a'.repeat(32)}`;
const inThread = { inIssueThread: true };
const outside = { inIssueThread: false };

describe('snooze, assign and war room commands', () => {
  it('reads durations in English and Chinese units', () => {
    expect(durationMinutes('30m')).toBe(30);
    expect(durationMinutes('4h')).toBe(240);
    expect(durationMinutes('1d')).toBe(1440);
    expect(durationMinutes('90')).toBe(90);
    expect(durationMinutes('1.5 hours')).toBe(90);
    expect(durationMinutes('2小时')).toBe(120);
    expect(durationMinutes('1天')).toBe(1440);
    for (const bad of ['', 'soon', '0m', '-5m', '31d', '4 weeks']) expect(durationMinutes(bad)).toBeNull();
  });

  it('parses snooze / 暂缓 with or without an issue; a sentence stays a comment in a thread', () => {
    expect(parseCommand(`snooze ${ID} 4h`, outside)).toEqual({ kind: 'snooze', issue: ID, minutes: 240 });
    expect(parseCommand('暂缓 30m', inThread)).toEqual({ kind: 'snooze', issue: null, minutes: 30 });
    expect(parseCommand('snooze this until tomorrow', inThread)).toEqual({ kind: 'comment', issue: null, text: 'snooze this until tomorrow' });
  });

  it('parses assign @person and warroom / 作战室', () => {
    expect(parseCommand(`assign ${ID} @Bob`, outside)).toEqual({ kind: 'assign', issue: ID });
    expect(parseCommand('指派 @Bob', inThread)).toEqual({ kind: 'assign', issue: null });
    expect(parseCommand('assign the logs to me', inThread)).toEqual({ kind: 'comment', issue: null, text: 'assign the logs to me' });
    expect(parseCommand(`warroom ${ID}`, outside)).toEqual({ kind: 'warroom', issue: ID });
    expect(parseCommand('作战室', inThread)).toEqual({ kind: 'warroom', issue: null });
  });
});
