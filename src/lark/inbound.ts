import { z } from 'zod';
import { parseJson } from '../json.js';
import { BadRequestError, VerificationError } from '../errors.js';
import { createDecryptor } from './decrypt.js';
import { challengeSchema, parseEventEnvelope, parseLegacyCardCallback, type Inbound } from './envelope.js';
import { constantTimeEqual, timestampSkewSeconds, verifyEventSignature, verifyLegacyCardSignature } from './verify.js';

export interface LarkSecrets {
  encryptKey: string;
  verificationToken: string;
}

export interface RawLarkRequest {
  rawBody: Buffer;
  header(name: string): string | undefined;
}

export type OpenedRequest =
  | { kind: 'challenge'; challenge: string }
  | { kind: 'inbound'; inbound: Inbound; skewSeconds: number | null };

const encryptedSchema = z.object({ encrypt: z.string().min(1) });

/** Verification and decryption of Lark pushes over the raw bytes, shared by /lark/events and /lark/card. */
export class LarkRequestOpener {
  private readonly decrypt: ((encrypted: string) => string) | undefined;

  constructor(
    private readonly secrets: LarkSecrets,
    private readonly now: () => number = Date.now,
  ) {
    this.decrypt = secrets.encryptKey ? createDecryptor(secrets.encryptKey) : undefined;
  }

  /** POST /lark/events: challenge, v2 events (incl. card.action.trigger) and v1 events. */
  openEvent(request: RawLarkRequest): OpenedRequest {
    const { payload } = this.readPayload(request.rawBody);
    const challenge = this.challengeOf(payload);
    if (challenge) return challenge;
    if (this.secrets.encryptKey) this.requireSignature(request, 'sha256');
    const inbound = parseEventEnvelope(payload);
    this.checkToken(inbound.token);
    return { kind: 'inbound', inbound, skewSeconds: this.skew(request) };
  }

  /** POST /lark/card: the legacy callback (SHA-1 with the verification token), or a 2.0 callback sent there. */
  openCard(request: RawLarkRequest): OpenedRequest {
    const { payload, encrypted } = this.readPayload(request.rawBody);
    const challenge = this.challengeOf(payload);
    if (challenge) return challenge;
    const isV2 = encrypted || (typeof payload === 'object' && payload !== null && 'schema' in payload);
    if (isV2) {
      if (this.secrets.encryptKey) this.requireSignature(request, 'sha256');
      const inbound = parseEventEnvelope(payload);
      this.checkToken(inbound.token);
      return { kind: 'inbound', inbound, skewSeconds: this.skew(request) };
    }
    // The legacy body's `token` is a card-update token, so the signature is its only proof of origin.
    if (this.secrets.verificationToken) this.requireSignature(request, 'sha1');
    return { kind: 'inbound', inbound: parseLegacyCardCallback(payload), skewSeconds: this.skew(request) };
  }

  private readPayload(rawBody: Buffer): { payload: unknown; encrypted: boolean } {
    const outer = parseJsonOr400(rawBody.toString('utf8'), 'body is not valid JSON');
    const sealed = encryptedSchema.safeParse(outer);
    if (!sealed.success) return { payload: outer, encrypted: false };
    if (!this.decrypt) throw new BadRequestError('body is encrypted but LARK_ENCRYPT_KEY is not set');
    const inner = parseJsonOr400(this.decrypt(sealed.data.encrypt), 'encrypted body does not decrypt to JSON');
    return { payload: inner, encrypted: true };
  }

  /** Challenges carry no signature (node-sdk issue #67), but their token is checked when one is configured. */
  private challengeOf(payload: unknown): OpenedRequest | undefined {
    if ((payload as { type?: unknown } | null)?.type !== 'url_verification') return undefined;
    const challenge = challengeSchema.safeParse(payload);
    if (!challenge.success) return undefined;
    this.checkToken(challenge.data.token);
    return { kind: 'challenge', challenge: challenge.data.challenge };
  }

  private requireSignature(request: RawLarkRequest, kind: 'sha256' | 'sha1'): void {
    const signature = request.header('x-lark-signature');
    const timestamp = request.header('x-lark-request-timestamp');
    const nonce = request.header('x-lark-request-nonce');
    if (!signature || timestamp === undefined || nonce === undefined) {
      throw new VerificationError('missing X-Lark-Signature / timestamp / nonce');
    }
    const signed = { signature, timestamp, nonce, rawBody: request.rawBody };
    const valid =
      kind === 'sha256'
        ? verifyEventSignature(signed, this.secrets.encryptKey)
        : verifyLegacyCardSignature(signed, this.secrets.verificationToken);
    if (!valid) throw new VerificationError('X-Lark-Signature does not match the body');
  }

  private checkToken(token: string | undefined): void {
    if (!this.secrets.verificationToken) return;
    if (token === undefined || !constantTimeEqual(token, this.secrets.verificationToken)) {
      throw new VerificationError('verification token does not match LARK_VERIFICATION_TOKEN');
    }
  }

  private skew(request: RawLarkRequest): number | null {
    const timestamp = request.header('x-lark-request-timestamp');
    return timestamp === undefined ? null : timestampSkewSeconds(timestamp, this.now());
  }
}

function parseJsonOr400(text: string, problem: string): unknown {
  const value = parseJson(text);
  if (value === undefined) throw new BadRequestError(problem);
  return value;
}
