-- CreateEnum
CREATE TYPE "ApiKeyRole" AS ENUM ('viewer', 'analyst', 'admin');
CREATE TYPE "PredictionStatus" AS ENUM ('open', 'due', 'resolved_true', 'resolved_false', 'annulled');
CREATE TYPE "AuditKind" AS ENUM ('prior', 'evidence', 'retraction', 'override', 'quiet_day', 'resolution', 'resolution_undone');
CREATE TYPE "SourceKind" AS ENUM ('feed', 'json', 'csv');
CREATE TYPE "SignalStatus" AS ENUM ('pending', 'accepted', 'rejected', 'unmatched');
CREATE TYPE "DeliveryStatus" AS ENUM ('pending', 'succeeded', 'failed', 'dead');
CREATE TYPE "DigestFrequency" AS ENUM ('daily', 'weekly');

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "role" "ApiKeyRole" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Prediction" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "statement" TEXT NOT NULL,
    "resolutionCriteria" TEXT NOT NULL,
    "prior" DOUBLE PRECISION NOT NULL,
    "priorLogOdds" DOUBLE PRECISION NOT NULL,
    "logOdds" DOUBLE PRECISION NOT NULL,
    "probability" DOUBLE PRECISION NOT NULL,
    "status" "PredictionStatus" NOT NULL DEFAULT 'open',
    "deadline" TIMESTAMP(3) NOT NULL,
    "eventByDeadline" BOOLEAN NOT NULL DEFAULT false,
    "auditSequence" INTEGER NOT NULL DEFAULT 0,
    "auditHash" TEXT NOT NULL,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "resolvedAt" TIMESTAMP(3),
    "outcomeOccurredAt" TIMESTAMP(3),
    "resolutionNote" TEXT,
    "resolutionSourceUrl" TEXT,
    "dueAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Prediction_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "PredictionRevision" (
    "id" UUID NOT NULL,
    "predictionId" UUID NOT NULL,
    "revision" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "statement" TEXT NOT NULL,
    "resolutionCriteria" TEXT NOT NULL,
    "editedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PredictionRevision_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Indicator" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "unit" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Indicator_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "IndicatorLink" (
    "id" UUID NOT NULL,
    "indicatorId" UUID NOT NULL,
    "predictionId" UUID NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "likelihoodRatioUp" DOUBLE PRECISION NOT NULL,
    "likelihoodRatioDown" DOUBLE PRECISION NOT NULL,
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "IndicatorLink_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "IndicatorReading" (
    "id" UUID NOT NULL,
    "indicatorId" UUID NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "observedAt" TIMESTAMP(3) NOT NULL,
    "note" TEXT,
    "sourceUrl" TEXT,
    "sourceId" UUID,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "IndicatorReading_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Evidence" (
    "id" UUID NOT NULL,
    "summary" TEXT NOT NULL,
    "sourceUrl" TEXT,
    "observedAt" TIMESTAMP(3) NOT NULL,
    "reliability" DOUBLE PRECISION NOT NULL,
    "actor" TEXT NOT NULL,
    "indicatorReadingId" UUID,
    "signalItemId" UUID,
    "retractedAt" TIMESTAMP(3),
    "retractionReason" TEXT,
    "retractedBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Evidence_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "EvidenceImpact" (
    "id" UUID NOT NULL,
    "evidenceId" UUID NOT NULL,
    "predictionId" UUID NOT NULL,
    "likelihoodRatio" DOUBLE PRECISION NOT NULL,
    "reliability" DOUBLE PRECISION NOT NULL,
    "deltaLogOdds" DOUBLE PRECISION NOT NULL,
    "direction" TEXT,
    "strength" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "EvidenceImpact_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "AuditEntry" (
    "id" UUID NOT NULL,
    "predictionId" UUID NOT NULL,
    "sequence" INTEGER NOT NULL,
    "kind" "AuditKind" NOT NULL,
    "evidenceId" UUID,
    "logOddsBefore" DOUBLE PRECISION NOT NULL,
    "deltaLogOdds" DOUBLE PRECISION NOT NULL,
    "logOddsAfter" DOUBLE PRECISION NOT NULL,
    "probabilityBefore" DOUBLE PRECISION NOT NULL,
    "probabilityAfter" DOUBLE PRECISION NOT NULL,
    "actor" TEXT NOT NULL,
    "reason" TEXT,
    "detail" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Source" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "SourceKind" NOT NULL,
    "url" TEXT NOT NULL,
    "schedule" TEXT,
    "intervalSeconds" INTEGER,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "indicatorId" UUID,
    "jsonPointer" TEXT,
    "csvValueColumn" TEXT,
    "csvTimeColumn" TEXT,
    "etag" TEXT,
    "lastModified" TEXT,
    "minIntervalSeconds" INTEGER,
    "lastFetchedAt" TIMESTAMP(3),
    "lastSuccessAt" TIMESTAMP(3),
    "lastError" TEXT,
    "failureStreak" INTEGER NOT NULL DEFAULT 0,
    "nextFetchAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Source_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "SignalItem" (
    "id" UUID NOT NULL,
    "sourceId" UUID,
    "dedupeKey" TEXT NOT NULL,
    "externalId" TEXT,
    "url" TEXT,
    "title" TEXT NOT NULL,
    "summary" TEXT,
    "publishedAt" TIMESTAMP(3),
    "contentHash" TEXT NOT NULL,
    "status" "SignalStatus" NOT NULL,
    "matches" JSONB NOT NULL DEFAULT '[]',
    "rejectionReason" TEXT,
    "evidenceId" UUID,
    "reviewedBy" TEXT,
    "reviewedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SignalItem_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Rule" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "allTerms" TEXT[],
    "anyTerms" TEXT[],
    "noneTerms" TEXT[],
    "sourceIds" TEXT[],
    "indicatorId" UUID,
    "impacts" JSONB NOT NULL DEFAULT '[]',
    "autoAccept" BOOLEAN NOT NULL DEFAULT false,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Rule_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "WebhookEndpoint" (
    "id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "events" TEXT[],
    "description" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "failureStreak" INTEGER NOT NULL DEFAULT 0,
    "disabledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "WebhookEndpoint_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "WebhookDelivery" (
    "id" UUID NOT NULL,
    "endpointId" UUID NOT NULL,
    "outboxEventId" UUID NOT NULL,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "responseCode" INTEGER,
    "latencyMs" INTEGER,
    "lastError" TEXT,
    "nextAttemptAt" TIMESTAMP(3),
    "deliveredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "OutboxEvent" (
    "id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "predictionId" UUID,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dispatchedAt" TIMESTAMP(3),
    CONSTRAINT "OutboxEvent_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Subscriber" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "frequency" "DigestFrequency" NOT NULL DEFAULT 'daily',
    "predictionIds" TEXT[],
    "unsubscribeToken" TEXT NOT NULL,
    "unsubscribedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Subscriber_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "DigestRun" (
    "id" UUID NOT NULL,
    "subscriberId" UUID NOT NULL,
    "periodStart" TIMESTAMP(3) NOT NULL,
    "periodEnd" TIMESTAMP(3) NOT NULL,
    "entryCount" INTEGER NOT NULL DEFAULT 0,
    "sentAt" TIMESTAMP(3),
    "messageId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DigestRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_prefix_key" ON "ApiKey"("prefix");
CREATE UNIQUE INDEX "Prediction_slug_key" ON "Prediction"("slug");
CREATE UNIQUE INDEX "PredictionRevision_predictionId_revision_key" ON "PredictionRevision"("predictionId", "revision");
CREATE UNIQUE INDEX "Indicator_slug_key" ON "Indicator"("slug");
CREATE UNIQUE INDEX "IndicatorLink_indicatorId_predictionId_threshold_key" ON "IndicatorLink"("indicatorId", "predictionId", "threshold");
CREATE INDEX "IndicatorReading_indicatorId_observedAt_idx" ON "IndicatorReading"("indicatorId", "observedAt");
CREATE UNIQUE INDEX "Evidence_signalItemId_key" ON "Evidence"("signalItemId");
CREATE INDEX "Evidence_observedAt_idx" ON "Evidence"("observedAt");
CREATE UNIQUE INDEX "EvidenceImpact_evidenceId_predictionId_key" ON "EvidenceImpact"("evidenceId", "predictionId");
CREATE INDEX "EvidenceImpact_predictionId_idx" ON "EvidenceImpact"("predictionId");
CREATE UNIQUE INDEX "AuditEntry_predictionId_sequence_key" ON "AuditEntry"("predictionId", "sequence");
CREATE INDEX "AuditEntry_evidenceId_idx" ON "AuditEntry"("evidenceId");
CREATE INDEX "Source_enabled_nextFetchAt_idx" ON "Source"("enabled", "nextFetchAt");
CREATE UNIQUE INDEX "SignalItem_dedupeKey_key" ON "SignalItem"("dedupeKey");
CREATE UNIQUE INDEX "SignalItem_evidenceId_key" ON "SignalItem"("evidenceId");
CREATE INDEX "SignalItem_status_createdAt_idx" ON "SignalItem"("status", "createdAt");
CREATE UNIQUE INDEX "Rule_name_key" ON "Rule"("name");
CREATE UNIQUE INDEX "WebhookDelivery_endpointId_outboxEventId_key" ON "WebhookDelivery"("endpointId", "outboxEventId");
CREATE INDEX "WebhookDelivery_status_nextAttemptAt_idx" ON "WebhookDelivery"("status", "nextAttemptAt");
CREATE INDEX "OutboxEvent_dispatchedAt_createdAt_idx" ON "OutboxEvent"("dispatchedAt", "createdAt");
CREATE UNIQUE INDEX "Subscriber_email_key" ON "Subscriber"("email");
CREATE UNIQUE INDEX "Subscriber_unsubscribeToken_key" ON "Subscriber"("unsubscribeToken");
CREATE UNIQUE INDEX "DigestRun_subscriberId_periodStart_key" ON "DigestRun"("subscriberId", "periodStart");

-- AddForeignKey
ALTER TABLE "PredictionRevision" ADD CONSTRAINT "PredictionRevision_predictionId_fkey" FOREIGN KEY ("predictionId") REFERENCES "Prediction"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "IndicatorLink" ADD CONSTRAINT "IndicatorLink_indicatorId_fkey" FOREIGN KEY ("indicatorId") REFERENCES "Indicator"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "IndicatorLink" ADD CONSTRAINT "IndicatorLink_predictionId_fkey" FOREIGN KEY ("predictionId") REFERENCES "Prediction"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "IndicatorReading" ADD CONSTRAINT "IndicatorReading_indicatorId_fkey" FOREIGN KEY ("indicatorId") REFERENCES "Indicator"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Evidence" ADD CONSTRAINT "Evidence_indicatorReadingId_fkey" FOREIGN KEY ("indicatorReadingId") REFERENCES "IndicatorReading"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "EvidenceImpact" ADD CONSTRAINT "EvidenceImpact_evidenceId_fkey" FOREIGN KEY ("evidenceId") REFERENCES "Evidence"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "EvidenceImpact" ADD CONSTRAINT "EvidenceImpact_predictionId_fkey" FOREIGN KEY ("predictionId") REFERENCES "Prediction"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "AuditEntry" ADD CONSTRAINT "AuditEntry_predictionId_fkey" FOREIGN KEY ("predictionId") REFERENCES "Prediction"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "AuditEntry" ADD CONSTRAINT "AuditEntry_evidenceId_fkey" FOREIGN KEY ("evidenceId") REFERENCES "Evidence"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "Source" ADD CONSTRAINT "Source_indicatorId_fkey" FOREIGN KEY ("indicatorId") REFERENCES "Indicator"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "SignalItem" ADD CONSTRAINT "SignalItem_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "Rule" ADD CONSTRAINT "Rule_indicatorId_fkey" FOREIGN KEY ("indicatorId") REFERENCES "Indicator"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_endpointId_fkey" FOREIGN KEY ("endpointId") REFERENCES "WebhookEndpoint"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_outboxEventId_fkey" FOREIGN KEY ("outboxEventId") REFERENCES "OutboxEvent"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "OutboxEvent" ADD CONSTRAINT "OutboxEvent_predictionId_fkey" FOREIGN KEY ("predictionId") REFERENCES "Prediction"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "DigestRun" ADD CONSTRAINT "DigestRun_subscriberId_fkey" FOREIGN KEY ("subscriberId") REFERENCES "Subscriber"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The audit trail is append-only: refuse UPDATE and DELETE at the database level,
-- so that no code path (and no one with ordinary access) can rewrite history.
CREATE FUNCTION "audit_entry_is_append_only"() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'AuditEntry is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "AuditEntry_append_only"
  BEFORE UPDATE OR DELETE ON "AuditEntry"
  FOR EACH ROW EXECUTE FUNCTION "audit_entry_is_append_only"();

CREATE TRIGGER "AuditEntry_no_truncate"
  BEFORE TRUNCATE ON "AuditEntry"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_entry_is_append_only"();
