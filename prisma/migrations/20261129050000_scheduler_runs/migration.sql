-- When each recurring job scheduler last ran, kept in PostgreSQL: a queue that lost its
-- schedulers shows as a late scheduler here, in /health/ready and in /metrics.
CREATE TABLE "SchedulerRun" (
    "schedulerId" TEXT NOT NULL,
    "job" TEXT NOT NULL,
    "everyMs" INTEGER NOT NULL,
    "lastRunAt" TIMESTAMP(3),
    "runCount" INTEGER NOT NULL DEFAULT 0,
    "firstAssertedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "stallAnnouncedFor" TIMESTAMP(3),

    CONSTRAINT "SchedulerRun_pkey" PRIMARY KEY ("schedulerId")
);
