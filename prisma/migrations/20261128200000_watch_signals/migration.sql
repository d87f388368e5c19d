-- Sources: what the last fetch did (items new and duplicate, and what it skipped and why).
ALTER TABLE "Source" ADD COLUMN "lastFetchSummary" JSONB;
