-- A batch stores its items before it takes the grouping lock, so the lock covers only its last comparison and its
-- commit. Its items carry its id (its transaction's) from the insert, and under the lock it takes the next position
-- in commit order: a row here, rather than the number on each item that the one-row clock gave out under the lock
-- (rewriting every item of the batch there cost as much as the rest of the locked work).
CREATE TABLE "StoryGroupingBatch" (
    "position" BIGINT NOT NULL,
    "batch" BIGINT NOT NULL,

    CONSTRAINT "StoryGroupingBatch_pkey" PRIMARY KEY ("position")
);
CREATE UNIQUE INDEX "StoryGroupingBatch_batch_key" ON "StoryGroupingBatch"("batch");

-- Numbers given by the old clock are not batch ids: no item is read through them again.
UPDATE "SignalItem" SET "storyBatch" = NULL WHERE "storyBatch" IS NOT NULL;
DROP TABLE "StoryGroupingClock";
