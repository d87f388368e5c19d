-- People. Every API key so far becomes a person of its own, named after the key, with the key's
-- role and the key's id (so `apikey:<id>` in the trail and `user:<id>` name the same person), and
-- owns that key. Nothing is deleted; hashed audit entries keep their `apikey:<id>` actors and are
-- read as the key's person.
CREATE TABLE "User" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT,
    "role" "ApiKeyRole" NOT NULL,
    "disabledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

INSERT INTO "User" ("id", "name", "role", "createdAt")
SELECT "id", "name", "role", "createdAt" FROM "ApiKey";

ALTER TABLE "ApiKey" ADD COLUMN "userId" UUID;
UPDATE "ApiKey" SET "userId" = "id";
ALTER TABLE "ApiKey" ALTER COLUMN "userId" SET NOT NULL;
CREATE INDEX "ApiKey_userId_idx" ON "ApiKey"("userId");
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- A web session is a person's; it names a key only when it was opened with one.
ALTER TABLE "WebSession" ADD COLUMN "userId" UUID;
UPDATE "WebSession" AS s SET "userId" = k."userId" FROM "ApiKey" AS k WHERE k."id" = s."apiKeyId";
ALTER TABLE "WebSession" ALTER COLUMN "userId" SET NOT NULL, ALTER COLUMN "apiKeyId" DROP NOT NULL;
CREATE INDEX "WebSession_userId_idx" ON "WebSession"("userId");
ALTER TABLE "WebSession" ADD CONSTRAINT "WebSession_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "SignInLink" (
    "id" TEXT NOT NULL,
    "userId" UUID NOT NULL,
    "nonceHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SignInLink_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "SignInLink_userId_idx" ON "SignInLink"("userId");
CREATE INDEX "SignInLink_expiresAt_idx" ON "SignInLink"("expiresAt");
ALTER TABLE "SignInLink" ADD CONSTRAINT "SignInLink_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Forecasts and their scores are not hashed: they name the person from now on, so the team forecast
-- and the leaderboard count a person once, whichever key they used before or after.
UPDATE "Forecast" AS f SET "forecaster" = 'user:' || k."userId" FROM "ApiKey" AS k WHERE f."forecaster" = 'apikey:' || k."id";
UPDATE "TrackScore" AS t SET "forecaster" = 'user:' || k."userId" FROM "ApiKey" AS k WHERE t."forecaster" = 'apikey:' || k."id";
