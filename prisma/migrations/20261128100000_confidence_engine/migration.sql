-- CreateIndex
CREATE INDEX "EvidenceImpact_predictionId_deltaLogOdds_idx" ON "EvidenceImpact"("predictionId", "deltaLogOdds");
CREATE INDEX "AuditEntry_predictionId_createdAt_idx" ON "AuditEntry"("predictionId", "createdAt");
CREATE INDEX "Evidence_indicatorReadingId_idx" ON "Evidence"("indicatorReadingId");

-- A quiet day is applied at most once per prediction and UTC day, however many
-- workers run the job: the second insert fails and its transaction rolls back.
-- Not expressible in schema.prisma (a partial index over a JSON expression).
CREATE UNIQUE INDEX "AuditEntry_quiet_day_once_per_day" ON "AuditEntry"("predictionId", ("detail"->>'day')) WHERE "kind" = 'quiet_day';
