-- A digest sent on request is a test: it never takes a scheduled period's place.
ALTER TABLE "DigestRun" ADD COLUMN "test" BOOLEAN NOT NULL DEFAULT false;
DROP INDEX "DigestRun_subscriberId_periodStart_key";
CREATE UNIQUE INDEX "DigestRun_subscriberId_periodStart_periodEnd_test_key" ON "DigestRun"("subscriberId", "periodStart", "periodEnd", "test");

-- Adaptive polling, and the WebSub hub a feed names.
ALTER TABLE "Source" ADD COLUMN "pollIntervalSeconds" INTEGER,
ADD COLUMN "pollIntervalReason" TEXT,
ADD COLUMN "hubUrl" TEXT,
ADD COLUMN "topicUrl" TEXT;

CREATE TYPE "WebSubState" AS ENUM ('pending', 'active', 'failed');

CREATE TABLE "WebSubSubscription" (
    "sourceId" UUID NOT NULL,
    "hubUrl" TEXT NOT NULL,
    "topicUrl" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "state" "WebSubState" NOT NULL DEFAULT 'pending',
    "leaseSeconds" INTEGER,
    "requestedAt" TIMESTAMP(3) NOT NULL,
    "verifiedAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3),
    "lastPushAt" TIMESTAMP(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WebSubSubscription_pkey" PRIMARY KEY ("sourceId")
);

CREATE INDEX "WebSubSubscription_state_expiresAt_idx" ON "WebSubSubscription"("state", "expiresAt");

ALTER TABLE "WebSubSubscription" ADD CONSTRAINT "WebSubSubscription_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source"("id") ON DELETE CASCADE ON UPDATE CASCADE;
