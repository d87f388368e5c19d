-- The learned routing model: every version stored with its evaluation; one is active.
CREATE TYPE "RoutingModelStatus" AS ENUM ('active', 'rejected', 'retired');

CREATE TABLE "RoutingModel" (
    "id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "status" "RoutingModelStatus" NOT NULL,
    "trainedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "examples" INTEGER NOT NULL,
    "evaluation" JSONB NOT NULL,
    "model" JSONB NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "RoutingModel_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "RoutingModel_version_key" ON "RoutingModel"("version");
-- At most one active version: a retrain that wins retires the old one in the same transaction.
CREATE UNIQUE INDEX "RoutingModel_one_active" ON "RoutingModel"("status") WHERE "status" = 'active';

-- Per target, who routed an item there (a rule, the model or both), the model's score, the
-- proposed direction, the words and the impacts accepting records. It replaces the suggestion
-- model's "suggestions": a suggested item's suggestions become model routes to their predictions.
ALTER TABLE "SignalItem" ADD COLUMN "routes" JSONB NOT NULL DEFAULT '[]';

UPDATE "SignalItem" AS item
SET "routes" = (
  SELECT coalesce(jsonb_agg(jsonb_build_object(
    'target', coalesce(s->>'predictionSlug', s->>'prediction'),
    'targetKind', 'prediction',
    'targetId', s->>'prediction',
    'via', 'model',
    'score', s->'probability',
    'direction', s->>'direction',
    'terms', coalesce(s->'terms', '[]'::jsonb),
    'cue', NULL,
    'impacts', jsonb_build_array(jsonb_build_object(
      'prediction', s->>'prediction', 'predictionSlug', s->'predictionSlug', 'direction', s->>'direction', 'strength', s->>'strength'))
  )), '[]'::jsonb)
  FROM jsonb_array_elements(item."suggestions") AS s
)
WHERE jsonb_typeof(item."suggestions") = 'array' AND jsonb_array_length(item."suggestions") > 0;

ALTER TABLE "SignalItem" DROP COLUMN "suggestions";
