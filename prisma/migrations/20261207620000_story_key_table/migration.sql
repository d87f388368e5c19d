-- Story keys move from an array on each item (GIN-indexed) to a row each, keyed by (key, time): reading a common
-- key's GIN entries cost milliseconds per stored item (every version of every row that carried it), while the
-- primary key gives the latest few items of the window per key at the same small cost however common the key is.
-- Rows are written once, with the item, and never updated (an item's later updates no longer touch them).
CREATE TABLE "StoryKey" (
    "key" INTEGER NOT NULL,
    "storyAt" TIMESTAMP(3) NOT NULL,
    "signalItemId" UUID NOT NULL,

    CONSTRAINT "StoryKey_pkey" PRIMARY KEY ("key", "storyAt", "signalItemId")
);

INSERT INTO "StoryKey" ("key", "storyAt", "signalItemId")
SELECT DISTINCT key, item."storyAt", item."id"
  FROM "SignalItem" AS item, unnest(item."storyKeys") AS key
 WHERE item."storyAt" IS NOT NULL;

DROP INDEX "SignalItem_storyKeys_idx";
ALTER TABLE "SignalItem" DROP COLUMN "storyKeys";
