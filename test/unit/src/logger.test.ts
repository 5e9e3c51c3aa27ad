import { describe, expect, it } from 'vitest';
import { makeRedactor } from '../../../src/logger.js';

describe('makeRedactor', () => {
  const redact = makeRedactor(['s3cret-app-secret', 'key']);

  it('redacts secret-named keys and configured secret values wherever they appear', () => {
    expect(
      redact({ app_secret: 'x', Authorization: 'Bearer t-1', nested: { note: 'the s3cret-app-secret leaked', list: ['s3cret-app-secret'] } }),
    ).toEqual({ app_secret: '[redacted]', Authorization: '[redacted]', nested: { note: 'the [redacted] leaked', list: ['[redacted]'] } });
  });

  it('ignores secrets shorter than 4 characters (they would shred ordinary words)', () => {
    expect(redact('a keyboard')).toBe('a keyboard');
  });

  it('marks real cycles, but the same object logged twice is not a cycle', () => {
    const shared = { channel: 'ops' };
    expect(redact({ shared })).toEqual({ shared: { channel: 'ops' } });
    expect(redact({ shared })).toEqual({ shared: { channel: 'ops' } });
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(redact(cyclic)).toEqual({ name: 'loop', self: '[circular]' });
  });

  it('renders errors as name and message only', () => {
    expect(redact(new TypeError('boom s3cret-app-secret'))).toEqual({ name: 'TypeError', message: 'boom [redacted]' });
  });
});
