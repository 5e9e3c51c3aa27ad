import { createDecipheriv, createHash } from 'node:crypto';
import { BadRequestError } from '../errors.js';

/** AES-256-CBC as Lark does it: key = sha256(encryptKey), payload = base64(iv ‖ ciphertext), PKCS7. */
export function createDecryptor(encryptKey: string): (encrypted: string) => string {
  const key = createHash('sha256').update(encryptKey, 'utf8').digest();
  return (encrypted) => {
    const data = Buffer.from(encrypted, 'base64');
    if (data.length < 32 || data.length % 16 !== 0) throw new BadRequestError('encrypted body has an invalid length');
    try {
      const decipher = createDecipheriv('aes-256-cbc', key, data.subarray(0, 16));
      return Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]).toString('utf8');
    } catch {
      throw new BadRequestError('encrypted body does not decrypt with the configured key');
    }
  };
}

export function decrypt(encrypted: string, encryptKey: string): string {
  return createDecryptor(encryptKey)(encrypted);
}
