import type { KeyObject } from 'node:crypto';

import { checkpointSignatureValid, type SignedCheckpoint } from './audit-checkpoint.js';
import { isKeyId, KEY_RELATIONS, type KeyEndorsement, type PublishedKey } from './audit-keys.js';

/**
 * A witness: copies of signed chain heads kept outside the database, one JSON
 * object a line, only ever appended to (`bellwether audit witness --out FILE`).
 * Lines say what the witness saw and when: the signing keys, their
 * endorsements, and signed heads. Checked against a trail, a witnessed head
 * proves every entry up to it (the hash chain links them); a trail that no
 * longer holds that hash at that sequence was rewritten or cut back after the
 * witness saw it, whatever the database says now.
 */

/** A signed head as a witness keeps it: which key signed it, and when the witness saw it. */
export interface WitnessedHead extends SignedCheckpoint {
  /** The signing key's id; absent in copies of checkpoints saved before keys had ids. */
  keyId?: string;
  witnessedAt?: string;
}

export type WitnessLine =
  | ({ type: 'head'; witnessedAt: string; source?: string } & SignedCheckpoint & { keyId: string })
  | ({ type: 'key'; witnessedAt: string; source?: string } & PublishedKey)
  | ({ type: 'endorsement'; witnessedAt: string; source?: string } & KeyEndorsement);

export interface Witness {
  heads: WitnessedHead[];
  keys: PublishedKey[];
  endorsements: KeyEndorsement[];
  /** Lines that are not witness lines, by line number (from 1): reported, never trusted. */
  unreadable: { line: number; message: string }[];
}

const HASH = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function witnessLine(line: WitnessLine): string {
  return `${JSON.stringify(line)}\n`;
}

/** Reads a witness file's text; a line that is not a witness line is listed in `unreadable` and otherwise ignored. */
export function parseWitness(text: string): Witness {
  const witness: Witness = { heads: [], keys: [], endorsements: [], unreadable: [] };
  text.split('\n').forEach((raw, index) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      witness.unreadable.push({ line: index + 1, message: 'is not JSON' });
      return;
    }
    const problem = witnessLineProblem(value);
    if (problem) {
      witness.unreadable.push({ line: index + 1, message: problem });
      return;
    }
    const line = value as WitnessLine;
    if (line.type === 'head') {
      witness.heads.push({
        predictionId: line.predictionId,
        sequence: line.sequence,
        hash: line.hash,
        signedAt: line.signedAt,
        signature: line.signature,
        keyId: line.keyId,
        witnessedAt: line.witnessedAt,
      });
    } else if (line.type === 'key') witness.keys.push({ keyId: line.keyId, publicKey: line.publicKey });
    else {
      const { endorserKeyId, subjectKeyId, subjectPublicKey, relation, at, signature } = line;
      witness.endorsements.push({ endorserKeyId, subjectKeyId, subjectPublicKey, relation, at, signature });
    }
  });
  return witness;
}

function witnessLineProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not an object';
  const line = value as Record<string, unknown>;
  const text = (name: string, pattern: RegExp) => typeof line[name] === 'string' && pattern.test(line[name]);
  switch (line.type) {
    case 'head':
      if (!text('predictionId', UUID)) return 'head: predictionId must be a UUID';
      if (!Number.isSafeInteger(line.sequence) || (line.sequence as number) < 1) return 'head: sequence must be a positive integer';
      if (!text('hash', HASH)) return 'head: hash must be 64 lowercase hex characters';
      if (!text('signedAt', TIME)) return 'head: signedAt must be an ISO 8601 UTC time with milliseconds';
      if (!text('signature', BASE64)) return 'head: signature must be base64';
      if (!isKeyId(line.keyId)) return 'head: keyId must be 32 hex characters';
      return null;
    case 'key':
      if (!isKeyId(line.keyId)) return 'key: keyId must be 32 hex characters';
      if (!text('publicKey', BASE64)) return 'key: publicKey must be base64 SPKI DER';
      return null;
    case 'endorsement':
      if (!isKeyId(line.endorserKeyId) || !isKeyId(line.subjectKeyId)) return 'endorsement: key ids must be 32 hex characters';
      if (!text('subjectPublicKey', BASE64) || !text('signature', BASE64)) return 'endorsement: subjectPublicKey and signature must be base64';
      if (!KEY_RELATIONS.includes(line.relation as never)) return `endorsement: relation must be one of ${KEY_RELATIONS.join(', ')}`;
      if (!text('at', TIME)) return 'endorsement: at must be an ISO 8601 UTC time with milliseconds';
      return null;
    default:
      return 'type must be head, key or endorsement';
  }
}

