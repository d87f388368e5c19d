-- Evidence that reports one event is one story, and a story counts once per prediction: as its
-- strongest live item (docs/confidence.md). Evidence recorded before stories is each its own story,
-- under its own id, counting exactly what its entries moved.
ALTER TABLE "Evidence" ADD COLUMN "storyId" UUID;
ALTER TABLE "Evidence" ADD COLUMN "namedStoryId" UUID;
ALTER TABLE "Evidence" ADD COLUMN "canonicalUrl" TEXT;
ALTER TABLE "Evidence" ADD COLUMN "independenceReason" TEXT;

UPDATE "Evidence" SET "storyId" = "id";
ALTER TABLE "Evidence" ALTER COLUMN "storyId" SET NOT NULL;

CREATE INDEX "Evidence_storyId_idx" ON "Evidence"("storyId");
CREATE INDEX "Evidence_namedStoryId_idx" ON "Evidence"("namedStoryId");
CREATE INDEX "Evidence_canonicalUrl_idx" ON "Evidence"("canonicalUrl");

CREATE TABLE "EvidenceStoryImpact" (
    "id" UUID NOT NULL,
    "storyId" UUID NOT NULL,
    "predictionId" UUID NOT NULL,
    "strongestEvidenceId" UUID,
    "strongestDeltaLogOdds" DOUBLE PRECISION NOT NULL,
    "appliedDeltaLogOdds" DOUBLE PRECISION NOT NULL,
    "liveItems" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EvidenceStoryImpact_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "EvidenceStoryImpact_storyId_predictionId_key" ON "EvidenceStoryImpact"("storyId", "predictionId");
CREATE INDEX "EvidenceStoryImpact_predictionId_idx" ON "EvidenceStoryImpact"("predictionId");
CREATE INDEX "EvidenceStoryImpact_strongestEvidenceId_idx" ON "EvidenceStoryImpact"("strongestEvidenceId");

ALTER TABLE "EvidenceStoryImpact" ADD CONSTRAINT "EvidenceStoryImpact_predictionId_fkey" FOREIGN KEY ("predictionId") REFERENCES "Prediction"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "EvidenceStoryImpact" ADD CONSTRAINT "EvidenceStoryImpact_strongestEvidenceId_fkey" FOREIGN KEY ("strongestEvidenceId") REFERENCES "Evidence"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Each earlier impact is a story of one item (the row takes the impact's id): it adds what its entry
-- moved, or nothing once retracted (its retraction moved the same back).
INSERT INTO "EvidenceStoryImpact" ("id", "storyId", "predictionId", "strongestEvidenceId", "strongestDeltaLogOdds", "appliedDeltaLogOdds", "liveItems", "createdAt", "updatedAt")
SELECT impact."id", evidence."id", impact."predictionId",
       CASE WHEN evidence."retractedAt" IS NULL THEN evidence."id" END,
       CASE WHEN evidence."retractedAt" IS NULL THEN impact."deltaLogOdds" ELSE 0 END,
       CASE WHEN evidence."retractedAt" IS NULL THEN impact."deltaLogOdds" ELSE 0 END,
       CASE WHEN evidence."retractedAt" IS NULL THEN 1 ELSE 0 END,
       impact."createdAt", coalesce(evidence."retractedAt", impact."createdAt")
  FROM "EvidenceImpact" AS impact JOIN "Evidence" AS evidence ON evidence."id" = impact."evidenceId";
