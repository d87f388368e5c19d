-- Stories: signal items that report one event (docs/rules-and-search.md#stories). Each item belongs to one
-- story; the inbox shows a story once and accepting it records one evidence item for all its items.
CREATE TYPE "StoryStatus" AS ENUM ('open', 'accepted', 'rejected');
CREATE TYPE "StoryItemChangeKind" AS ENUM ('linked', 'split');

CREATE TABLE "Story" (
    "id" UUID NOT NULL,
    "status" "StoryStatus" NOT NULL DEFAULT 'open',
    "evidenceId" UUID,
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),
    "rejectionReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Story_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Story_evidenceId_key" ON "Story"("evidenceId");

CREATE TABLE "StoryItemChange" (
    "id" UUID NOT NULL,
    "storyId" UUID NOT NULL,
    "signalItemId" UUID NOT NULL,
    "kind" "StoryItemChangeKind" NOT NULL,
    "fromStoryId" UUID NOT NULL,
    "actor" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StoryItemChange_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "StoryItemChange_storyId_idx" ON "StoryItemChange"("storyId");
CREATE INDEX "StoryItemChange_signalItemId_idx" ON "StoryItemChange"("signalItemId");
ALTER TABLE "StoryItemChange" ADD CONSTRAINT "StoryItemChange_storyId_fkey" FOREIGN KEY ("storyId") REFERENCES "Story"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "SignalItem" ADD COLUMN "storyId" UUID;
ALTER TABLE "SignalItem" ADD COLUMN "canonicalUrl" TEXT;
ALTER TABLE "SignalItem" ADD COLUMN "storyAt" TIMESTAMP(3);
ALTER TABLE "SignalItem" ADD COLUMN "storyKeys" INTEGER[] DEFAULT ARRAY[]::INTEGER[];
ALTER TABLE "SignalItem" ADD COLUMN "storySignature" JSONB;

-- Every item stored before stories is a story of its own, under its own id, decided as the item was.
-- They are left out of grouping (no keys): only items stored from now on are compared.
INSERT INTO "Story" ("id", "status", "evidenceId", "decidedBy", "decidedAt", "rejectionReason", "createdAt", "updatedAt")
SELECT "id",
       CASE "status" WHEN 'accepted' THEN 'accepted'::"StoryStatus" WHEN 'rejected' THEN 'rejected'::"StoryStatus" ELSE 'open'::"StoryStatus" END,
       "evidenceId",
       CASE WHEN "status" IN ('accepted', 'rejected') THEN "reviewedBy" END,
       CASE WHEN "status" IN ('accepted', 'rejected') THEN "reviewedAt" END,
       "rejectionReason", "createdAt", coalesce("reviewedAt", "createdAt")
  FROM "SignalItem";
UPDATE "SignalItem" SET "storyId" = "id", "storyAt" = least(coalesce("publishedAt", "createdAt"), "createdAt");

CREATE INDEX "SignalItem_storyId_idx" ON "SignalItem"("storyId");
CREATE INDEX "SignalItem_storyAt_idx" ON "SignalItem"("storyAt");
-- The candidate search: items sharing a key (&&), within the window (storyAt).
CREATE INDEX "SignalItem_storyKeys_idx" ON "SignalItem" USING GIN ("storyKeys");
ALTER TABLE "SignalItem" ADD CONSTRAINT "SignalItem_storyId_fkey" FOREIGN KEY ("storyId") REFERENCES "Story"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
