import { logit } from '#core';
import { adminQuery } from '#test/test-database.js';

/**
 * Gives a prediction `count` earlier evidence items in one set-based insert: evidence
 * rows, their impacts, each its own story in the story ledger and one audit entry each,
 * `secondsApart` apart (by default 100,000 items span the last 100 days), then
 * moves the prediction's chain head past them, as `count` real requests would have.
 * The deltas alternate in sign with varied sizes so the log-odds stay near the prior
 * and the (predictionId, deltaLogOdds) index sees a realistic spread. The hashes are
 * placeholders: benches never verify the chain.
 */
export async function seedEvidenceHistory(databaseUrl: string, prediction: { id: string; prior: number }, count: number, secondsApart = 86): Promise<void> {
  const prior = logit(prediction.prior);
  const tag = prediction.id.replaceAll('-', '');
  // Columns are TIMESTAMP(3) holding UTC, whatever the server's TimeZone.
  const sql = `
    INSERT INTO "Evidence" ("id", "storyId", "summary", "observedAt", "reliability", "actor", "createdAt")
    SELECT md5('${tag}-ev-' || g)::uuid, md5('${tag}-ev-' || g)::uuid, 'bulk evidence ' || g, (now() AT TIME ZONE 'UTC') - ((${count} - g) * interval '${secondsApart} seconds'), 1, 'bench',
           (now() AT TIME ZONE 'UTC') - ((${count} - g) * interval '${secondsApart} seconds')
      FROM generate_series(1, ${count}) AS g;

    INSERT INTO "EvidenceImpact" ("id", "evidenceId", "predictionId", "likelihoodRatio", "reliability", "deltaLogOdds", "createdAt")
    SELECT md5('${tag}-im-' || g)::uuid, md5('${tag}-ev-' || g)::uuid, '${prediction.id}'::uuid,
           exp(d), 1, d, (now() AT TIME ZONE 'UTC') - ((${count} - g) * interval '${secondsApart} seconds')
      FROM (SELECT g, (CASE WHEN g % 2 = 1 THEN 1 ELSE -1 END) * (0.01 + (g % 97) / 100.0) AS d
              FROM generate_series(1, ${count}) AS g) AS deltas;

    -- Each item is its own story and the one it counts, as recording it would have left the ledger;
    -- without these rows every item reads as an uncounted repeat and the scorecard's top movers scan the whole history.
    INSERT INTO "EvidenceStoryImpact" ("id", "storyId", "predictionId", "strongestEvidenceId", "strongestDeltaLogOdds", "appliedDeltaLogOdds", "liveItems", "createdAt", "updatedAt")
    SELECT md5('${tag}-st-' || g)::uuid, md5('${tag}-ev-' || g)::uuid, '${prediction.id}'::uuid, md5('${tag}-ev-' || g)::uuid, d, d, 1,
           (now() AT TIME ZONE 'UTC') - ((${count} - g) * interval '${secondsApart} seconds'), (now() AT TIME ZONE 'UTC') - ((${count} - g) * interval '${secondsApart} seconds')
      FROM (SELECT g, (CASE WHEN g % 2 = 1 THEN 1 ELSE -1 END) * (0.01 + (g % 97) / 100.0) AS d
              FROM generate_series(1, ${count}) AS g) AS deltas;

    INSERT INTO "AuditEntry" ("id", "predictionId", "sequence", "kind", "evidenceId", "logOddsBefore", "deltaLogOdds", "logOddsAfter",
                              "probabilityBefore", "probabilityAfter", "actor", "createdAt", "prevHash", "hash")
    SELECT md5('${tag}-au-' || g)::uuid, '${prediction.id}'::uuid, g + 1, 'evidence', md5('${tag}-ev-' || g)::uuid,
           before, d, before + d, 1 / (1 + exp(-before)), 1 / (1 + exp(-(before + d))), 'bench',
           (now() AT TIME ZONE 'UTC') - ((${count} - g) * interval '${secondsApart} seconds'),
           md5('${tag}-h-' || (g - 1)) || md5('${tag}-h2-' || (g - 1)), md5('${tag}-h-' || g) || md5('${tag}-h2-' || g)
      FROM (SELECT g, d, ${prior} + (CASE WHEN g % 2 = 0 THEN -d ELSE 0 END) AS before
              FROM (SELECT g, (CASE WHEN g % 2 = 1 THEN 1 ELSE -1 END) * (0.01 + (g % 97) / 100.0) AS d
                      FROM generate_series(1, ${count}) AS g) AS deltas) AS rows;

    UPDATE "Prediction" SET "auditSequence" = ${count} + 1,
           "auditHash" = md5('${tag}-h-' || ${count}) || md5('${tag}-h2-' || ${count})
     WHERE "id" = '${prediction.id}'::uuid;

    -- The prediction and its prior must predate the history, as they would have.
    -- A benchmark fixture may rewrite the append-only table; nothing else may.
    UPDATE "Prediction" SET "createdAt" = (now() AT TIME ZONE 'UTC') - ((${count} + 1) * interval '${secondsApart} seconds') WHERE "id" = '${prediction.id}'::uuid;
    ALTER TABLE "AuditEntry" DISABLE TRIGGER USER;
    UPDATE "AuditEntry" SET "createdAt" = (now() AT TIME ZONE 'UTC') - ((${count} + 1) * interval '${secondsApart} seconds')
     WHERE "predictionId" = '${prediction.id}'::uuid AND "sequence" = 1;
    ALTER TABLE "AuditEntry" ENABLE TRIGGER USER;

    ANALYZE "Evidence"; ANALYZE "EvidenceImpact"; ANALYZE "EvidenceStoryImpact"; ANALYZE "AuditEntry"; ANALYZE "Prediction";`;
  await adminQuery(sql, databaseUrl);
}

/** A fresh open prediction at p = 0.5, made through the API as a user would. */
export async function createBenchPrediction(base: string, key: string, slug: string): Promise<{ id: string; prior: number }> {
  const response = await fetch(`${base}/v1/predictions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      slug,
      title: slug,
      statement: 'Benchmark prediction.',
      resolutionCriteria: 'None; a benchmark.',
      prior: 0.5,
      deadline: new Date(Date.now() + 365 * 86_400_000).toISOString(),
    }),
  });
  if (response.status !== 201) throw new Error(`POST /v1/predictions answered ${response.status}`);
  return (await response.json()) as { id: string; prior: number };
}
