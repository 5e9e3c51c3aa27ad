import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

const base = { LARK_APP_ID: 'cli_a1b2c3d4e5f60718', LARK_APP_SECRET: 'secret', LARK_CHAT_ID: 'oc_1', GUANCE_API_KEY: 'wsak_1' };

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
