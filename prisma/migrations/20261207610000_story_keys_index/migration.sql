-- Grouping searches the story keys' index once per stored item: with fast update, every search also read
-- the index's pending list of entries not yet merged (tens of milliseconds once thousands of items were
-- waiting in it). Entries now go straight into the index. The window is read as a filter, never through an
-- index of its own (the keys narrow far more), so that index only cost every insert.
ALTER INDEX "SignalItem_storyKeys_idx" SET (fastupdate = off);
DROP INDEX "SignalItem_storyAt_idx";
