import { describe, expect, it } from 'vitest';
import { interpolate, larkLocales, MESSAGE_KEYS, MESSAGES, t, toLanguage } from '../../../cards/i18n.js';

const placeholders = (text: string): string[] => [...text.matchAll(/\{([A-Za-z][A-Za-z0-9_]*)\}/g)].map((m) => m[1] ?? '').sort();

describe('message table', () => {
  it('has Chinese and English text for every key', () => {
    expect(MESSAGE_KEYS.length).toBeGreaterThan(50);
    for (const key of MESSAGE_KEYS) {
      const entry = MESSAGES[key];
      expect(Object.keys(entry).sort(), key).toEqual(['en', 'zh']);
      expect(entry.en.trim(), `${key}.en`).not.toBe('');
      expect(entry.zh.trim(), `${key}.zh`).not.toBe('');
    }
  });

  it('uses the same placeholders in both languages', () => {
    for (const key of MESSAGE_KEYS) {
      expect(placeholders(MESSAGES[key].zh), key).toEqual(placeholders(MESSAGES[key].en));
    }
  });

  it('covers what the cards and the chat answers print', () => {
    for (const key of [
      'status.open',
      'status.working',
      'status.resolved',
      'status.closed',
      'status.pending',
      'level.unknown',
      'field.level',
      'field.source',
      'field.status',
      'field.created',
      'field.assignees',
      'button.ack',
      'button.resolve',
      'button.reopen',
      'button.open',
      'change.ack',
      'change.resolve.guance',
      'toast.acknowledged',
      'toast.resolved',
      'toast.reopened',
      'toast.working',
      'toast.failed',
      'toast.already',
      'toast.invalid',
      'answer.commentAdded',
      'answer.unknownIssue',
      'answer.guanceRefused',
      'answer.rateLimited',
      'answer.whichIssue',
      'answer.noOpenIssues',
      'list.title',
      'help.title',
    ]) {
      expect(MESSAGE_KEYS, key).toContain(key);
    }
  });

  it('is frozen', () => {
    expect(Object.isFrozen(MESSAGES)).toBe(true);
    expect(Object.isFrozen(MESSAGE_KEYS)).toBe(true);
  });
});

describe('t', () => {
  it('returns the text in the requested language with placeholders filled', () => {
    expect(t('en', 'button.ack')).toBe('Acknowledge');
    expect(t('zh', 'button.ack')).toBe('确认');
    expect(t('en', 'button.open')).toBe('Open in Guance');
    expect(t('zh', 'button.open')).toBe('在观测云中查看');
    expect(t('en', 'change.ack', { name: 'Alice', time: '2026-11-23 14:05 (UTC+8)' })).toBe(
      'Acknowledged by Alice at 2026-11-23 14:05 (UTC+8)',
    );
    expect(t('en', 'toast.already', { status: 'Resolved' })).toBe('Already Resolved');
    expect(t('en', 'toast.failed', { reason: 'HTTP 403' })).toBe('Could not change the issue: HTTP 403');
    expect(t('en', 'list.title', { count: 3 })).toBe('Open issues (3)');
    expect(t('zh', 'list.title', { count: 3 })).toBe('待处理的 Issue（3）');
    expect(t('en', 'answer.commentAdded', { title: 'DB down', time: '14:05' })).toBe('Comment added to "DB down" at 14:05');
    expect(t('en', 'answer.unknownIssue', { issue: 'issue_x' })).toBe('Unknown issue issue_x');
    expect(t('en', 'answer.guanceRefused', { message: 'bad' })).toBe('Guance refused: bad');
    expect(t('en', 'answer.waitingTitle')).toBe("Waiting for Guance's limit");
  });
});

describe('larkLocales', () => {
  it('gives both Lark locales for a toast', () => {
    expect(larkLocales('toast.acknowledged')).toEqual({ zh_cn: '已确认', en_us: 'Acknowledged' });
    expect(larkLocales('toast.already', { status: 'Resolved' })).toEqual({ zh_cn: '已经是Resolved状态', en_us: 'Already Resolved' });
  });
});

describe('interpolate', () => {
  it('fills known placeholders once and leaves unknown ones visible', () => {
    expect(interpolate('{a} and {b}', { a: 1 })).toBe('1 and {b}');
    expect(interpolate('{a}{b}', { a: '{b}', b: 'x' })).toBe('{b}x');
    expect(interpolate('{toString}', {})).toBe('{toString}');
    expect(interpolate('no placeholders')).toBe('no placeholders');
  });
});

describe('toLanguage', () => {
  it('normalises language tags, Chinese by default', () => {
    expect(toLanguage('en')).toBe('en');
    expect(toLanguage('en_us')).toBe('en');
    expect(toLanguage('EN-GB')).toBe('en');
    expect(toLanguage('zh')).toBe('zh');
    expect(toLanguage('zh_cn')).toBe('zh');
    expect(toLanguage('english')).toBe('zh');
    expect(toLanguage(undefined)).toBe('zh');
    expect(toLanguage('')).toBe('zh');
  });
});
