-- Notifications: webhook formats, filters and secret rotation, a log of every delivery
-- attempt, and the subscriber's schedule for digests.

-- A delivery that ran out of retries is "exhausted"; "failed" now means stopped early (410 Gone, endpoint disabled).
ALTER TYPE "DeliveryStatus" RENAME VALUE 'dead' TO 'exhausted';

CREATE TYPE "WebhookFormat" AS ENUM ('standard', 'slack');

ALTER TABLE "WebhookEndpoint"
    ADD COLUMN "previousSecret" TEXT,
    ADD COLUMN "previousSecretExpiresAt" TIMESTAMP(3),
    ADD COLUMN "format" "WebhookFormat" NOT NULL DEFAULT 'standard',
    ADD COLUMN "predictionIds" TEXT[],
    ADD COLUMN "minProbabilityChange" DOUBLE PRECISION,
    ADD COLUMN "failingSince" TIMESTAMP(3),
    ADD COLUMN "lastSuccessAt" TIMESTAMP(3),
    ADD COLUMN "disabledReason" TEXT;

CREATE TABLE "WebhookDeliveryAttempt" (
    "id" UUID NOT NULL,
    "deliveryId" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "succeeded" BOOLEAN NOT NULL,
    "responseCode" INTEGER,
    "latencyMs" INTEGER NOT NULL,
    "responseBody" TEXT,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "WebhookDeliveryAttempt_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "WebhookDeliveryAttempt_deliveryId_createdAt_idx" ON "WebhookDeliveryAttempt"("deliveryId", "createdAt");

ALTER TABLE "WebhookDeliveryAttempt" ADD CONSTRAINT "WebhookDeliveryAttempt_deliveryId_fkey"
    FOREIGN KEY ("deliveryId") REFERENCES "WebhookDelivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Subscriber"
    ADD COLUMN "timezone" TEXT NOT NULL DEFAULT 'UTC',
    ADD COLUMN "sendHour" INTEGER NOT NULL DEFAULT 8,
    ADD COLUMN "sendWeekday" INTEGER NOT NULL DEFAULT 1;

-- Not expressible in schema.prisma (a partial index): the relay's claim query reads only undispatched rows.
CREATE INDEX "OutboxEvent_undispatched_idx" ON "OutboxEvent"("createdAt", "id") WHERE "dispatchedAt" IS NULL;
