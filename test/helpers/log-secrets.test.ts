import { describe, expect, it } from 'vitest';
import { assertNoSecretsLogged, leakedSecrets, secretsOfEnv, tenantTokens } from './log-secrets.js';

describe('the no-secret-in-logs check every test stack runs on close', () => {
  const secrets = [...secretsOfEnv({ LARK_APP_SECRET: 'app-secret-123', LARK_ENCRYPT_KEY: '', GUANCE_API_KEY: 'wsak_abcdef' }), ...tenantTokens(['t-0123456789'])];

  it('names the kind of every secret found in a line, never its value', () => {
    const lines = ['{"message":"ok"}', '{"detail":"Bearer t-0123456789"}', '{"key":"wsak_abcdef"}'];
    expect(leakedSecrets(lines, secrets)).toEqual(['a tenant token', 'GUANCE_API_KEY']);
    expect(() => assertNoSecretsLogged('bot', lines, secrets)).toThrow(/a tenant token, GUANCE_API_KEY$/);
  });

  it('passes redacted lines and ignores unset settings', () => {
    expect(() => assertNoSecretsLogged('bot', ['{"appSecret":"[redacted]"}'], secrets)).not.toThrow();
    expect(secrets.map((s) => s.name)).toEqual(['LARK_APP_SECRET', 'GUANCE_API_KEY', 'a tenant token']);
  });
});
