import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../../src/errors.js';
import { decrypt } from '../../../../src/lark/decrypt.js';
import {
  constantTimeEqual,
  timestampSkewSeconds,
  verifyEventSignature,
  verifyLegacyCardSignature,
} from '../../../../src/lark/verify.js';

const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../../../fixtures/lark/${name}`, import.meta.url), 'utf8')) as T;

interface AesVector { key: string; encrypt?: string; ciphertext?: string; plaintext?: string; expected?: string; [k: string]: unknown }
interface SignedVector { encrypt_key?: string; verification_token?: string; headers: Record<string, string>; raw_body: string }

describe('decrypt', () => {
  it('matches the doc vector (key "test key" → "hello world")', () => {
    const vector = fixture<AesVector>('aes-decrypt-test-vector.json');
    const values = Object.values(vector).filter((v): v is string => typeof v === 'string');
    const ciphertext = values.find((v) => v.startsWith('P37w'));
    expect(ciphertext).toBeDefined();
    expect(decrypt(ciphertext ?? '', 'test key')).toBe('hello world');
  });

  it('decrypts the constructed encrypted event to the receive_v1 sample', () => {
    const vector = fixture<SignedVector>('event-im.message.receive_v1.encrypted-signed.CONSTRUCTED.json');
    const { encrypt } = JSON.parse(vector.raw_body) as { encrypt: string };
    const event = JSON.parse(decrypt(encrypt, vector.encrypt_key ?? '')) as { header: { event_type: string } };
    expect(event.header.event_type).toBe('im.message.receive_v1');
  });

  it('rejects garbage and the wrong key as a bad request', () => {
    expect(() => decrypt('not base64 at all', 'k')).toThrow(BadRequestError);
    expect(() => decrypt(Buffer.alloc(48, 7).toString('base64'), 'k')).toThrow(BadRequestError);
    const vector = fixture<SignedVector>('event-im.message.receive_v1.encrypted-signed.CONSTRUCTED.json');
    const { encrypt } = JSON.parse(vector.raw_body) as { encrypt: string };
    expect(() => JSON.parse(decrypt(encrypt, 'another key'))).toThrow();
  });
});

describe('event signature (sha256 over timestamp + nonce + encryptKey + raw body)', () => {
  const vector = fixture<SignedVector>('event-im.message.receive_v1.encrypted-signed.CONSTRUCTED.json');
  const request = {
    timestamp: vector.headers['X-Lark-Request-Timestamp'] ?? '',
    nonce: vector.headers['X-Lark-Request-Nonce'] ?? '',
    signature: vector.headers['X-Lark-Signature'] ?? '',
    rawBody: Buffer.from(vector.raw_body),
  };

  it('accepts the constructed vector', () => {
    expect(verifyEventSignature(request, vector.encrypt_key ?? '')).toBe(true);
  });

  it('rejects a changed byte, key, nonce or signature', () => {
    const key = vector.encrypt_key ?? '';
    expect(verifyEventSignature({ ...request, rawBody: Buffer.from(`${vector.raw_body} `) }, key)).toBe(false);
    expect(verifyEventSignature(request, `${key}x`)).toBe(false);
    expect(verifyEventSignature({ ...request, nonce: 'other' }, key)).toBe(false);
    expect(verifyEventSignature({ ...request, signature: request.signature.slice(0, -1) }, key)).toBe(false);
    expect(verifyEventSignature({ ...request, signature: '' }, key)).toBe(false);
  });
});

describe('legacy card signature (sha1 over timestamp + nonce + verificationToken + raw body)', () => {
  const vector = fixture<SignedVector>('callback-card-legacy-signature-vector.CONSTRUCTED.json');
  const request = {
    timestamp: vector.headers['X-Lark-Request-Timestamp'] ?? '',
    nonce: vector.headers['X-Lark-Request-Nonce'] ?? '',
    signature: vector.headers['X-Lark-Signature'] ?? '',
    rawBody: Buffer.from(vector.raw_body),
  };

  it('accepts the constructed vector (timestamp is an opaque string)', () => {
    expect(verifyLegacyCardSignature(request, vector.verification_token ?? '')).toBe(true);
  });

  it('rejects a wrong token or body', () => {
    expect(verifyLegacyCardSignature(request, 'wrong')).toBe(false);
    expect(verifyLegacyCardSignature({ ...request, rawBody: Buffer.from('{}') }, vector.verification_token ?? '')).toBe(false);
  });
});

describe('helpers', () => {
  it('constantTimeEqual compares exactly', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });

  it('timestampSkewSeconds reads seconds, ms and µs, and null for non-unix stamps', () => {
    const now = 1_700_000_100_000;
    expect(timestampSkewSeconds('1700000000', now)).toBe(100);
    expect(timestampSkewSeconds('1700000000000', now)).toBe(100);
    expect(timestampSkewSeconds('1700000000000000', now)).toBe(100);
    expect(timestampSkewSeconds('Monday, 14-Nov-22 15:53:37 CST', now)).toBeNull();
  });
});
