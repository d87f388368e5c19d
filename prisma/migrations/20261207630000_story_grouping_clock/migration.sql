-- Grouping searches for an item's partners before it takes the grouping lock, and under the lock compares the
-- item only with what was committed meanwhile: the batches are numbered in commit order (one row, bumped under
-- the lock), and each item records the batch that stored it.
CREATE TABLE "StoryGroupingClock" (
    "id" INTEGER NOT NULL,
    "batch" BIGINT NOT NULL,

    CONSTRAINT "StoryGroupingClock_pkey" PRIMARY KEY ("id")
);
INSERT INTO "StoryGroupingClock" ("id", "batch") VALUES (1, 0);

ALTER TABLE "SignalItem" ADD COLUMN "storyBatch" BIGINT;
CREATE INDEX "SignalItem_storyBatch_idx" ON "SignalItem"("storyBatch");
