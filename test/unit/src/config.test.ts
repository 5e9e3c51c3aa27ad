import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { ConfigError } from '../../../src/errors.js';

const base = {
  LARK_APP_ID: 'cli_a1b2c3d4e5f60718',
  LARK_APP_SECRET: 'secret',
  LARK_CHAT_ID: 'oc_1',
  GUANCE_API_KEY: 'wsak_1',
};

function problem(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(base);
    expect(config.port).toBe(3000);
    expect(config.redis).toMatchObject({ mode: 'single', url: 'redis://127.0.0.1:6379', nodes: [{ host: '127.0.0.1', port: 6379 }] });
    expect(config.lark.baseUrl).toBe('https://open.feishu.cn');
    expect(config.guance.openApiUrl).toBe('https://openapi.guance.com');
    expect(config.guance.consoleUrl).toBe('https://console.guance.com');
    expect(config.guance.channels).toEqual(['default']);
    expect(config.guance.budget).toEqual({ perMinute: 20, humanReserve: 5, pollPerMinute: 10 });
    expect(config.guance.pollIntervalSeconds).toBe(7);
    expect(config.language).toBe('zh');
    expect(config.logLevel).toBe('info');
    expect(config.warnings).toEqual([]);
  });

  it.each([
    [{ LARK_APP_ID: '' }, /^Invalid setting LARK_APP_ID: required/],
    [{ LARK_APP_SECRET: '  ' }, /^Invalid setting LARK_APP_SECRET: required/],
    [{ PORT: 'abc' }, /^Invalid setting PORT: must be a number/],
    [{ PORT: '70000' }, /^Invalid setting PORT: must be at most 65535/],
    [{ REDIS_URL: 'http://x' }, /^Invalid setting REDIS_URL: .*must be a redis/],
    [{ LARK_DOMAIN: 'somewhere' }, /^Invalid setting LARK_DOMAIN: must be "feishu", "lark"/],
    [{ GUANCE_OPENAPI_URL: 'ftp://x' }, /^Invalid setting GUANCE_OPENAPI_URL: must be an http/],
    [{ BOT_LANGUAGE: 'fr' }, /^Invalid setting BOT_LANGUAGE:/],
    [{ LOG_LEVEL: 'loud' }, /^Invalid setting LOG_LEVEL:/],
    [{ GUANCE_REQUESTS_PER_MINUTE: '1' }, /^Invalid setting GUANCE_REQUESTS_PER_MINUTE: must be at least/],
    [{ POLL_INTERVAL_SECONDS: '-3' }, /^Invalid setting POLL_INTERVAL_SECONDS: must be positive/],
    [{ BOT_TIMEZONE: 'Mars/Base' }, /^Invalid setting BOT_TIMEZONE:/],
  ])('names the setting in one line: %j', (override, expected) => {
    const message = problem({ ...base, ...override });
    expect(message).toMatch(expected);
    expect(message).not.toContain('\n');
  });

  it('reports a missing required setting by name', () => {
    const { GUANCE_API_KEY: _omitted, ...rest } = base;
    expect(problem(rest)).toMatch(/^Invalid setting GUANCE_API_KEY: required/);
  });

  it('resolves LARK_DOMAIN names and base URLs', () => {
    expect(loadConfig({ ...base, LARK_DOMAIN: 'lark' }).lark.baseUrl).toBe('https://open.larksuite.com');
    expect(loadConfig({ ...base, LARK_DOMAIN: 'http://127.0.0.1:9000/' }).lark.baseUrl).toBe('http://127.0.0.1:9000');
  });

  it('raises a poll interval the budget cannot sustain, with a warning', () => {
    const config = loadConfig({ ...base, POLL_INTERVAL_SECONDS: '1', GUANCE_CHANNELS: 'default, ops ,default' });
    expect(config.guance.channels).toEqual(['default', 'ops']);
    expect(config.guance.pollIntervalSeconds).toBe(14);
    expect(config.warnings[0]).toMatch(/raised to 14/);
    expect(loadConfig({ ...base, POLL_INTERVAL_SECONDS: '30' }).guance.pollIntervalSeconds).toBe(30);
  });
});

describe('SYNC_STOP_AFTER_HOURS', () => {
  it('defaults to 24 hours and takes decimals', () => {
    expect(loadConfig(base).guance.syncStopAfterHours).toBe(24);
    expect(loadConfig({ ...base, SYNC_STOP_AFTER_HOURS: '0.5' }).guance.syncStopAfterHours).toBe(0.5);
    expect(loadConfig({ ...base, SYNC_STOP_AFTER_HOURS: ' ' }).guance.syncStopAfterHours).toBe(24);
  });

  it.each(['0', '-1', 'soon'])('refuses %s with a message naming the setting', (value) => {
    expect(() => loadConfig({ ...base, SYNC_STOP_AFTER_HOURS: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, SYNC_STOP_AFTER_HOURS: value })).toThrow(/SYNC_STOP_AFTER_HOURS/);
  });
});
