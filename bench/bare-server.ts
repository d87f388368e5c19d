import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, timingSafeEqual, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import pg from 'pg';

import { applyDelta, canonicalUrl, checkpointMessage, deltaLogOdds, GENESIS_HASH, hashAuditEntry, keyIdOf, publicKeyText } from '#core';
import type { SqlSession } from '#db';
import { EvidenceStoriesRepository } from '#predictions';

/**
 * The bare baseline of the HTTP benches: Node's `http` and `pg`, nothing else, doing
 * the SQL work Bellwether does for the same requests against the same database.
 *
 * - POST /v1/evidence: key lookup; one transaction that locks the predictions (ids or
 *   slugs, ascending id), looks for earlier evidence of the same story (Bellwether's own
 *   same-story search, its statement and its comparison of summaries, borrowed so the two
 *   cannot drift apart), inserts the evidence under its canonical link, its impacts, the
 *   story's ledger row on each prediction and one hash-chained audit entry per prediction
 *   (the same canonical content and `hashAuditEntry` as Bellwether, so
 *   `/v1/audit/verify` accepts them), moves each prediction, signs its new head with the
 *   audit signing key (Ed25519, AUDIT_SIGNING_KEY) into ChainHeadSignature, and writes the
 *   outbox rows; 201 with the moves. The bench's evidence each tells a story of its own,
 *   as Bellwether finds too, so the ledger rows are new ones.
 * - GET /v1/predictions: key lookup, the first page of predictions with their team
 *   forecasts, as Bellwether's JSON.
 * - GET /v1/predictions/:id/scorecard: key lookup, the same rows as Bellwether's
 *   scorecard of an open prediction (changes over 7/30/90 days, the five largest moves,
 *   linked indicators with their latest reading, the team forecast), as its JSON.
 *
 * Run as its own process: `node dist/bench/bare-server.js` with DATABASE_URL and
 * AUDIT_SIGNING_KEY; it
 * prints `listening on http://127.0.0.1:<port>`.
 */

// Columns are TIMESTAMP(3) holding UTC.
pg.types.setTypeParser(1114, (value: string) => new Date(`${value.replace(' ', 'T')}Z`));

const DAY_MS = 86_400_000;
const TOP_EVIDENCE = 5;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface LockedRow {
  id: string;
  slug: string;
  status: string;
  logOdds: number;
  auditSequence: number;
  auditHash: string;
}

interface AuditRow {
  predictionId: string;
  sequence: number;
  kind: string;
  evidenceId: string;
  logOddsBefore: number;
  deltaLogOdds: number;
  logOddsAfter: number;
  probabilityBefore: number;
  probabilityAfter: number;
  actor: string;
  reason: null;
  detail: { likelihoodRatio: number; reliability: number };
  createdAt: Date;
}

