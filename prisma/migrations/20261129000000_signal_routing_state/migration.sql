-- A signal item is stored first and routed by the rules after; routedAt records that the
-- second step happened, so an item left unrouted by a crash between the two is found and
-- routed on the next pass instead of staying "unmatched" for good.
ALTER TABLE "SignalItem" ADD COLUMN "routedAt" TIMESTAMP(3);

-- Items stored before this column existed count as routed: which of them a crash interrupted
-- cannot be told now.
UPDATE "SignalItem" SET "routedAt" = "createdAt";

-- Not expressible in schema.prisma (a partial index): the few items still waiting for routing.
CREATE INDEX "SignalItem_unrouted_idx" ON "SignalItem"("sourceId", "createdAt") WHERE "routedAt" IS NULL;
