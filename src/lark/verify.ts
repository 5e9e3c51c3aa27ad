import { createHash, timingSafeEqual } from 'node:crypto';

export interface SignedRequest {
  timestamp: string;
  nonce: string;
  signature: string;
  rawBody: Buffer;
}

function digestHex(algorithm: 'sha256' | 'sha1', parts: (string | Buffer)[]): string {
  const hash = createHash(algorithm);
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

/** Compares two strings in time that does not depend on where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // Hash both sides so unequal lengths still take a comparison of equal-length buffers.
  const l = createHash('sha256').update(left).digest();
  const r = createHash('sha256').update(right).digest();
  return timingSafeEqual(l, r) && left.length === right.length;
}

/** Events and new-style card callbacks: hex(sha256(timestamp + nonce + encryptKey + rawBody)). */
function eventSignature(request: Omit<SignedRequest, 'signature'>, encryptKey: string): string {
  return digestHex('sha256', [request.timestamp, request.nonce, encryptKey, request.rawBody]);
}

export function verifyEventSignature(request: SignedRequest, encryptKey: string): boolean {
  return constantTimeEqual(eventSignature(request, encryptKey), request.signature.toLowerCase());
}

/** Legacy card callback: hex(sha1(timestamp + nonce + verificationToken + rawBody)). */
function legacyCardSignature(request: Omit<SignedRequest, 'signature'>, verificationToken: string): string {
  return digestHex('sha1', [request.timestamp, request.nonce, verificationToken, request.rawBody]);
}

export function verifyLegacyCardSignature(request: SignedRequest, verificationToken: string): boolean {
  return constantTimeEqual(legacyCardSignature(request, verificationToken), request.signature.toLowerCase());
}

/**
 * How far the request timestamp is from now, in seconds, or null when it is not a unix time.
 * Lark re-pushes failed events for up to ~7 h and may keep the first timestamp, so skew is logged, never rejected.
 */
export function timestampSkewSeconds(timestamp: string, nowMs: number): number | null {
  if (!/^\d{9,16}$/.test(timestamp)) return null;
  const digits = timestamp.length;
  const seconds = digits >= 15 ? Number(timestamp) / 1e6 : digits >= 12 ? Number(timestamp) / 1e3 : Number(timestamp);
  return Math.round(nowMs / 1000 - seconds);
}
