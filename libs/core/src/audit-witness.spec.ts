import { generateKeyPairSync } from 'node:crypto';

import { publicKeyText, signCheckpoint } from './audit-checkpoint.js';
import { keyIdOf, readPublicKey } from './audit-keys.js';
import { checkWitness, parseWitness, witnessLine, type WitnessLine } from './audit-witness.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const text = publicKeyText(publicKey);
const keyId = keyIdOf(text);
const predictionId = '01a22405-0000-7000-8000-000000000001';
const hashOf = (sequence: number, variant = 'a') => variant.repeat(63) + (sequence % 10).toString();
const head = (sequence: number, hash = hashOf(sequence)) => ({
  type: 'head' as const,
  ...signCheckpoint({ predictionId, sequence, hash, signedAt: `2026-12-07T10:00:0${sequence}.000Z` }, privateKey),
  keyId,
  witnessedAt: '2026-12-07T11:00:00.000Z',
});

describe('witness files', () => {
  it('reads back what it writes, and lists lines that are not witness lines without trusting them', () => {
    const lines: WitnessLine[] = [{ type: 'key', keyId, publicKey: text, witnessedAt: '2026-12-07T11:00:00.000Z' }, head(1), head(2)];
    const file = `${lines.map(witnessLine).join('')}not json\n{"type":"head","predictionId":"x"}\n\n`;
    const witness = parseWitness(file);
    expect(witness.keys).toEqual([{ keyId, publicKey: text }]);
    expect(witness.heads.map((line) => line.sequence)).toEqual([1, 2]);
    expect(witness.unreadable).toEqual([
      { line: 4, message: 'is not JSON' },
      { line: 5, message: 'head: predictionId must be a UUID' },
    ]);
  });

  it('proves the entries up to the latest head that holds, names what came after, and where a rewrite began', () => {
    const keys = new Map([[keyId, { key: readPublicKey(text)! }]]);
    const trail = (rewrittenFrom: number | null, headSequence = 6) => ({
      hashAt: (id: string, sequence: number) => (id !== predictionId || sequence > headSequence ? undefined : rewrittenFrom !== null && sequence >= rewrittenFrom ? hashOf(sequence, 'b') : hashOf(sequence)),
      headSequence: (id: string) => (id === predictionId ? headSequence : undefined),
    });
    const heads = [1, 2, 3, 4].map((sequence) => head(sequence));
    expect(checkWitness(heads, trail(null), keys)).toEqual({
      checked: 4,
      proofs: [{ predictionId, provenThrough: 4, provenAt: '2026-12-07T10:00:04.000Z', headSequence: 6, after: 2 }],
      broken: [],
    });
    const rewritten = checkWitness(heads, trail(3), keys);
    expect(rewritten.proofs[0]!.provenThrough).toBe(2);
    expect(rewritten.broken).toEqual([
      { predictionId, sequence: 3, reason: 'witness_mismatch', changedFrom: 3 },
      { predictionId, sequence: 4, reason: 'witness_mismatch', changedFrom: 3 },
    ]);
    // Cut back below what was witnessed.
    expect(checkWitness(heads, trail(null, 3), keys).broken).toEqual([{ predictionId, sequence: 4, reason: 'witness_entry_missing' }]);
    // A forged copy, and one signed by a key nobody trusts.
    expect(checkWitness([{ ...head(1), signature: Buffer.alloc(64, 1).toString('base64') }], trail(null), keys).broken[0]!.reason).toBe('witness_signature_invalid');
    expect(checkWitness([head(1)], trail(null), new Map()).broken[0]!.reason).toBe('witness_key_untrusted');
  });
});