interface EvidenceBody {
  summary: string;
  sourceUrl?: string | null;
  observedAt: string;
  reliability?: number;
  impacts: { prediction: string; likelihoodRatio: number }[];
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** RFC 9562 version 7: 48 bits of Unix milliseconds, then random bits. */
function uuidv7(): string {
  const bytes = randomBytes(16);
  const now = Date.now();
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function authenticate(pool: pg.Pool, header: string | undefined): Promise<{ id: string; role: string }> {
  const match = /^Bearer\s+bw_([A-Za-z0-9]{8})_[A-Za-z0-9_-]{20,}$/i.exec(header ?? '');
  if (!match) throw new HttpError(401, 'no key');
  const token = header!.replace(/^Bearer\s+/i, '');
  const { rows } = await pool.query<{ id: string; role: string; hash: string; revokedAt: Date | null }>(
    'SELECT "id", "role"::text AS "role", "hash", "revokedAt" FROM "ApiKey" WHERE "prefix" = $1',
    [match[1]],
  );
  const key = rows[0];
  if (!key || key.revokedAt || !timingSafeEqual(Buffer.from(sha256(token), 'hex'), Buffer.from(key.hash, 'hex'))) throw new HttpError(401, 'unknown key');
  return key;
}

async function readJson(request: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

/** The key Bellwether signs chain heads with; the bench gives both servers the same AUDIT_SIGNING_KEY. */
interface HeadKey {
  privateKey: KeyObject;
  keyId: string;
}

function headKey(pem: string): HeadKey {
  const privateKey = createPrivateKey(pem);
  return { privateKey, keyId: keyIdOf(publicKeyText(createPublicKey(privateKey))) };
}

/** A pg client as the SqlSession Bellwether's repositories take, with named (prepared) statements as its pool runs them. */
function sqlSession(client: pg.PoolClient): SqlSession {
  return {
    async query<Row>(text: string, values: readonly unknown[] = [], prepared?: string): Promise<Row[]> {
      const result = await client.query({ text, values: [...values], name: prepared });
      return result.rows as Row[];
    },
  };
}

const stories = new EvidenceStoriesRepository();

async function recordEvidence(pool: pg.Pool, key: HeadKey, body: EvidenceBody, actor: string): Promise<unknown> {
  const reliability = body.reliability ?? 1;
  const observedAt = new Date(body.observedAt);
  const references = body.impacts.map((impact) => impact.prediction);
  const link = body.sourceUrl ? canonicalUrl(body.sourceUrl) : null;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const locked = await client.query<LockedRow>(
      `SELECT "id"::text AS "id", "slug", "status"::text AS "status", "logOdds", "auditSequence", "auditHash"
         FROM "Prediction" WHERE "id" = ANY($1::uuid[]) OR "slug" = ANY($2::text[]) ORDER BY "id" FOR UPDATE`,
      [references.filter((reference) => UUID.test(reference)).map((reference) => reference.toLowerCase()), references.filter((reference) => !UUID.test(reference))],
    );
    const heads = body.impacts.map((impact) => {
      const head = locked.rows.find((row) => row.id === impact.prediction.toLowerCase() || row.slug === impact.prediction);
      if (!head) throw new HttpError(404, `no prediction ${impact.prediction}`);
      if (head.status !== 'open') throw new HttpError(409, 'resolved');
      return head;
    });
    const sameStory = await stories.sameStory(sqlSession(client), {
      predictionIds: [...new Set(heads.map((head) => head.id))],
      storyId: null,
      canonicalUrl: link,
      summary: body.summary,
      observedAt,
    });
    if (sameStory.length > 0) throw new HttpError(409, 'the bench sends a new story each time');
    const evidenceId = uuidv7();
    await client.query(
      `INSERT INTO "Evidence" ("id", "storyId", "summary", "sourceUrl", "canonicalUrl", "observedAt", "reliability", "actor", "createdAt") VALUES ($1, $1, $2, $3, $4, $5, $6, $7, $8)`,
      [evidenceId, body.summary, body.sourceUrl ?? null, link, observedAt.toISOString(), reliability, actor, new Date().toISOString()],
    );
    const deltas = body.impacts.map((impact) => deltaLogOdds(impact.likelihoodRatio, reliability));
    const moves = [];
    const events: { type: string; predictionId: string | null; payload: unknown }[] = [];
    const impactRows: unknown[] = [];
    const auditRows: (AuditRow & { prevHash: string; hash: string })[] = [];
    for (const [index, impact] of body.impacts.entries()) {
      const head = heads[index]!;
      impactRows.push([uuidv7(), evidenceId, head.id, impact.likelihoodRatio, reliability, deltas[index]]);
      const step = applyDelta(head.logOdds, deltas[index]!);
      const createdAt = new Date(Math.floor(Date.now()));
      const entry: AuditRow = {
        predictionId: head.id,
        sequence: head.auditSequence + 1,
        kind: 'evidence',
        evidenceId,
        logOddsBefore: step.logOddsBefore,
        deltaLogOdds: step.deltaLogOdds,
        logOddsAfter: step.logOddsAfter,
        probabilityBefore: step.probabilityBefore,
        probabilityAfter: step.probabilityAfter,
        actor,
        reason: null,
        detail: { likelihoodRatio: impact.likelihoodRatio, reliability },
        createdAt,
      };
      const prevHash = head.auditSequence === 0 ? GENESIS_HASH : head.auditHash;
      // The fields and order of auditEntryContent in libs/predictions.
      const hash = hashAuditEntry(prevHash, entry);
      auditRows.push({ ...entry, prevHash, hash });
      moves.push({
        predictionId: head.id,
        slug: head.slug,
        likelihoodRatio: impact.likelihoodRatio,
        deltaLogOdds: step.deltaLogOdds,
        probabilityBefore: step.probabilityBefore,
        probabilityAfter: step.probabilityAfter,
      });
      events.push({
        type: 'prediction.confidence_changed',
        predictionId: head.id,
        payload: { ...pick(entry), actor },
      });
    }
    const nowText = new Date().toISOString();
    await client.query(
      `INSERT INTO "EvidenceImpact" ("id", "evidenceId", "predictionId", "likelihoodRatio", "reliability", "deltaLogOdds", "createdAt")
       SELECT (r->>0)::uuid, (r->>1)::uuid, (r->>2)::uuid, (r->>3)::float8, (r->>4)::float8, (r->>5)::float8, $2 FROM jsonb_array_elements($1::jsonb) AS r`,
      [JSON.stringify(impactRows), nowText],
    );
    // The new story's standing on each prediction: this evidence is its strongest and only live item.
    await client.query(
      `INSERT INTO "EvidenceStoryImpact" ("id", "storyId", "predictionId", "strongestEvidenceId", "strongestDeltaLogOdds", "appliedDeltaLogOdds", "liveItems", "createdAt", "updatedAt")
       SELECT (r->>0)::uuid, $2::uuid, (r->>1)::uuid, $2::uuid, (r->>2)::float8, (r->>2)::float8, 1, $3::timestamp, $3::timestamp FROM jsonb_array_elements($1::jsonb) AS r`,
      [JSON.stringify(auditRows.map((row) => [uuidv7(), row.predictionId, row.deltaLogOdds])), evidenceId, nowText],
    );
    for (const row of auditRows) {
      await client.query(
        `INSERT INTO "AuditEntry" ("id", "predictionId", "sequence", "kind", "evidenceId", "logOddsBefore", "deltaLogOdds", "logOddsAfter",
                                   "probabilityBefore", "probabilityAfter", "actor", "reason", "detail", "createdAt", "prevHash", "hash")
         VALUES ($1, $2, $3, 'evidence', $4, $5, $6, $7, $8, $9, $10, NULL, $11, $12, $13, $14)`,
        [
          uuidv7(), row.predictionId, row.sequence, row.evidenceId, row.logOddsBefore, row.deltaLogOdds, row.logOddsAfter,
          row.probabilityBefore, row.probabilityAfter, row.actor, JSON.stringify(row.detail), row.createdAt.toISOString(), row.prevHash, row.hash,
        ],
      );
      await client.query(
        `UPDATE "Prediction" SET "logOdds" = $2, "probability" = $3, "auditSequence" = $4, "auditHash" = $5, "updatedAt" = $6 WHERE "id" = $1`,
        [row.predictionId, row.logOddsAfter, row.probabilityAfter, row.sequence, row.hash, nowText],
      );
      const signedAt = row.createdAt.toISOString();
      const signature = sign(null, checkpointMessage({ predictionId: row.predictionId, sequence: row.sequence, hash: row.hash, signedAt }), key.privateKey);
      await client.query(
        `INSERT INTO "ChainHeadSignature" ("id", "predictionId", "sequence", "hash", "signedAt", "keyId", "signature") VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [uuidv7(), row.predictionId, row.sequence, row.hash, signedAt, key.keyId, signature.toString('base64')],
      );
    }
    events.unshift({
      type: 'evidence.recorded',
      predictionId: null,
      payload: { evidenceId, summary: body.summary, sourceUrl: body.sourceUrl ?? null, observedAt: observedAt.toISOString(), reliability, actor, impacts: moves },
    });
    await client.query(
      `INSERT INTO "OutboxEvent" ("id", "type", "predictionId", "payload", "createdAt")
       SELECT (e->>'id')::uuid, e->>'type', (e->>'predictionId')::uuid, e->'payload', $2 FROM jsonb_array_elements($1::jsonb) AS e`,
      [JSON.stringify(events.map((event) => ({ id: uuidv7(), ...event }))), nowText],
    );
    await client.query('COMMIT');
    return { id: evidenceId, impacts: moves };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

function pick(entry: { predictionId: string; sequence: number; kind: string; evidenceId: string; deltaLogOdds: number; probabilityBefore: number; probabilityAfter: number }) {
  return {
    predictionId: entry.predictionId,
    sequence: entry.sequence,
    kind: entry.kind,
    evidenceId: entry.evidenceId,
    deltaLogOdds: entry.deltaLogOdds,
    probabilityBefore: entry.probabilityBefore,
    probabilityAfter: entry.probabilityAfter,
  };
}

interface PredictionRow {
  id: string;
  slug: string;
  title: string;
  statement: string;
  resolutionCriteria: string;
  prior: number;
  probability: number;
  logOdds: number;
  status: string;
  eventByDeadline: boolean;
  deadline: Date;
  resolvedAt: Date | null;
  outcomeOccurredAt: Date | null;
  resolutionNote: string | null;
  resolutionSourceUrl: string | null;
  dueAt: Date | null;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

const PREDICTION_COLUMNS = `"id"::text AS "id", "slug", "title", "statement", "resolutionCriteria", "prior", "probability", "logOdds", "status"::text AS "status",
  "eventByDeadline", "deadline", "resolvedAt", "outcomeOccurredAt", "resolutionNote", "resolutionSourceUrl", "dueAt", "revision", "createdAt", "updatedAt"`;

const iso = (date: Date | null) => date?.toISOString() ?? null;

async function teams(pool: pg.Pool, ids: string[]): Promise<Map<string, { probability: number; forecasters: number }>> {
  const { rows } = await pool.query<{ predictionId: string; probability: number }>(
    `SELECT DISTINCT ON ("predictionId", "forecaster") "predictionId"::text AS "predictionId", "probability" FROM "Forecast"
      WHERE "predictionId" = ANY($1::uuid[]) ORDER BY "predictionId", "forecaster", "createdAt" DESC, "id" DESC`,
    [ids],
  );
  const byPrediction = new Map<string, number[]>();
  for (const row of rows) byPrediction.set(row.predictionId, [...(byPrediction.get(row.predictionId) ?? []), row.probability]);
  // The geometric mean of the odds, as Bellwether's team forecast.
  return new Map(
    [...byPrediction].map(([id, probabilities]) => {
      const logOdds = probabilities.reduce((sum, p) => sum + Math.log(p / (1 - p)), 0) / probabilities.length;
      return [id, { probability: 1 / (1 + Math.exp(-logOdds)), forecasters: probabilities.length }];
    }),
  );
}

function predictionJson(row: PredictionRow, team: { probability: number; forecasters: number } | undefined) {
  return {
    ...row,
    deadline: row.deadline.toISOString(),
    resolvedAt: iso(row.resolvedAt),
    outcomeOccurredAt: iso(row.outcomeOccurredAt),
    dueAt: iso(row.dueAt),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    teamProbability: team?.probability ?? null,
    teamForecasters: team?.forecasters ?? 0,
  };
}

async function listPredictions(pool: pg.Pool): Promise<unknown> {
  const limit = 50;
  const { rows } = await pool.query<PredictionRow>(`SELECT ${PREDICTION_COLUMNS} FROM "Prediction" p ORDER BY p."id" LIMIT $1`, [limit + 1]);
  const page = rows.slice(0, limit);
  const teamById = await teams(pool, page.map((row) => row.id));
  return { items: page.map((row) => predictionJson(row, teamById.get(row.id))), nextCursor: rows.length > limit ? Buffer.from(page.at(-1)!.id).toString('base64url') : null };
}

async function scorecard(pool: pg.Pool, idOrSlug: string): Promise<unknown> {
  const now = Date.now();
  const { rows } = await pool.query<PredictionRow>(`SELECT ${PREDICTION_COLUMNS} FROM "Prediction" WHERE ${UUID.test(idOrSlug) ? '"id" = $1::uuid' : '"slug" = $1'}`, [idOrSlug]);
  const prediction = rows[0];
  if (!prediction) throw new HttpError(404, 'no prediction');
  const at = (days: number) => new Date(now - days * DAY_MS).toISOString();
  const pastProbability = `(SELECT "probabilityAfter" FROM "AuditEntry" WHERE "predictionId" = $1::uuid AND "createdAt" <= $X ORDER BY "createdAt" DESC, "sequence" DESC LIMIT 1)`;
  const [past, top, indicators, teamById] = await Promise.all([
    pool.query<{ d7: number | null; d30: number | null; d90: number | null }>(
      `SELECT ${pastProbability.replace('$X', '$2')} AS "d7", ${pastProbability.replace('$X', '$3')} AS "d30", ${pastProbability.replace('$X', '$4')} AS "d90"`,
      [prediction.id, at(7), at(30), at(90)],
    ),
    pool.query<{ evidenceId: string; summary: string; sourceUrl: string | null; observedAt: Date; likelihoodRatio: number; reliability: number; deltaLogOdds: number }>(
      // Bellwether's query: candidates from both ends of the (predictionId, deltaLogOdds) index, then their evidence
      // (the bench retracts nothing, so the first round always settles).
      `WITH candidate AS MATERIALIZED (
         (SELECT "evidenceId", "likelihoodRatio", "reliability", "deltaLogOdds" FROM "EvidenceImpact"
           WHERE "predictionId" = $1::uuid ORDER BY "deltaLogOdds" DESC LIMIT ${TOP_EVIDENCE})
         UNION ALL
         (SELECT "evidenceId", "likelihoodRatio", "reliability", "deltaLogOdds" FROM "EvidenceImpact"
           WHERE "predictionId" = $1::uuid ORDER BY "deltaLogOdds" ASC LIMIT ${TOP_EVIDENCE})
       )
       SELECT e."id"::text AS "evidenceId", e."summary", e."sourceUrl", e."observedAt", c."likelihoodRatio", c."reliability", c."deltaLogOdds"
         FROM candidate c JOIN "Evidence" e ON e."id" = c."evidenceId" WHERE e."retractedAt" IS NULL`,
      [prediction.id],
    ),
    pool.query<{ indicatorId: string; slug: string; name: string; unit: string; threshold: number; likelihoodRatioUp: number; likelihoodRatioDown: number; value: number | null; observedAt: Date | null }>(
      `SELECT i."id"::text AS "indicatorId", i."slug", i."name", i."unit", l."threshold", l."likelihoodRatioUp", l."likelihoodRatioDown", r."value", r."observedAt"
         FROM "IndicatorLink" l JOIN "Indicator" i ON i."id" = l."indicatorId"
         LEFT JOIN LATERAL (SELECT "value", "observedAt" FROM "IndicatorReading" WHERE "indicatorId" = i."id" ORDER BY "observedAt" DESC LIMIT 1) r ON true
        WHERE l."predictionId" = $1::uuid ORDER BY l."createdAt"`,
      [prediction.id],
    ),
    teams(pool, [prediction.id]),
  ]);
  const seen = new Set<string>();
  const topEvidence = top.rows
    .filter((row) => !seen.has(row.evidenceId) && seen.add(row.evidenceId))
    .sort((a, b) => Math.abs(b.deltaLogOdds) - Math.abs(a.deltaLogOdds))
    .slice(0, TOP_EVIDENCE)
    .map((row) => ({ ...row, observedAt: row.observedAt.toISOString(), afterTheFact: false }));
  const change = (value: number | null | undefined) => prediction.probability - (value ?? prediction.prior);
  const timeLeftMs = Math.max(0, prediction.deadline.getTime() - now);
  const team = teamById.get(prediction.id);
  return {
    id: prediction.id,
    slug: prediction.slug,
    title: prediction.title,
    status: prediction.status,
    prior: prediction.prior,
    probability: prediction.probability,
    change: { d7: change(past.rows[0]?.d7), d30: change(past.rows[0]?.d30), d90: change(past.rows[0]?.d90) },
    topEvidence,
    indicators: indicators.rows.map(({ value, observedAt, ...link }) => ({
      ...link,
      latestReading: value === null || observedAt === null ? null : { value, observedAt: observedAt.toISOString() },
    })),
    deadline: prediction.deadline.toISOString(),
    timeLeftMs,
    timeLeftDays: Math.floor(timeLeftMs / DAY_MS),
    resolvedAt: iso(prediction.resolvedAt),
    scores: null,
    team: team ? { probability: team.probability, forecasters: team.forecasters } : null,
    tracks: [],
  };
}

export async function startBareServer(databaseUrl: string, signingKey: string, port = 0): Promise<{ origin: string; close(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const key = headKey(signingKey);
  const server = http.createServer((request, response) => {
    void (async () => {
      try {
        const caller = await authenticate(pool, request.headers.authorization);
        const path = (request.url ?? '/').split('?')[0]!;
        let status = 200;
        let result: unknown;
        if (request.method === 'POST' && path === '/v1/evidence') {
          if (caller.role === 'viewer') throw new HttpError(403, 'analyst role needed');
          result = await recordEvidence(pool, key, (await readJson(request)) as EvidenceBody, `apikey:${caller.id}`);
          status = 201;
        } else if (request.method === 'GET' && path === '/v1/predictions') {
          result = await listPredictions(pool);
        } else {
          const match = /^\/v1\/predictions\/([^/]+)\/scorecard$/.exec(path);
          if (request.method !== 'GET' || !match) throw new HttpError(404, 'no route');
          result = await scorecard(pool, decodeURIComponent(match[1]!));
        }
        const json = JSON.stringify(result);
        response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) }).end(json);
      } catch (error) {
        const status = error instanceof HttpError ? error.status : 500;
        const json = JSON.stringify({ status, detail: (error as Error).message });
        request.resume();
        response.writeHead(status, { 'content-type': 'application/problem+json' }).end(json);
      }
    })();
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}

// Started as a process of its own by the HTTP bench.
if (process.argv[1]?.endsWith('bare-server.js') && process.env.DATABASE_URL && process.env.AUDIT_SIGNING_KEY) {
  const { origin } = await startBareServer(process.env.DATABASE_URL, process.env.AUDIT_SIGNING_KEY, Number(process.env.PORT ?? 0));
  process.stdout.write(`listening on ${origin}\n`);
}
