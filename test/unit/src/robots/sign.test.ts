import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dingTalkSign, larkWebhookSign } from '../../../../src/robots/sign.js';

const fixture = <T>(path: string): T => JSON.parse(readFileSync(new URL(`../../../fixtures/${path}`, import.meta.url), 'utf8')) as T;

interface DingTalkVector {
  secret: string;
  timestamp_ms: string;
  string_to_sign: string;
  sign_base64: string;
  sign_urlencoded: string;
  request_url: string;
}

interface LarkSignedText {
  timestamp: string;
  sign: string;
  msg_type: string;
}

/** The vector's secret is named in shared/reference/samples/lark/README.md and lark-platform.md §8.1, not in the file. */
const LARK_VECTOR_SECRET = 'dGhpcyBpcyBhIGtleQ==';

describe('dingTalkSign', () => {
  const vector = fixture<DingTalkVector>('dingtalk/sign-vector.CONSTRUCTED.json');

  it('matches the constructed vector (key = secret, message = timestamp + "\\n" + secret)', () => {
    expect(dingTalkSign(vector.secret, Number(vector.timestamp_ms))).toBe(vector.sign_base64);
  });

  it('URL-encodes to the vector through URLSearchParams, as the client sends it', () => {
    const url = new URL('https://oapi.dingtalk.com/robot/send?access_token=FAKE_ACCESS_TOKEN');
    url.searchParams.set('timestamp', vector.timestamp_ms);
    url.searchParams.set('sign', dingTalkSign(vector.secret, Number(vector.timestamp_ms)));
    expect(url.href).toBe(vector.request_url);
    expect(url.search).toContain(`sign=${vector.sign_urlencoded}`);
  });

  it('changes with the timestamp (a retry re-signs)', () => {
    const ts = Number(vector.timestamp_ms);
    expect(dingTalkSign(vector.secret, ts + 1)).not.toBe(vector.sign_base64);
  });
});

describe('larkWebhookSign', () => {
  const signed = fixture<LarkSignedText>('lark/custom-bot-signed-text.CONSTRUCTED.json');

  it('matches the constructed vector (key = timestamp + "\\n" + secret, empty message)', () => {
    expect(larkWebhookSign(LARK_VECTOR_SECRET, Number(signed.timestamp))).toBe(signed.sign);
  });

  it('is not the DingTalk rule with seconds', () => {
    expect(dingTalkSign(LARK_VECTOR_SECRET, Number(signed.timestamp))).not.toBe(signed.sign);
    expect(larkWebhookSign(LARK_VECTOR_SECRET, Number(signed.timestamp) + 1)).not.toBe(signed.sign);
  });
});
