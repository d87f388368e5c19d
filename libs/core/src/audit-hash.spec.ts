import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { GENESIS_HASH, canonicalJson, hashAuditEntry, verifyChain, type AuditChainEntry } from './audit-hash.js';

function buildChain(contents: readonly unknown[]): AuditChainEntry[] {
  const entries: AuditChainEntry[] = [];
  let prevHash = GENESIS_HASH;
  contents.forEach((content, index) => {
    const hash = hashAuditEntry(prevHash, content);
    entries.push({ sequence: index + 1, prevHash, hash, content });
    prevHash = hash;
  });
  return entries;
}

/** Rebuilds every object with its keys in a shuffled order, recursively. */
function shuffleKeys(value: unknown, random: () => number): unknown {
  if (Array.isArray(value)) return value.map((item) => shuffleKeys(item, random));
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [keys[i], keys[j]] = [keys[j]!, keys[i]!];
    }
    const shuffled: Record<string, unknown> = {};
    for (const key of keys) {
      Object.defineProperty(shuffled, key, {
        value: shuffleKeys((value as Record<string, unknown>)[key], random),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return shuffled;
  }
  return value;
}

const contentArb = fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 5 });

describe('canonicalJson', () => {
  it('sorts keys recursively and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
  });

  it('writes Dates as ISO strings and omits undefined properties', () => {
    expect(canonicalJson({ at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), gone: undefined, kept: 0 })).toBe(
      '{"at":"2024-01-02T03:04:05.006Z","kept":0}',
    );
  });

  it('follows JSON for numbers, strings, array holes and toJSON', () => {
    expect(canonicalJson([1e21, 0.1, -0, 'é"\n', undefined])).toBe('[1e+21,0.1,0,"é\\"\\n",null]');
    expect(canonicalJson({ amount: { toJSON: () => '12.50' } })).toBe('{"amount":"12.50"}');
  });

  it('rejects values JSON would silently mangle', () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(RangeError);
    expect(() => canonicalJson([Infinity])).toThrow(RangeError);
    expect(() => canonicalJson(-Infinity)).toThrow(RangeError);
    expect(() => canonicalJson(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(TypeError);
    expect(() => canonicalJson(new Map([['a', 1]]))).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(TypeError);
  });

  it('accepts a shared but acyclic sub-object', () => {
    const shared = { v: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"v":1},"b":{"v":1}}');
  });

  it('is independent of key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer(), (value, seed) => {
        let state = seed >>> 0;
        const random = (): number => {
          state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
          return state / 2 ** 32;
        };
        expect(canonicalJson(shuffleKeys(value, random))).toBe(canonicalJson(value));
      }),
    );
  });

  it('survives a JSON round trip unchanged, as stored audit content must', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(text);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
    );
  });
});

describe('hashAuditEntry', () => {
  it('is sha256 hex of prevHash + canonical JSON', () => {
    const expected = createHash('sha256')
      .update(`${GENESIS_HASH}{"a":1,"b":2}`)
      .digest('hex');
    expect(hashAuditEntry(GENESIS_HASH, { b: 2, a: 1 })).toBe(expected);
    expect(GENESIS_HASH).toBe('0000000000000000000000000000000000000000000000000000000000000000');
  });

  it('matches a known digest', () => {
    // sha256 of 64 zeros followed by {}
    expect(hashAuditEntry(GENESIS_HASH, {})).toBe(createHash('sha256').update('0'.repeat(64) + '{}').digest('hex'));
    expect(hashAuditEntry(GENESIS_HASH, {})).toMatch(/^[0-9a-f]{64}$/);
    expect(hashAuditEntry(GENESIS_HASH, {})).not.toBe(hashAuditEntry(GENESIS_HASH, { a: 1 }));
  });

  it('rejects a malformed prevHash', () => {
    expect(() => hashAuditEntry('abc', {})).toThrow(RangeError);
    expect(() => hashAuditEntry(GENESIS_HASH.toUpperCase().replace(/0/g, 'A'), {})).toThrow(RangeError);
  });
});

describe('verifyChain', () => {
  const chain = buildChain([{ kind: 'created', p: 0.6 }, { kind: 'evidence', delta: 0.69 }, { kind: 'resolved' }]);

  it('accepts an intact chain and an empty one', () => {
    expect(verifyChain(chain)).toEqual({ ok: true });
    expect(verifyChain([])).toEqual({ ok: true });
  });

  it('reports edited content as a hash mismatch at that entry', () => {
    const tampered = chain.map((entry) => ({ ...entry }));
    tampered[1]!.content = { kind: 'evidence', delta: 0.7 };
    expect(verifyChain(tampered)).toEqual({ ok: false, sequence: 2, reason: 'hash_mismatch' });
  });

  it('reports content edited and re-hashed in place at the next entry', () => {
    const tampered = chain.map((entry) => ({ ...entry }));
    tampered[0]!.content = { kind: 'created', p: 0.9 };
    tampered[0]!.hash = hashAuditEntry(GENESIS_HASH, tampered[0]!.content);
    expect(verifyChain(tampered)).toEqual({ ok: false, sequence: 2, reason: 'prev_hash_mismatch' });
  });

  it('reports a wrong genesis link', () => {
    expect(verifyChain(chain, 'f'.repeat(64))).toEqual({ ok: false, sequence: 1, reason: 'prev_hash_mismatch' });
  });

  it('reports gaps, duplicates and a wrong start', () => {
    expect(verifyChain([chain[0]!, chain[2]!])).toEqual({ ok: false, sequence: 3, reason: 'sequence_gap' });
    expect(verifyChain([chain[1]!, chain[2]!])).toEqual({ ok: false, sequence: 2, reason: 'sequence_gap' });
    expect(verifyChain([chain[0]!, chain[0]!])).toEqual({ ok: false, sequence: 1, reason: 'sequence_gap' });
  });

  it('reports content that cannot be canonicalised as a hash mismatch', () => {
    const tampered = chain.map((entry) => ({ ...entry }));
    tampered[2]!.content = { x: Number.NaN };
    expect(verifyChain(tampered)).toEqual({ ok: false, sequence: 3, reason: 'hash_mismatch' });
  });

  it('accepts any honestly built chain', () => {
    fc.assert(
      fc.property(fc.array(contentArb, { maxLength: 10 }), (contents) => {
        expect(verifyChain(buildChain(contents))).toEqual({ ok: true });
      }),
    );
  });

  it('reports any single content change at that entry', () => {
    fc.assert(
      fc.property(
        fc.array(contentArb, { minLength: 1, maxLength: 10 }),
        fc.nat(),
        contentArb,
        (contents, pick, replacement) => {
          const index = pick % contents.length;
          fc.pre(canonicalJson(replacement) !== canonicalJson(contents[index]));
          const tampered = buildChain(contents);
          tampered[index] = { ...tampered[index]!, content: replacement };
          expect(verifyChain(tampered)).toEqual({ ok: false, sequence: index + 1, reason: 'hash_mismatch' });
        },
      ),
    );
  });
});
