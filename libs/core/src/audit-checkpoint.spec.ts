import { generateKeyPairSync } from 'node:crypto';

import fc from 'fast-check';

import { checkpointSignatureValid, publicKeyText, signCheckpoint } from './audit-checkpoint.js';

describe('audit checkpoints', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const other = generateKeyPairSync('ed25519');
  const head = { predictionId: '01a22405-0000-7000-8000-000000000001', sequence: 42, hash: 'a'.repeat(64), signedAt: '2026-11-29T10:00:00.000Z' };

  it('verifies under the signing key and not under another', () => {
    const signed = signCheckpoint(head, privateKey);
    expect(checkpointSignatureValid(signed, publicKey)).toBe(true);
    expect(checkpointSignatureValid(signed, other.publicKey)).toBe(false);
    expect(publicKeyText(privateKey)).toBe(publicKeyText(publicKey));
  });

  it('fails when any signed field changes, or the signature is garbage', () => {
    const signed = signCheckpoint(head, privateKey);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.nat().filter((n) => n !== 42).map((sequence) => ({ sequence })),
          fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes).toString('hex')).filter((hash) => hash !== head.hash).map((hash) => ({ hash })),
          fc.uuid().map((predictionId) => ({ predictionId })),
          fc.date({ noInvalidDate: true }).map((date) => ({ signedAt: date.toISOString() })).filter((change) => change.signedAt !== head.signedAt),
          fc.base64String().map((signature) => ({ signature })),
        ),
        (change) => {
          expect(checkpointSignatureValid({ ...signed, ...change }, publicKey)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
