-- Items no rule matched but that resemble items analysts accepted (libs/signals/src/signal-suggestion-model.ts).
-- Not used in this transaction, so ADD VALUE may run inside it.
ALTER TYPE "SignalStatus" ADD VALUE 'suggested';

-- How well the item matched: the best ts_rank_cd among the rules it matched (pending), or the
-- suggestion model's probability (suggested); the inbox orders by it and by recency.
ALTER TABLE "SignalItem" ADD COLUMN "relevance" DOUBLE PRECISION;

-- What the suggestion model proposes for a suggested item: one entry per prediction, with the
-- probability and the terms that weighed most.
ALTER TABLE "SignalItem" ADD COLUMN "suggestions" JSONB NOT NULL DEFAULT '[]';

-- An item yields at most one live evidence record: once its evidence is retracted the item is
-- pending again and accepting it anew records new evidence. The retracted record keeps its link.
DROP INDEX "Evidence_signalItemId_key";
CREATE UNIQUE INDEX "Evidence_signalItemId_key" ON "Evidence"("signalItemId") WHERE "retractedAt" IS NULL;