/** The trail a witness is checked against: the hash at a sequence, and each chain's head now. */
export interface TrailIndex {
  hashAt(predictionId: string, sequence: number): string | undefined;
  headSequence(predictionId: string): number | undefined;
}

export type WitnessBreakReason =
  | 'witness_mismatch'
  | 'witness_entry_missing'
  | 'witness_prediction_missing'
  | 'witness_signature_invalid'
  | 'witness_key_untrusted';

export interface WitnessBreak {
  predictionId: string;
  sequence: number;
  reason: WitnessBreakReason;
  /**
   * For a mismatch: the first entry that may have been rewritten, the one after
   * the latest witnessed head below it that still holds (1 if none does). With a
   * head witnessed for every move, that is the rewritten entry itself.
   */
  changedFrom?: number;
}

/** What a witness proves of one chain: entries 1 to `provenThrough` as of `provenAt`, and how many came after. */
export interface WitnessProof {
  predictionId: string;
  provenThrough: number;
  provenAt: string;
  headSequence: number;
  /** Entries after the last witnessed one: covered by the database's own signatures only. */
  after: number;
}

export interface WitnessReport {
  checked: number;
  proofs: WitnessProof[];
  broken: WitnessBreak[];
}

/**
 * Checks witnessed heads against a trail: each must be signed by a trusted key
 * (`keys`, by id; a head without a key id is tried against every trusted key)
 * and the trail must still hold its hash at its sequence. Per chain, the latest
 * head that holds proves every entry up to it.
 */
export function checkWitness(heads: readonly WitnessedHead[], trail: TrailIndex, keys: ReadonlyMap<string, { key: KeyObject }>): WitnessReport {
  const broken: WitnessBreak[] = [];
  const proven = new Map<string, { sequence: number; signedAt: string }>();
  const matched = new Map<string, number[]>();
  const seen = new Set<string>();
  for (const head of heads) {
    const where = `${head.predictionId}:${head.sequence}:${head.hash}`;
    if (seen.has(where)) continue;
    seen.add(where);
    const at = (reason: WitnessBreakReason) => broken.push({ predictionId: head.predictionId, sequence: head.sequence, reason });
    const candidates = head.keyId ? [keys.get(head.keyId)].filter((key) => key !== undefined) : [...keys.values()];
    if (candidates.length === 0) {
      at('witness_key_untrusted');
      continue;
    }
    if (!candidates.some((candidate) => checkpointSignatureValid(head, candidate.key))) {
      at('witness_signature_invalid');
      continue;
    }
    const headSequence = trail.headSequence(head.predictionId);
    if (headSequence === undefined) {
      at('witness_prediction_missing');
      continue;
    }
    const hash = trail.hashAt(head.predictionId, head.sequence);
    if (hash === undefined) at('witness_entry_missing');
    else if (hash !== head.hash) at('witness_mismatch');
    else {
      matched.set(head.predictionId, [...(matched.get(head.predictionId) ?? []), head.sequence]);
      if ((proven.get(head.predictionId)?.sequence ?? 0) < head.sequence) proven.set(head.predictionId, { sequence: head.sequence, signedAt: head.signedAt });
    }
  }
  for (const entry of broken) {
    if (entry.reason !== 'witness_mismatch') continue;
    const holding = matched.get(entry.predictionId)?.filter((sequence) => sequence < entry.sequence) ?? [];
    entry.changedFrom = Math.max(0, ...holding) + 1;
  }
  const proofs = [...proven].map(([predictionId, { sequence, signedAt }]) => {
    const headSequence = trail.headSequence(predictionId)!;
    return { predictionId, provenThrough: sequence, provenAt: signedAt, headSequence, after: headSequence - sequence };
  });
  proofs.sort((a, b) => a.predictionId.localeCompare(b.predictionId));
  return { checked: seen.size, proofs, broken };
}
