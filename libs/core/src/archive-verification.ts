import { checkpointSignatureValid } from './audit-checkpoint.js';
import { auditEntryContent, type AuditEntryFields } from './audit-entry-content.js';
import { GENESIS_HASH, hashAuditEntry } from './audit-hash.js';
import { endorsementValid, isKeyId, keyIdOf, KEY_RELATIONS, readPublicKey, trustedKeys, type KeyEndorsement, type TrustedKey } from './audit-keys.js';
import { checkWitness, type Witness, type WitnessReport } from './audit-witness.js';
import { deltaLogOdds, isAcceptedLikelihoodRatio, likelihoodRatioFor, type EvidenceDirection, type EvidenceStrength } from './likelihood-ratio.js';
import { isAcceptedProbability, logit, probabilityFromLogOdds } from './log-odds.js';
import { inForecastOrder, scorePredictionTracks, scoringMoves, type ScoredTrackValues } from './track-scoring.js';

/**
 * Verification of an export with nothing but the export (and, if given, the
 * public keys one trusts and a witness file): every hash, every signature and
 * every value derived from others, recomputed as the code computes them. The
 * `bellwether verify` command runs it offline; an import runs it before it
 * writes anything. Pure: no database, no clock.
 */

/** One thing in the export that does not hold, where it is: `tables.<table>[<index>].<field>`. */
export interface ArchiveProblem {
  table: string;
  /** The row's index in the table, or -1 for the table as a whole. */
  index: number;
  field: string | null;
  reason: string;
  message: string;
}

export type ArchiveTrust = 'named' | 'witness' | 'export' | 'unsigned';

export interface ArchiveVerification {
  ok: boolean;
  /**
   * Whose keys the signatures were checked against: keys the caller named (origin
   * proven), the keys a witness recorded, or the export's own keys (consistency
   * only: whoever rewrote the export could have re-signed it with a key of their
   * own); `unsigned` for an export from before heads were signed.
   */
  trust: ArchiveTrust;
  chains: number;
  entries: number;
  signedHeads: number;
  checkpoints: number;
  keys: { keyId: string; publicKey: string; trusted: boolean }[];
  /** Values recomputed from others and found equal. */
  recomputed: { probabilities: number; impacts: number; resolutions: number; storyStandings: number; trackScores: number };
  problems: ArchiveProblem[];
  witness: WitnessReport | null;
}

export interface ArchiveVerificationOptions {
  /** Public keys (base64 SPKI DER or PEM) the caller trusts; keys they endorse are trusted too. */
  trustedKeys?: readonly string[];
  witness?: Witness | null;
}

/** One entry of an archived chain that does not verify. */
export interface ArchivedChainBreak {
  predictionId: string;
  slug: string | null;
  sequence: number;
  reason: 'sequence_gap' | 'prev_hash_mismatch' | 'hash_mismatch' | 'replay_mismatch' | 'head_mismatch' | 'unknown_prediction';
  /** Where it is in the document's `auditEntries`, or -1 for a head that does not match its chain. */
  index: number;
}

type Row = Record<string, unknown>;

const RESOLVED_OUTCOME: Readonly<Record<string, 0 | 1>> = { resolved_true: 1, resolved_false: 0 };
const OUTCOME_STATUS: Readonly<Record<string, string>> = { true: 'resolved_true', false: 'resolved_false', annulled: 'annulled' };

