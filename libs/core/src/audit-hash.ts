import { createHash } from 'node:crypto';

/** prevHash of the first entry in a chain. */
export const GENESIS_HASH = '0'.repeat(64);

const SHA256_HEX = /^[0-9a-f]{64}$/;

export interface AuditChainEntry {
  sequence: number;
  prevHash: string;
  hash: string;
  content: unknown;
}

export type ChainBreakReason = 'hash_mismatch' | 'prev_hash_mismatch' | 'sequence_gap';

export type ChainVerification = { ok: true } | { ok: false; sequence: number; reason: ChainBreakReason };

/**
 * Deterministic JSON: object keys sorted (by UTF-16 code units, the default
 * JS sort, which is also what RFC 8785 uses), no whitespace.
 *
 * Everything else follows JSON.stringify on purpose: Dates become ISO
 * strings, other objects with a toJSON method are encoded as its result,
 * undefined properties are dropped, undefined array slots become null, -0
 * prints as 0. Audit content is stored as JSON, so the hash must
 * come out the same for the value we wrote and the value we read back.
 *
 * Values JSON would silently mangle are rejected instead, because a hash over
 * mangled content verifies data that was never recorded: non-finite numbers
 * (JSON writes null), invalid Dates, bigint, functions, symbols, Map, Set and
 * cycles.
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, new Set<object>());
}

function serialise(value: unknown, ancestors: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) {
        throw new RangeError(`canonicalJson cannot encode the non-finite number ${value}`);
      }
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`canonicalJson cannot encode a value of type ${typeof value}`);
  }

  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) {
      throw new RangeError('canonicalJson cannot encode an invalid Date');
    }
    return JSON.stringify(value.toISOString());
  }
  if (value instanceof Map || value instanceof Set) {
    throw new TypeError('canonicalJson cannot encode a Map or Set (JSON would write {})');
  }
  if (ancestors.has(value)) {
    throw new TypeError('canonicalJson cannot encode a cyclic structure');
  }
  ancestors.add(value);
  try {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      // Values such as decimals are stored as whatever toJSON gives, so that is what gets hashed.
      return serialise(toJSON.call(value), ancestors);
    }
    if (Array.isArray(value)) {
      const items = value.map((item: unknown) => (item === undefined ? 'null' : serialise(item, ancestors)));
      return `[${items.join(',')}]`;
    }
    const record = value as Record<string, unknown>;
    const members: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const member = record[key];
      if (member === undefined) continue;
      members.push(`${JSON.stringify(key)}:${serialise(member, ancestors)}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(value);
  }
}

/** sha256 hex of prevHash followed by the canonical JSON of the entry. */
export function hashAuditEntry(prevHash: string, entry: unknown): string {
  if (!SHA256_HEX.test(prevHash)) {
    throw new RangeError('prevHash must be 64 lowercase hex characters');
  }
  return createHash('sha256').update(prevHash + canonicalJson(entry), 'utf8').digest('hex');
}

/**
 * Checks entries given in sequence order and names the first broken link.
 * Sequences start at 1 and are gap-free; a gap (or duplicate, or wrong
 * start) is reported at the sequence of the entry where it is seen. Within
 * one entry the link to its predecessor is checked before its own hash, so
 * content edited and re-hashed in place shows up as prev_hash_mismatch on
 * the entry after it.
 */
export function verifyChain(
  entries: readonly AuditChainEntry[],
  genesis: string = GENESIS_HASH,
): ChainVerification {
  let expectedPrevHash = genesis;
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index]!;
    if (entry.sequence !== index + 1) {
      return { ok: false, sequence: entry.sequence, reason: 'sequence_gap' };
    }
    if (entry.prevHash !== expectedPrevHash) {
      return { ok: false, sequence: entry.sequence, reason: 'prev_hash_mismatch' };
    }
    let recomputed: string;
    try {
      recomputed = hashAuditEntry(entry.prevHash, entry.content);
    } catch {
      // Content that cannot be canonicalised cannot be what was hashed.
      return { ok: false, sequence: entry.sequence, reason: 'hash_mismatch' };
    }
    if (recomputed !== entry.hash) {
      return { ok: false, sequence: entry.sequence, reason: 'hash_mismatch' };
    }
    expectedPrevHash = entry.hash;
  }
  return { ok: true };
}
