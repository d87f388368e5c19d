import { generateKeyPairSync } from 'node:crypto';

import { archiveProblemField, describeArchiveVerification, verifyArchive } from './archive-verification.js';
import { publicKeyText, signCheckpoint } from './audit-checkpoint.js';
import { auditEntryContent, type AuditEntryFields } from './audit-entry-content.js';
import { GENESIS_HASH, hashAuditEntry } from './audit-hash.js';
import { keyIdOf } from './audit-keys.js';
import { parseWitness, witnessLine } from './audit-witness.js';
import { logit, probabilityFromLogOdds } from './log-odds.js';

const id = '01a22405-0000-7000-8000-000000000001';
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** A one-prediction export: the prior and two overrides, every head signed with `key`. */
function archive(key = generateKeyPairSync('ed25519')) {
  const publicKey = publicKeyText(key.publicKey);
  const keyId = keyIdOf(publicKey);
  const prior = 0.3;
  const priorLogOdds = logit(prior);
  const entries: Record<string, unknown>[] = [];
  let prevHash = GENESIS_HASH;
  let logOdds = priorLogOdds;
  for (const [index, target] of [[1, null], [2, 0.6], [3, 0.937]] as const) {
    const delta = target === null ? 0 : logit(target) - logOdds;
    const entry = {
      id: `01a22405-0000-7000-8000-00000000010${index}`,
      predictionId: id,
      sequence: index,
      kind: target === null ? 'prior' : 'override',
      evidenceId: null,
      logOddsBefore: logOdds,
      deltaLogOdds: delta,
      logOddsAfter: logOdds + delta,
      probabilityBefore: probabilityFromLogOdds(logOdds),
      probabilityAfter: probabilityFromLogOdds(logOdds + delta),
      actor: 'apikey:someone',
      reason: target === null ? null : 'desk view',
      detail: target === null ? { prior } : { probability: target },
      createdAt: `2026-12-07T10:00:0${index}.000Z`,
      prevHash,
    };
    const hash = hashAuditEntry(prevHash, auditEntryContent(entry as AuditEntryFields));
    entries.push({ ...entry, hash });
    prevHash = hash;
    logOdds = entry.logOddsAfter;
  }
  const chainHeads = entries.map((entry, index) => ({
    id: `01a22405-0000-7000-8000-00000000020${index}`,
    keyId,
    ...signCheckpoint({ predictionId: id, sequence: entry.sequence as number, hash: entry.hash as string, signedAt: entry.createdAt as string }, key.privateKey),
  }));
  return {
    key,
    publicKey,
    tables: {
      predictions: [
        { id, slug: 'p', prior, priorLogOdds, logOdds, probability: probabilityFromLogOdds(logOdds), status: 'open', auditSequence: 3, auditHash: prevHash, createdAt: '2026-12-07T10:00:01.000Z', outcomeOccurredAt: null },
      ],
      auditEntries: entries,
      chainHeads,
      auditKeys: [{ id: keyId, publicKey, origin: 'local', activatedAt: '2026-12-07T09:00:00.000Z', createdAt: '2026-12-07T09:00:00.000Z' }],
      auditKeyEndorsements: [],
    },
  };
}

describe('verifying an export offline', () => {
  it('verifies an honest export, proving origin against the key named, and only consistency against its own', () => {
    const honest = archive();
    const named = verifyArchive(honest.tables, { trustedKeys: [honest.publicKey] });
    expect(named).toMatchObject({ ok: true, trust: 'named', chains: 1, entries: 3, signedHeads: 3, problems: [] });
    expect(describeArchiveVerification(named).join('\n')).toContain('origin proven');
    const own = verifyArchive(honest.tables);
    expect(own).toMatchObject({ ok: true, trust: 'export' });
    expect(describeArchiveVerification(own).join('\n')).toContain('not where it came from');
    const stranger = verifyArchive(honest.tables, { trustedKeys: [publicKeyText(generateKeyPairSync('ed25519').publicKey)] });
    expect(stranger.problems.map((problem) => problem.reason)).toEqual(['head_signature_untrusted', 'head_signature_untrusted', 'head_signature_untrusted', 'head_unsigned']);
  });

  it('names a probability that is not its log-odds\' and a head re-hashed without its signature, by table, row and field', () => {
    const { tables } = archive();
    const wrong = clone(tables);
    wrong.predictions[0]!.probability = 0.99;
    expect(archiveProblemField(verifyArchive(wrong).problems[0]!)).toBe('tables.predictions[0].probability');

    // The last override rewritten to 0.991 and re-hashed: the chain holds, its signed head does not.
    const rehashed = clone(tables);
    const last = rehashed.auditEntries[2]!;
    last.deltaLogOdds = logit(0.991) - (last.logOddsBefore as number);
    last.logOddsAfter = (last.logOddsBefore as number) + (last.deltaLogOdds as number);
    last.probabilityAfter = probabilityFromLogOdds(last.logOddsAfter as number);
    last.detail = { probability: 0.991 };
    last.hash = hashAuditEntry(last.prevHash as string, auditEntryContent(last as unknown as AuditEntryFields));
    Object.assign(rehashed.predictions[0]!, { logOdds: last.logOddsAfter, probability: last.probabilityAfter, auditHash: last.hash });
    const result = verifyArchive(rehashed);
    expect(result.problems.map((problem) => [archiveProblemField(problem), problem.reason])).toEqual([
      ['tables.chainHeads[2].hash', 'head_signature_mismatch'],
      ['tables.predictions[0].auditHash', 'head_unsigned'],
    ]);
  });

  it('checks an export against a witness file: what it proves, and where the export departs from it', () => {
    const honest = archive();
    const witness = parseWitness(
      [
        witnessLine({ type: 'key', keyId: keyIdOf(honest.publicKey), publicKey: honest.publicKey, witnessedAt: '2026-12-07T11:00:00.000Z' }),
        ...honest.tables.chainHeads.slice(0, 2).map((head) => witnessLine({ type: 'head', ...head, witnessedAt: '2026-12-07T11:00:00.000Z' })),
      ].join(''),
    );
    const proved = verifyArchive(honest.tables, { witness });
    expect(proved).toMatchObject({ ok: true, trust: 'witness' });
    expect(proved.witness!.proofs).toEqual([{ predictionId: id, provenThrough: 2, provenAt: '2026-12-07T10:00:02.000Z', headSequence: 3, after: 1 }]);

    // Re-hashed from entry 2 and re-signed with a key of the forger's own: consistent in itself, not with the witness.
    const forged = archive(generateKeyPairSync('ed25519'));
    const result = verifyArchive(forged.tables, { witness });
    expect(result.ok).toBe(false);
    expect(result.problems.some((problem) => problem.reason === 'head_signature_untrusted')).toBe(true);
  });
});
