import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bearerToken, checkToken, secretEquals, sentrySignatureValid } from '../../../../src/http/webhook-auth.js';

interface Vector {
  client_secret: string;
  vector_ascii: { raw_body: string; sentry_hook_signature: string };
  vector_non_ascii: { raw_body: string; sentry_hook_signature: string; json_stringify_of_parsed_body: string };
}
const vector = JSON.parse(
  readFileSync(new URL('../../../fixtures/sentry/issue-created-signature-vector.CONSTRUCTED.json', import.meta.url), 'utf8'),
) as Vector;

describe('sentrySignatureValid', () => {
  it('verifies both published vectors over the raw bytes as sent', () => {
    for (const v of [vector.vector_ascii, vector.vector_non_ascii]) {
      expect(sentrySignatureValid(vector.client_secret, Buffer.from(v.raw_body, 'utf8'), v.sentry_hook_signature)).toBe(true);
    }
  });

  it('fails a re-serialised body (non-ASCII as UTF-8 instead of \\uXXXX), another secret, a bad header', () => {
    const v = vector.vector_non_ascii;
    expect(sentrySignatureValid(vector.client_secret, Buffer.from(v.json_stringify_of_parsed_body, 'utf8'), v.sentry_hook_signature)).toBe(false);
    expect(sentrySignatureValid('another-secret', Buffer.from(v.raw_body), v.sentry_hook_signature)).toBe(false);
    for (const header of [undefined, '', 'zz', v.sentry_hook_signature.slice(0, 63), `${v.sentry_hook_signature}00`]) {
      expect(sentrySignatureValid(vector.client_secret, Buffer.from(v.raw_body), header)).toBe(false);
    }
    expect(sentrySignatureValid(vector.client_secret, Buffer.from(v.raw_body), v.sentry_hook_signature.toUpperCase())).toBe(true);
  });
});

describe('tokens', () => {
  it('compares secrets of any length without throwing', () => {
    expect(secretEquals('abc', 'abc')).toBe(true);
    expect(secretEquals('abc', 'abcd')).toBe(false);
    expect(secretEquals('abc', undefined)).toBe(false);
    expect(checkToken('abc', undefined)).toBe('missing');
    expect(checkToken('abc', '')).toBe('missing');
    expect(checkToken('abc', 'abd')).toBe('wrong');
    expect(checkToken('abc', 'abc')).toBe('ok');
  });

  it('reads a bearer token and nothing else', () => {
    expect(bearerToken('Bearer t0k3n')).toBe('t0k3n');
    expect(bearerToken('bearer   t0k3n  ')).toBe('t0k3n');
    expect(bearerToken('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerToken('Bearer two words')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
