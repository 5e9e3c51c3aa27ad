import { describe, expect, it } from 'vitest';
import { ROBOT_LIMITS, redactSinkUrl, validateSinkUrl } from '../../../../src/robots/urls.js';

const DINGTALK = 'https://oapi.dingtalk.com/robot/send?access_token=abc123secret';
const WECOM = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
const LARK = 'https://open.feishu.cn/open-apis/bot/v2/hook/0b5e3c7a-1111-2222-3333-444455556666';

describe('validateSinkUrl', () => {
  it('accepts the documented webhook URLs', () => {
    expect(validateSinkUrl('dingtalk', DINGTALK)).toBeNull();
    expect(validateSinkUrl('wecom', WECOM)).toBeNull();
    expect(validateSinkUrl('lark-webhook', LARK)).toBeNull();
    expect(validateSinkUrl('lark-webhook', LARK.replace('open.feishu.cn', 'open.larksuite.com'))).toBeNull();
  });

  it('wants each robot its credential', () => {
    expect(validateSinkUrl('dingtalk', 'https://oapi.dingtalk.com/robot/send')).toMatch(/access_token/);
    expect(validateSinkUrl('dingtalk', 'https://oapi.dingtalk.com/robot/send?access_token=')).toMatch(/access_token/);
    expect(validateSinkUrl('wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?token=x')).toMatch(/key/);
    expect(validateSinkUrl('lark-webhook', 'https://open.feishu.cn/open-apis/bot/hook/abc')).toMatch(/v2\/hook/);
    expect(validateSinkUrl('lark-webhook', 'https://open.feishu.cn/open-apis/bot/v2/hook/')).toMatch(/v2\/hook/);
    // A DingTalk URL is not a WeCom one.
    expect(validateSinkUrl('wecom', DINGTALK)).not.toBeNull();
  });

  it('requires https except towards this machine', () => {
    expect(validateSinkUrl('dingtalk', DINGTALK.replace('https:', 'http:'))).toMatch(/https/);
    expect(validateSinkUrl('dingtalk', 'http://127.0.0.1:8080/robot/send?access_token=t')).toBeNull();
    expect(validateSinkUrl('wecom', 'http://localhost:9/cgi-bin/webhook/send?key=k')).toBeNull();
    expect(validateSinkUrl('lark-webhook', 'http://[::1]:9/open-apis/bot/v2/hook/x')).toBeNull();
    expect(validateSinkUrl('lark-webhook', 'http://localhost.evil.com/open-apis/bot/v2/hook/x')).toMatch(/https/);
    expect(validateSinkUrl('dingtalk', 'ftp://127.0.0.1/robot/send?access_token=t')).toMatch(/https/);
  });

  it('answers one line that never repeats the URL', () => {
    for (const bad of ['not a url', 'https://user:pw@oapi.dingtalk.com/robot/send?access_token=zzz', 'https://x/?token=zzz']) {
      const problem = validateSinkUrl('dingtalk', bad);
      expect(problem).not.toBeNull();
      expect(problem).not.toMatch(/\n/);
      expect(problem).not.toContain('zzz');
    }
  });
});

describe('redactSinkUrl', () => {
  it('keeps scheme, host and path and hides the token or key', () => {
    expect(redactSinkUrl(`${DINGTALK}&timestamp=1&sign=abc`)).toBe(
      'https://oapi.dingtalk.com/robot/send?access_token=[redacted]&timestamp=[redacted]&sign=[redacted]',
    );
    expect(redactSinkUrl(WECOM)).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=[redacted]');
    expect(redactSinkUrl(LARK)).toBe('https://open.feishu.cn/open-apis/bot/v2/hook/[redacted]');
    expect(redactSinkUrl('http://127.0.0.1:8080/open-apis/bot/hook/tok')).toBe('http://127.0.0.1:8080/open-apis/bot/hook/[redacted]');
  });

  it('never returns what it cannot parse', () => {
    expect(redactSinkUrl('oapi.dingtalk.com/robot/send?access_token=abc123secret')).toBe('[invalid url]');
    expect(redactSinkUrl('https://u:p@host/x')).toBe('https://host/x');
  });
});

describe('ROBOT_LIMITS', () => {
  it('holds each documented limit with slack', () => {
    expect(ROBOT_LIMITS.dingtalk).toEqual([{ windowMs: 61_000, limit: 20 }]);
    expect(ROBOT_LIMITS.wecom).toEqual([{ windowMs: 61_000, limit: 20 }]);
    expect(ROBOT_LIMITS['lark-webhook']).toEqual([
      { windowMs: 1_200, limit: 5 },
      { windowMs: 61_000, limit: 100 },
    ]);
  });
});
