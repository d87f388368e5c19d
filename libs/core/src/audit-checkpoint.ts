import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

import { canonicalJson } from './audit-hash.js';

/** One chain's head at a moment, as a checkpoint signs it. */
export interface ChainHeadStatement {
  predictionId: string;
  sequence: number;
  hash: string;
  /** ISO 8601, UTC, milliseconds. */
  signedAt: string;
}

export interface SignedCheckpoint extends ChainHeadStatement {
  /** base64 Ed25519 signature over `checkpointMessage`. */
  signature: string;
}

/** Domain-separated, so a signature over a checkpoint can never be mistaken for one over anything else. */
const CHECKPOINT_DOMAIN = 'bellwether-audit-checkpoint:v1\n';

/** The exact bytes a checkpoint's signature covers. */
export function checkpointMessage(head: ChainHeadStatement): Buffer {
  const statement = { predictionId: head.predictionId, sequence: head.sequence, hash: head.hash, signedAt: head.signedAt };
  return Buffer.from(CHECKPOINT_DOMAIN + canonicalJson(statement), 'utf8');
}

export function signCheckpoint(head: ChainHeadStatement, privateKey: KeyObject): SignedCheckpoint {
  return { ...head, signature: sign(null, checkpointMessage(head), privateKey).toString('base64') };
}

/** False for a bad signature, a malformed one, or one made with another key. */
export function checkpointSignatureValid(checkpoint: SignedCheckpoint, publicKey: KeyObject): boolean {
  try {
    return verify(null, checkpointMessage(checkpoint), publicKey, Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    return false;
  }
}

/** The public key as people publish and compare it: base64 of its SPKI DER encoding. */
export function publicKeyText(key: KeyObject): string {
  return (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'der', type: 'spki' }).toString('base64');
}
