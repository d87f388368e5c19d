import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** `bw_<8-character public prefix>_<43-character secret>`: the prefix finds the row, the hash proves the key. */
const TOKEN_PATTERN = /^bw_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{20,})$/;
const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function generateApiKeyToken(): string {
  const prefix = Array.from(randomBytes(8), (byte) => PREFIX_ALPHABET[byte % PREFIX_ALPHABET.length]).join('');
  return `bw_${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function parseApiKeyToken(token: string): { prefix: string } | null {
  const match = TOKEN_PATTERN.exec(token);
  return match ? { prefix: match[1]! } : null;
}

/** Keys carry 256 random bits, so a fast hash is as safe as a slow one and keeps every request cheap. */
export function hashApiKeyToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function tokenMatchesHash(token: string, hash: string): boolean {
  const actual = Buffer.from(hashApiKeyToken(token), 'hex');
  const expected = Buffer.from(hash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
