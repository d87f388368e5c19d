import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

import { canonicalJson } from './audit-hash.js';

/**
 * The keys that sign the audit trail, and how trust passes from one to the next.
 *
 * A key is named by its id: the first 16 bytes, in hex, of the SHA-256 of its
 * public key's SPKI DER. A key vouches for another with a signed endorsement:
 * on a rotation the old key endorses its successor and the new key its
 * predecessor; an import endorses the exporter's keys with the importer's own.
 * Whoever trusts one key (the one they hold, or the server's own) then trusts
 * every key reachable from it, and nothing else: a key someone wrote into the
 * database has no endorsement from a key they do not hold.
 */

export type KeyRelation = 'successor' | 'predecessor' | 'imported';

export const KEY_RELATIONS: readonly KeyRelation[] = ['successor', 'predecessor', 'imported'];

/** A public key as it is published: its id and base64 SPKI DER. */
export interface PublishedKey {
  keyId: string;
  publicKey: string;
}

/** What an endorsement states, and its endorser's signature over it. */
export interface KeyEndorsementStatement {
  endorserKeyId: string;
  subjectKeyId: string;
  subjectPublicKey: string;
  relation: KeyRelation;
  /** ISO 8601, UTC, milliseconds: the rotation's or the import's time. */
  at: string;
}

export interface KeyEndorsement extends KeyEndorsementStatement {
  /** base64 Ed25519 signature by the endorser over `endorsementMessage`. */
  signature: string;
}

const ENDORSEMENT_DOMAIN = 'bellwether-audit-key-endorsement:v1\n';

const KEY_ID = /^[0-9a-f]{32}$/;

/** The id of a public key given as base64 SPKI DER (or a KeyObject). */
export function keyIdOf(publicKey: string | KeyObject): string {
  const der = typeof publicKey === 'string' ? Buffer.from(publicKey, 'base64') : spkiOf(publicKey);
  return createHash('sha256').update(der).digest('hex').slice(0, 32);
}

export function isKeyId(value: unknown): value is string {
  return typeof value === 'string' && KEY_ID.test(value);
}

function spkiOf(key: KeyObject): Buffer {
  return (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'der', type: 'spki' });
}

/**
 * An Ed25519 public key from what people pass around: base64 SPKI DER (what
 * Bellwether publishes) or a PEM `PUBLIC KEY`. Null for anything else.
 */
export function readPublicKey(text: string): KeyObject | null {
  try {
    const trimmed = text.trim();
    const key = trimmed.includes('-----BEGIN')
      ? createPublicKey(trimmed)
      : createPublicKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}

/** The base64 SPKI DER of an Ed25519 public key given in either form `readPublicKey` reads; null if it is not one. */
export function normalisedPublicKey(text: string): string | null {
  const key = readPublicKey(text);
  return key ? spkiOf(key).toString('base64') : null;
}

/** The exact bytes an endorsement's signature covers. */
export function endorsementMessage(statement: KeyEndorsementStatement): Buffer {
  const { endorserKeyId, subjectKeyId, subjectPublicKey, relation, at } = statement;
  return Buffer.from(ENDORSEMENT_DOMAIN + canonicalJson({ endorserKeyId, subjectKeyId, subjectPublicKey, relation, at }), 'utf8');
}

export function signEndorsement(statement: KeyEndorsementStatement, endorserKey: KeyObject): KeyEndorsement {
  return { ...statement, signature: sign(null, endorsementMessage(statement), endorserKey).toString('base64') };
}

/** False for a bad or malformed signature, or a statement whose subject id does not name its subject key. */
export function endorsementValid(endorsement: KeyEndorsement, endorserKey: KeyObject): boolean {
  if (keyIdOf(endorsement.subjectPublicKey) !== endorsement.subjectKeyId) return false;
  try {
    return verify(null, endorsementMessage(endorsement), endorserKey, Buffer.from(endorsement.signature, 'base64'));
  } catch {
    return false;
  }
}

/** A key trusted from the anchors, and how: `anchor`, or the endorsement that reached it. */
export interface TrustedKey extends PublishedKey {
  key: KeyObject;
  via: 'anchor' | { endorserKeyId: string; relation: KeyRelation };
}

/**
 * Every key reachable from the anchors along valid endorsements (endorser to
 * subject). Keys listed without a valid path from an anchor stay untrusted,
 * whatever they claim.
 */
export function trustedKeys(anchors: readonly string[], endorsements: readonly KeyEndorsement[]): Map<string, TrustedKey> {
  const trusted = new Map<string, TrustedKey>();
  for (const anchor of anchors) {
    const key = readPublicKey(anchor);
    if (!key) continue;
    const publicKey = spkiOf(key).toString('base64');
    trusted.set(keyIdOf(publicKey), { keyId: keyIdOf(publicKey), publicKey, key, via: 'anchor' });
  }
  let grew = true;
  while (grew) {
    grew = false;
    for (const endorsement of endorsements) {
      const endorser = trusted.get(endorsement.endorserKeyId);
      if (!endorser || trusted.has(endorsement.subjectKeyId)) continue;
      if (!endorsementValid(endorsement, endorser.key)) continue;
      const key = readPublicKey(endorsement.subjectPublicKey);
      if (!key) continue;
      trusted.set(endorsement.subjectKeyId, {
        keyId: endorsement.subjectKeyId,
        publicKey: endorsement.subjectPublicKey,
        key,
        via: { endorserKeyId: endorsement.endorserKeyId, relation: endorsement.relation },
      });
      grew = true;
    }
  }
  return trusted;
}