function rowsOf(tables: Readonly<Record<string, unknown>>, name: string): Row[] {
  const rows = tables[name];
  return Array.isArray(rows) ? rows.filter((row): row is Row => typeof row === 'object' && row !== null && !Array.isArray(row)) : [];
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const number = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const time = (value: unknown): Date | null => {
  if (typeof value !== 'string') return null;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
};

/** The hash an archived entry should have; null if its content cannot be canonicalised. */
function hashOf(prevHash: string, entry: Row): string | null {
  try {
    return hashAuditEntry(prevHash, auditEntryContent({ ...(entry as unknown as AuditEntryFields), detail: entry.detail ?? null }));
  } catch {
    return null;
  }
}

/**
 * Re-verifies every archived chain as `/v1/audit/verify` does the stored ones:
 * sequence, link to the previous hash, the entry's own hash, the replay step,
 * and the prediction's head (sequence, hash, log-odds). Entries may come in any
 * order. Every break, chains in prediction order.
 */
export function verifyArchivedChains(predictions: readonly Row[], entries: readonly Row[]): ArchivedChainBreak[] {
  const heads = new Map(predictions.map((prediction) => [prediction.id as string, prediction]));
  const chains = new Map<string, { entry: Row; index: number }[]>();
  const breaks: ArchivedChainBreak[] = [];
  entries.forEach((entry, index) => {
    const predictionId = entry.predictionId as string;
    if (!heads.has(predictionId)) {
      breaks.push({ predictionId, slug: null, sequence: entry.sequence as number, reason: 'unknown_prediction', index });
      return;
    }
    const chain = chains.get(predictionId);
    if (chain) chain.push({ entry, index });
    else chains.set(predictionId, [{ entry, index }]);
  });
  for (const [predictionId, head] of [...heads].sort(([a], [b]) => a.localeCompare(b))) {
    const chain = (chains.get(predictionId) ?? []).sort((a, b) => (a.entry.sequence as number) - (b.entry.sequence as number));
    const slug = head.slug as string;
    let expectedSequence = 1;
    let prevHash = GENESIS_HASH;
    let logOdds = head.priorLogOdds as number;
    for (const { entry, index } of chain) {
      const at = (reason: ArchivedChainBreak['reason'], sequence = entry.sequence as number) => breaks.push({ predictionId, slug, sequence, reason, index });
      if (entry.sequence !== expectedSequence) at('sequence_gap', expectedSequence);
      else if (entry.prevHash !== prevHash) at('prev_hash_mismatch');
      else if (hashOf(prevHash, entry) !== entry.hash) at('hash_mismatch');
      else if (entry.logOddsBefore !== logOdds || entry.logOddsAfter !== logOdds + (entry.deltaLogOdds as number)) at('replay_mismatch');
      logOdds = entry.logOddsAfter as number;
      prevHash = entry.hash as string;
      expectedSequence = (entry.sequence as number) + 1;
    }
    if (expectedSequence - 1 !== head.auditSequence || prevHash !== head.auditHash || logOdds !== head.logOdds) {
      breaks.push({ predictionId, slug, sequence: expectedSequence, reason: 'head_mismatch', index: -1 });
    }
  }
  return breaks;
}

/** Verifies an export's `tables` (see the module comment). Problems are listed in the order tables are written. */
export function verifyArchive(tables: Readonly<Record<string, unknown>>, options: ArchiveVerificationOptions = {}): ArchiveVerification {
  const problems: ArchiveProblem[] = [];
  const problem = (table: string, index: number, field: string | null, reason: string, message: string) => problems.push({ table, index, field, reason, message });
  const recomputed = { probabilities: 0, impacts: 0, resolutions: 0, storyStandings: 0, trackScores: 0 };

  const predictions = rowsOf(tables, 'predictions');
  const entries = rowsOf(tables, 'auditEntries');
  const evidence = rowsOf(tables, 'evidence');
  const impacts = rowsOf(tables, 'impacts');
  const forecasts = rowsOf(tables, 'forecasts');
  const trackScores = rowsOf(tables, 'trackScores');
  const storyImpacts = rowsOf(tables, 'storyImpacts');
  const chainHeads = rowsOf(tables, 'chainHeads');
  const checkpoints = rowsOf(tables, 'auditCheckpoints');
  const keys = rowsOf(tables, 'auditKeys');
  const endorsementRows = rowsOf(tables, 'auditKeyEndorsements');

  // The chains: hashes, links, replay and heads.
  const predictionIndex = new Map(predictions.map((prediction, index) => [prediction.id as string, index]));
  for (const broken of verifyArchivedChains(predictions, entries)) {
    const where = broken.index >= 0 ? { table: 'auditEntries', index: broken.index } : { table: 'predictions', index: predictionIndex.get(broken.predictionId) ?? -1 };
    const field = { sequence_gap: 'sequence', prev_hash_mismatch: 'prevHash', hash_mismatch: 'hash', replay_mismatch: 'logOddsAfter', head_mismatch: 'auditHash', unknown_prediction: 'predictionId' }[broken.reason];
    problem(where.table, where.index, field, broken.reason, `The audit trail does not verify at entry ${broken.sequence} of prediction ${broken.predictionId}${broken.slug ? ` (${broken.slug})` : ''}: ${broken.reason}`);
  }

  // Entries per chain in sequence order; the hash at each sequence.
  const chains = new Map<string, Row[]>();
  const hashes = new Map<string, string>();
  for (const entry of entries) {
    const predictionId = entry.predictionId as string;
    const chain = chains.get(predictionId);
    if (chain) chain.push(entry);
    else chains.set(predictionId, [entry]);
    hashes.set(`${predictionId}:${entry.sequence as number}`, entry.hash as string);
  }
  for (const chain of chains.values()) chain.sort((a, b) => (a.sequence as number) - (b.sequence as number));

  // Probabilities derived from log-odds, priors, and the resolution the trail records.
  predictions.forEach((prediction, index) => {
    const logOdds = number(prediction.logOdds);
    if (logOdds !== null && prediction.probability !== probabilityFromLogOdds(logOdds)) {
      problem('predictions', index, 'probability', 'derived_mismatch', `probability ${String(prediction.probability)} is not the probability of its log-odds ${logOdds} (${probabilityFromLogOdds(logOdds)})`);
    } else recomputed.probabilities += 1;
    const prior = number(prediction.prior);
    const priorLogOdds = number(prediction.priorLogOdds);
    if (prior === null || !isAcceptedProbability(prior)) problem('predictions', index, 'prior', 'out_of_range', `prior ${String(prediction.prior)} is not a probability from 0.001 to 0.999`);
    else if (priorLogOdds === null || Math.abs(priorLogOdds - logit(prior)) > 1e-9) {
      problem('predictions', index, 'priorLogOdds', 'derived_mismatch', `priorLogOdds ${String(prediction.priorLogOdds)} is not the log-odds of the prior ${prior}`);
    }
    const chain = chains.get(prediction.id as string) ?? [];
    const first = chain[0];
    const stated = (first?.detail as { prior?: unknown } | null | undefined)?.prior;
    if (first?.kind === 'prior' && typeof stated === 'number' && stated !== prior) {
      problem('predictions', index, 'prior', 'derived_mismatch', `prior ${String(prediction.prior)} is not the prior its first audit entry records (${stated})`);
    }
    // The status and event time of a resolution are the trail's: its last resolution entry, unless undone after.
    let resolution: { outcome: unknown; occurredAt: unknown } | null = null;
    for (const entry of chain) {
      if (entry.kind === 'resolution') resolution = (entry.detail as { outcome: unknown; occurredAt: unknown } | null) ?? { outcome: null, occurredAt: null };
      else if (entry.kind === 'resolution_undone') resolution = null;
    }
    const status = text(prediction.status);
    if (resolution) {
      const expected = OUTCOME_STATUS[String(resolution.outcome)];
      if (expected && status !== expected) problem('predictions', index, 'status', 'derived_mismatch', `status ${String(status)} is not the outcome its audit trail records (${expected})`);
      else if (typeof resolution.occurredAt === 'string' && prediction.outcomeOccurredAt !== resolution.occurredAt) {
        problem('predictions', index, 'outcomeOccurredAt', 'derived_mismatch', `outcomeOccurredAt ${String(prediction.outcomeOccurredAt)} is not the event time its audit trail records (${resolution.occurredAt})`);
      } else recomputed.resolutions += 1;
    } else if (status !== null && status in RESOLVED_OUTCOME) {
      problem('predictions', index, 'status', 'derived_mismatch', `status ${status} has no resolution in its audit trail`);
    } else if (status === 'annulled') problem('predictions', index, 'status', 'derived_mismatch', 'status annulled has no resolution in its audit trail');
  });
  entries.forEach((entry, index) => {
    for (const [field, source] of [['probabilityBefore', 'logOddsBefore'], ['probabilityAfter', 'logOddsAfter']] as const) {
      const logOdds = number(entry[source]);
      if (logOdds !== null && entry[field] !== probabilityFromLogOdds(logOdds)) {
        problem('auditEntries', index, field, 'derived_mismatch', `${field} ${String(entry[field])} is not the probability of ${source} ${logOdds}`);
      }
    }
  });

  // Impacts: the move each would make, from its likelihood ratio and reliability as its audit entry records them.
  const evidenceById = new Map(evidence.map((row) => [row.id as string, row]));
  const entryOfImpact = new Map<string, Row>();
  for (const entry of entries) if (entry.kind === 'evidence' && typeof entry.evidenceId === 'string') entryOfImpact.set(`${entry.evidenceId}:${entry.predictionId as string}`, entry);
  impacts.forEach((impact, index) => {
    const ratio = number(impact.likelihoodRatio);
    const reliability = number(impact.reliability);
    if (ratio === null || !isAcceptedLikelihoodRatio(ratio)) return problem('impacts', index, 'likelihoodRatio', 'out_of_range', `likelihoodRatio ${String(impact.likelihoodRatio)} is outside 1/100 to 100`);
    if (reliability === null || reliability < 0 || reliability > 1) return problem('impacts', index, 'reliability', 'out_of_range', `reliability ${String(impact.reliability)} is outside 0 to 1`);
    const owner = evidenceById.get(impact.evidenceId as string);
    if (owner && owner.reliability !== reliability) return problem('impacts', index, 'reliability', 'derived_mismatch', `reliability ${reliability} is not its evidence's (${String(owner.reliability)})`);
    if (impact.direction !== null || impact.strength !== null) {
      const expected = likelihoodRatioFor(impact.direction as EvidenceDirection, impact.strength as EvidenceStrength);
      if (expected !== ratio) return problem('impacts', index, 'likelihoodRatio', 'derived_mismatch', `likelihoodRatio ${ratio} is not that of ${String(impact.direction)} ${String(impact.strength)} (${expected})`);
    }
    if (impact.deltaLogOdds !== deltaLogOdds(ratio, reliability)) {
      return problem('impacts', index, 'deltaLogOdds', 'derived_mismatch', `deltaLogOdds ${String(impact.deltaLogOdds)} is not reliability × ln(likelihoodRatio) (${deltaLogOdds(ratio, reliability)})`);
    }
    const detail = entryOfImpact.get(`${impact.evidenceId as string}:${impact.predictionId as string}`)?.detail as { likelihoodRatio?: unknown; reliability?: unknown } | null | undefined;
    if (typeof detail?.likelihoodRatio === 'number' && detail.likelihoodRatio !== ratio) {
      return problem('impacts', index, 'likelihoodRatio', 'derived_mismatch', `likelihoodRatio ${ratio} is not what its audit entry records (${detail.likelihoodRatio})`);
    }
    if (typeof detail?.reliability === 'number' && detail.reliability !== reliability) {
      return problem('impacts', index, 'reliability', 'derived_mismatch', `reliability ${reliability} is not what its audit entry records (${detail.reliability})`);
    }
    recomputed.impacts += 1;
  });

  // Forecasts are the analysts' to state, within the range the API takes.
  forecasts.forEach((forecast, index) => {
    const probability = number(forecast.probability);
    if (probability === null || !isAcceptedProbability(probability)) problem('forecasts', index, 'probability', 'out_of_range', `probability ${String(forecast.probability)} is not a probability from 0.001 to 0.999`);
  });

  // Each story's standing on each prediction, as the evidence and the trail imply it.
  const standings = derivedStandings(evidence, impacts, entries);
  storyImpacts.forEach((row, index) => {
    const expected = standings.get(`${row.storyId as string}/${row.predictionId as string}`);
    const field = !expected
      ? 'storyId'
      : expected.strongestEvidenceId !== row.strongestEvidenceId
        ? 'strongestEvidenceId'
        : expected.strongestDeltaLogOdds !== row.strongestDeltaLogOdds
          ? 'strongestDeltaLogOdds'
          : expected.appliedDeltaLogOdds !== row.appliedDeltaLogOdds
            ? 'appliedDeltaLogOdds'
            : expected.liveItems !== row.liveItems
              ? 'liveItems'
              : null;
    if (field) {
      problem('storyImpacts', index, field, 'derived_mismatch', `story ${String(row.storyId)} on prediction ${String(row.predictionId)} is not what the evidence and the audit trail imply (${field})`);
    } else recomputed.storyStandings += 1;
  });

  // Kept scores: every track of every resolved prediction, scored again from the trail and the forecasts.
  const keptByPrediction = new Map<string, { row: Row; index: number }[]>();
  trackScores.forEach((row, index) => {
    const list = keptByPrediction.get(row.predictionId as string);
    if (list) list.push({ row, index });
    else keptByPrediction.set(row.predictionId as string, [{ row, index }]);
  });
  const forecastsByPrediction = new Map<string, Row[]>();
  for (const forecast of forecasts) {
    const list = forecastsByPrediction.get(forecast.predictionId as string);
    if (list) list.push(forecast);
    else forecastsByPrediction.set(forecast.predictionId as string, [forecast]);
  }
  for (const prediction of predictions) {
    const id = prediction.id as string;
    const kept = keptByPrediction.get(id) ?? [];
    keptByPrediction.delete(id);
    const outcome = RESOLVED_OUTCOME[String(prediction.status)];
    const occurredAt = time(prediction.outcomeOccurredAt);
    const createdAt = time(prediction.createdAt);
    const priorLogOdds = number(prediction.priorLogOdds);
    if (outcome === undefined || !occurredAt || !createdAt || priorLogOdds === null || occurredAt < createdAt) {
      for (const { index } of kept) problem('trackScores', index, 'predictionId', 'derived_mismatch', `a kept score of prediction ${id}, which is not resolved true or false`);
      continue;
    }
    let expected: ScoredTrackValues[];
    try {
      const moves = scoringMoves(
        (chains.get(id) ?? []).map((entry) => ({
          kind: entry.kind as string,
          deltaLogOdds: entry.deltaLogOdds as number,
          createdAt: new Date(entry.createdAt as string),
          day: dayOf(entry.detail),
        })),
      );
      const own = inForecastOrder(
        (forecastsByPrediction.get(id) ?? []).map((forecast) => ({
          id: forecast.id as string,
          forecaster: forecast.forecaster as string,
          forecasterName: forecast.forecasterName as string,
          probability: forecast.probability as number,
          createdAt: new Date(forecast.createdAt as string),
        })),
      );
      expected = scorePredictionTracks({ priorLogOdds, createdAt }, moves, own, occurredAt, outcome);
    } catch (error) {
      problem('predictions', predictionIndex.get(id) ?? -1, 'status', 'derived_mismatch', `the scores of prediction ${id} cannot be recomputed: ${(error as Error).message}`);
      continue;
    }
    const byTrack = new Map(expected.map((track) => [`${track.track}/${track.forecaster}`, track]));
    for (const { row, index } of kept) {
      const track = byTrack.get(`${String(row.track)}/${String(row.forecaster)}`);
      byTrack.delete(`${String(row.track)}/${String(row.forecaster)}`);
      const field = !track
        ? 'track'
        : (['probability', 'brier', 'logScore', 'timeAveragedBrier', 'afterTheFact', 'outcome', 'forecasterName'] as const).find((name) => row[name] !== track[name]) ??
          (row.occurredAt !== track.occurredAt.toISOString() ? 'occurredAt' : null);
      if (field) {
        problem('trackScores', index, field, 'derived_mismatch', `the kept ${String(row.track)} score of prediction ${id} is not what its trail and forecasts give (${field})`);
      } else recomputed.trackScores += 1;
    }
    for (const missing of byTrack.values()) {
      problem('trackScores', -1, null, 'derived_missing', `the ${missing.track} score${missing.forecaster ? ` of ${missing.forecaster}` : ''} of resolved prediction ${id} is missing`);
    }
  }
  for (const list of keptByPrediction.values()) {
    for (const { row, index } of list) problem('trackScores', index, 'predictionId', 'unknown_prediction', `a kept score of prediction ${String(row.predictionId)}, which the export does not hold`);
  }

  // Keys and their endorsements, then whom to trust.
  const published = new Map<string, { publicKey: string; index: number }>();
  keys.forEach((row, index) => {
    const publicKey = text(row.publicKey);
    if (!isKeyId(row.id) || !publicKey || !readPublicKey(publicKey)) return problem('auditKeys', index, 'publicKey', 'malformed', 'is not an Ed25519 public key (base64 SPKI DER) with its id');
    if (keyIdOf(publicKey) !== row.id) return problem('auditKeys', index, 'id', 'key_id_mismatch', `key id ${row.id} is not the id of its public key (${keyIdOf(publicKey)})`);
    published.set(row.id, { publicKey, index });
  });
  const endorsements: KeyEndorsement[] = [];
  endorsementRows.forEach((row, index) => {
    const endorsement = {
      endorserKeyId: row.endorserKeyId,
      subjectKeyId: row.subjectKeyId,
      subjectPublicKey: row.subjectPublicKey,
      relation: row.relation,
      at: row.at,
      signature: row.signature,
    } as KeyEndorsement;
    if (!KEY_RELATIONS.includes(endorsement.relation)) return problem('auditKeyEndorsements', index, 'relation', 'malformed', `relation must be one of ${KEY_RELATIONS.join(', ')}`);
    const endorser = published.get(endorsement.endorserKeyId);
    const key = endorser ? readPublicKey(endorser.publicKey) : null;
    if (!key) return problem('auditKeyEndorsements', index, 'endorserKeyId', 'key_unknown', `endorser ${String(endorsement.endorserKeyId)} is not a key of the export`);
    if (!endorsementValid(endorsement, key)) return problem('auditKeyEndorsements', index, 'signature', 'signature_invalid', `the endorsement of key ${String(endorsement.subjectKeyId)} by ${endorsement.endorserKeyId} does not verify`);
    endorsements.push(endorsement);
  });
  const witness = options.witness ?? null;
  const named = (options.trustedKeys ?? []).filter((key) => key.trim() !== '');
  const trust: ArchiveTrust =
    named.length > 0 ? 'named' : witness && witness.keys.length > 0 ? 'witness' : published.size > 0 ? 'export' : 'unsigned';
  const anchors = trust === 'named' ? named : trust === 'witness' ? witness!.keys.map((key) => key.publicKey) : [...published.values()].map((key) => key.publicKey);
  const trusted: Map<string, TrustedKey> = trustedKeys(anchors, [...endorsements, ...(witness?.endorsements ?? [])]);

  // Every signed head: by a known, trusted key, over a hash the trail holds at that sequence.
  const signedHeads = new Set<string>();
  chainHeads.forEach((row, index) => {
    const where = `${String(row.predictionId)}:${String(row.sequence)}`;
    const key = published.get(row.keyId as string);
    const head = { predictionId: row.predictionId as string, sequence: row.sequence as number, hash: row.hash as string, signedAt: row.signedAt as string, signature: row.signature as string };
    if (!key) return problem('chainHeads', index, 'keyId', 'key_unknown', `head ${where} is signed by key ${String(row.keyId)}, which the export does not list`);
    if (!checkpointSignatureValid(head, readPublicKey(key.publicKey)!)) return problem('chainHeads', index, 'signature', 'head_signature_invalid', `the signature of head ${where} does not verify`);
    if (!trusted.has(row.keyId as string)) return problem('chainHeads', index, 'keyId', 'head_signature_untrusted', `head ${where} is signed by key ${String(row.keyId)}, which no trusted key vouches for`);
    const hash = hashes.get(where);
    if (hash === undefined) return problem('chainHeads', index, 'sequence', 'head_entry_missing', `head ${where} was signed, and the trail no longer holds that entry`);
    if (hash !== row.hash) return problem('chainHeads', index, 'hash', 'head_signature_mismatch', `head ${where} was signed over a hash the trail no longer holds at that entry`);
    signedHeads.add(where);
  });
  // Once a deployment signs, every chain's head is signed.
  if (published.size > 0) {
    predictions.forEach((prediction, index) => {
      if ((prediction.auditSequence as number) > 0 && !signedHeads.has(`${prediction.id as string}:${prediction.auditSequence as number}`)) {
        problem('predictions', index, 'auditHash', 'head_unsigned', `the head of prediction ${prediction.id as string} (entry ${prediction.auditSequence as number}) carries no valid signature`);
      }
    });
  }
  let checkpointCount = 0;
  checkpoints.forEach((row, index) => {
    const where = `${String(row.predictionId)}:${String(row.sequence)}`;
    const publicKey = text(row.publicKey);
    const key = publicKey ? readPublicKey(publicKey) : null;
    const head = { predictionId: row.predictionId as string, sequence: row.sequence as number, hash: row.hash as string, signedAt: row.signedAt as string, signature: row.signature as string };
    if (!key || !checkpointSignatureValid(head, key)) return problem('auditCheckpoints', index, 'signature', 'checkpoint_signature_invalid', `checkpoint ${where} does not verify`);
    if (!trusted.has(keyIdOf(publicKey!))) return problem('auditCheckpoints', index, 'publicKey', 'checkpoint_untrusted', `checkpoint ${where} is signed by a key no trusted key vouches for`);
    const hash = hashes.get(where);
    if (hash === undefined) return problem('auditCheckpoints', index, 'sequence', 'checkpoint_entry_missing', `checkpoint ${where} signed an entry the trail no longer holds`);
    if (hash !== row.hash) return problem('auditCheckpoints', index, 'hash', 'checkpoint_mismatch', `checkpoint ${where} signed a hash the trail no longer holds at that entry`);
    checkpointCount += 1;
  });

  let witnessReport: WitnessReport | null = null;
  if (witness) {
    const headOf = new Map(predictions.map((prediction) => [prediction.id as string, prediction.auditSequence as number]));
    witnessReport = checkWitness(witness.heads, { hashAt: (predictionId, sequence) => hashes.get(`${predictionId}:${sequence}`), headSequence: (predictionId) => headOf.get(predictionId) }, trusted);
    for (const broken of witnessReport.broken) {
      const index = predictionIndex.get(broken.predictionId) ?? -1;
      const from = broken.changedFrom ? `; rewritten from entry ${broken.changedFrom} at the latest` : '';
      problem('predictions', index, 'auditHash', broken.reason, `the witness holds entry ${broken.sequence} of prediction ${broken.predictionId}, and the export does not agree (${broken.reason}${from})`);
    }
  }

  return {
    ok: problems.length === 0,
    trust,
    chains: predictions.length,
    entries: entries.length,
    signedHeads: signedHeads.size,
    checkpoints: checkpointCount,
    keys: [...published].map(([keyId, { publicKey }]) => ({ keyId, publicKey, trusted: trusted.has(keyId) })),
    recomputed,
    problems,
    witness: witnessReport,
  };
}

function dayOf(detail: unknown): string | null {
  const day = (detail as { day?: unknown } | null | undefined)?.day;
  if (day === undefined || day === null) return null;
  return typeof day === 'string' ? day : JSON.stringify(day);
}

interface DerivedStanding {
  strongestEvidenceId: string | null;
  strongestDeltaLogOdds: number;
  appliedDeltaLogOdds: number;
  liveItems: number;
}

/**
 * Each story's standing per prediction as the evidence and the trail imply it
 * (the same derivation an import's database check makes): live items counted
 * from the evidence; the counted item and what the story adds from the last
 * evidence or retraction entry of the story on the prediction (its detail's
 * `story`), or, for evidence from before stories, the evidence itself while it
 * stands.
 */
function derivedStandings(evidence: readonly Row[], impacts: readonly Row[], entries: readonly Row[]): Map<string, DerivedStanding> {
  const evidenceById = new Map(evidence.map((row) => [row.id as string, row]));
  const storyOf = (evidenceId: string) => {
    const row = evidenceById.get(evidenceId);
    return row ? ((row.storyId as string | null) ?? (row.id as string)) : null;
  };
  const impactOf = new Map(impacts.map((impact) => [`${impact.evidenceId as string}:${impact.predictionId as string}`, impact]));
  const pairs = new Map<string, { liveItems: number; storyId: string; predictionId: string }>();
  for (const impact of impacts) {
    const storyId = storyOf(impact.evidenceId as string);
    if (!storyId) continue;
    const key = `${storyId}/${impact.predictionId as string}`;
    const pair = pairs.get(key) ?? { liveItems: 0, storyId, predictionId: impact.predictionId as string };
    if (evidenceById.get(impact.evidenceId as string)!.retractedAt === null || evidenceById.get(impact.evidenceId as string)!.retractedAt === undefined) pair.liveItems += 1;
    pairs.set(key, pair);
  }
  const last = new Map<string, Row>();
  for (const entry of entries) {
    if ((entry.kind !== 'evidence' && entry.kind !== 'retraction') || typeof entry.evidenceId !== 'string') continue;
    const storyId = storyOf(entry.evidenceId);
    if (!storyId) continue;
    const key = `${storyId}/${entry.predictionId as string}`;
    const previous = last.get(key);
    if (!previous || (previous.sequence as number) < (entry.sequence as number)) last.set(key, entry);
  }
  const derived = new Map<string, DerivedStanding>();
  for (const [key, pair] of pairs) {
    const entry = last.get(key);
    const story = entry?.detail && typeof entry.detail === 'object' ? (entry.detail as { story?: unknown }).story : undefined;
    const retracted = entry ? evidenceById.get(entry.evidenceId as string)!.retractedAt : null;
    let strongestEvidenceId: string | null;
    let appliedDeltaLogOdds: number;
    if (story && typeof story === 'object' && !Array.isArray(story)) {
      const counted = (story as { counted?: unknown }).counted;
      const after = (story as { after?: unknown }).after;
      strongestEvidenceId = typeof counted === 'string' ? counted : null;
      appliedDeltaLogOdds = typeof after === 'number' ? after : 0;
    } else if (entry && (retracted === null || retracted === undefined)) {
      strongestEvidenceId = entry.evidenceId as string;
      appliedDeltaLogOdds = (impactOf.get(`${entry.evidenceId as string}:${pair.predictionId}`)?.deltaLogOdds as number | undefined) ?? 0;
    } else {
      strongestEvidenceId = null;
      appliedDeltaLogOdds = 0;
    }
    const counted = strongestEvidenceId ? impactOf.get(`${strongestEvidenceId}:${pair.predictionId}`) : undefined;
    derived.set(key, {
      strongestEvidenceId,
      strongestDeltaLogOdds: (counted?.deltaLogOdds as number | undefined) ?? 0,
      appliedDeltaLogOdds,
      liveItems: pair.liveItems,
    });
  }
  return derived;
}

/** The location of a problem as an import names it: `tables.<table>[<index>].<field>`. */
export function archiveProblemField(problem: ArchiveProblem): string {
  const row = problem.index >= 0 ? `[${problem.index}]` : '';
  return `tables.${problem.table}${row}${problem.field && problem.index >= 0 ? `.${problem.field}` : ''}`;
}

/** What a verification proved, in plain lines (the CLI prints them; an import's answer carries the note). */
export function describeArchiveVerification(result: ArchiveVerification): string[] {
  const lines = [
    `${result.chains} chains, ${result.entries} entries: every hash, link and replay step recomputed`,
    `${result.recomputed.probabilities} probabilities, ${result.recomputed.impacts} impacts, ${result.recomputed.resolutions} resolutions, ${result.recomputed.storyStandings} story standings and ${result.recomputed.trackScores} kept scores recomputed from the trail`,
  ];
  const trusted = result.keys.filter((key) => key.trusted).map((key) => key.keyId);
  switch (result.trust) {
    case 'named':
      lines.push(`${result.signedHeads} signed heads and ${result.checkpoints} checkpoints verified against the keys you named (trusted: ${trusted.join(', ') || 'none'}): origin proven`);
      break;
    case 'witness':
      lines.push(`${result.signedHeads} signed heads and ${result.checkpoints} checkpoints verified against the keys the witness recorded (trusted: ${trusted.join(', ') || 'none'})`);
      break;
    case 'export':
      lines.push(
        `${result.signedHeads} signed heads and ${result.checkpoints} checkpoints verified against the export's own keys (${trusted.join(', ')}): this proves the export is consistent, not where it came from; name the deployment's public key to prove that`,
      );
      break;
    case 'unsigned':
      lines.push('the export carries no signing keys (it was made before heads were signed): its chains are consistent, and nothing proves their origin');
      break;
  }
  if (result.witness) {
    const proven = result.witness.proofs.map((proof) => `${proof.predictionId}: entries 1-${proof.provenThrough} as witnessed at ${proof.provenAt}, ${proof.after} after it`);
    lines.push(`witness: ${result.witness.checked} heads checked, ${result.witness.broken.length} broken`, ...proven.map((line) => `  ${line}`));
  }
  return lines;
}
