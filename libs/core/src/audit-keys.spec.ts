import { generateKeyPairSync } from 'node:crypto';

import { publicKeyText } from './audit-checkpoint.js';
import { endorsementValid, keyIdOf, normalisedPublicKey, readPublicKey, signEndorsement, trustedKeys, type KeyRelation } from './audit-keys.js';

const pair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const text = publicKeyText(publicKey);
  return { privateKey, text, keyId: keyIdOf(text) };
};
const at = '2026-12-07T10:00:00.000Z';
const endorse = (endorser: ReturnType<typeof pair>, subject: ReturnType<typeof pair>, relation: KeyRelation = 'successor') =>
  signEndorsement({ endorserKeyId: endorser.keyId, subjectKeyId: subject.keyId, subjectPublicKey: subject.text, relation, at }, endorser.privateKey);

describe('audit keys', () => {
  it('names a key by the SHA-256 of its public key, and reads base64 SPKI DER and PEM alike', () => {
    const key = pair();
    expect(key.keyId).toMatch(/^[0-9a-f]{32}$/);
    expect(keyIdOf(key.privateKey)).toBe(key.keyId);
    const pem = readPublicKey(key.text)!.export({ format: 'pem', type: 'spki' }).toString();
    expect(normalisedPublicKey(pem)).toBe(key.text);
    expect(readPublicKey('not a key')).toBeNull();
    expect(readPublicKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }).toString())).toBeNull();
  });

  it('verifies an endorsement under its endorser only, and not once its statement changes', () => {
    const [old, next, other] = [pair(), pair(), pair()];
    const endorsement = endorse(old, next);
    expect(endorsementValid(endorsement, readPublicKey(old.text)!)).toBe(true);
    expect(endorsementValid(endorsement, readPublicKey(other.text)!)).toBe(false);
    expect(endorsementValid({ ...endorsement, subjectPublicKey: other.text, subjectKeyId: other.keyId }, readPublicKey(old.text)!)).toBe(false);
    // A subject id that does not name the subject key is refused before any signature.
    expect(endorsementValid({ ...endorsement, subjectKeyId: other.keyId }, readPublicKey(old.text)!)).toBe(false);
  });

  it('trusts the keys reachable from the anchors along valid endorsements, and nothing else', () => {
    const [first, second, third, imported, stranger] = [pair(), pair(), pair(), pair(), pair()];
    const endorsements = [
      endorse(first, second, 'successor'),
      endorse(second, first, 'predecessor'),
      endorse(second, third, 'successor'),
      endorse(third, second, 'predecessor'),
      endorse(third, imported, 'imported'),
      // Claimed by a key nobody trusts; and a forged signature in the name of a trusted key.
      endorse(stranger, first, 'successor'),
      { ...endorse(stranger, stranger, 'imported'), endorserKeyId: third.keyId },
    ];
    const fromNewest = trustedKeys([third.text], endorsements);
    expect(new Set(fromNewest.keys())).toEqual(new Set([third.keyId, second.keyId, first.keyId, imported.keyId]));
    expect(fromNewest.get(first.keyId)!.via).toEqual({ endorserKeyId: second.keyId, relation: 'predecessor' });
    const fromOldest = trustedKeys([first.text], endorsements);
    expect(new Set(fromOldest.keys())).toEqual(new Set([first.keyId, second.keyId, third.keyId, imported.keyId]));
    // An imported key vouches for no one: trust does not flow back from the subject to its endorser.
    expect(new Set(trustedKeys([imported.text], endorsements).keys())).toEqual(new Set([imported.keyId]));
    expect(trustedKeys(['garbage'], endorsements).size).toBe(0);
  });
});
