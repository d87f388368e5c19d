-- The analysts' own forecasts, beside the model's probability, and the scores of every
-- track (the model, the team aggregate, each analyst) taken at the event time on resolution.
CREATE TYPE "ForecastTrack" AS ENUM ('model', 'team', 'analyst');

CREATE TABLE "Forecast" (
    "id" UUID NOT NULL,
    "predictionId" UUID NOT NULL,
    "forecaster" TEXT NOT NULL,
    "forecasterName" TEXT NOT NULL,
    "probability" DOUBLE PRECISION NOT NULL,
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Forecast_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "Forecast_predictionId_createdAt_idx" ON "Forecast"("predictionId", "createdAt");
CREATE INDEX "Forecast_forecaster_idx" ON "Forecast"("forecaster");

ALTER TABLE "Forecast" ADD CONSTRAINT "Forecast_predictionId_fkey" FOREIGN KEY ("predictionId") REFERENCES "Prediction"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "TrackScore" (
    "id" UUID NOT NULL,
    "predictionId" UUID NOT NULL,
    "track" "ForecastTrack" NOT NULL,
    "forecaster" TEXT NOT NULL DEFAULT '',
    "forecasterName" TEXT NOT NULL DEFAULT '',
    "outcome" INTEGER NOT NULL,
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "probability" DOUBLE PRECISION NOT NULL,
    "brier" DOUBLE PRECISION NOT NULL,
    "logScore" DOUBLE PRECISION NOT NULL,
    "timeAveragedBrier" DOUBLE PRECISION NOT NULL,
    "afterTheFact" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TrackScore_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "TrackScore_predictionId_track_forecaster_key" ON "TrackScore"("predictionId", "track", "forecaster");
CREATE INDEX "TrackScore_forecaster_idx" ON "TrackScore"("forecaster");

ALTER TABLE "TrackScore" ADD CONSTRAINT "TrackScore_predictionId_fkey" FOREIGN KEY ("predictionId") REFERENCES "Prediction"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
