-- Fetch scheduling that scales with workers.
--
-- A due source is claimed by the scheduler for its due time: fetchClaimedFor holds the
-- nextFetchAt it was claimed for and fetchClaimExpiresAt when the claim lapses. Any change
-- of nextFetchAt (a fetch, a deferral, an edit) voids the claim without touching it, so the
-- fetch itself never has to release it; a claim whose job was lost lapses by itself.
ALTER TABLE "Source" ADD COLUMN "fetchClaimedFor" TIMESTAMP(3),
ADD COLUMN "fetchClaimExpiresAt" TIMESTAMP(3);

-- Per-host politeness across the cluster when BullMQ runs on PostgreSQL (no Redis): one row
-- per request in flight to a host, each with a lease so a killed worker's slots come back.
CREATE TABLE "HostFetchSlot" (
    "host" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "HostFetchSlot_pkey" PRIMARY KEY ("host","token")
);

-- A host that answered 429 or 503 is left alone until blockedUntil, for every source on it.
CREATE TABLE "HostFetchBackoff" (
    "host" TEXT NOT NULL,
    "blockedUntil" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "HostFetchBackoff_pkey" PRIMARY KEY ("host")
);

-- Scheduled fetches per process and outcome, flushed by each process every few seconds;
-- /metrics sums them into a counter (the workers serve no HTTP).
CREATE TABLE "SourceFetchCount" (
    "processId" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "fetches" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SourceFetchCount_pkey" PRIMARY KEY ("processId","outcome")
);

-- Takes one of a host's request slots in one round trip: refused while the host is backing
-- off (blocked_until_ms says until when) or while p_limit slots are held. Serialised per host
-- by a transaction-scoped advisory lock; expired slots are reclaimed on the way.
CREATE FUNCTION acquire_host_fetch_slot(p_host text, p_token text, p_limit integer, p_lease_ms integer)
RETURNS TABLE (acquired boolean, blocked_until_ms bigint)
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
  v_now timestamp(3) := clock_timestamp() AT TIME ZONE 'UTC';
  v_blocked timestamp(3);
  v_held integer;
BEGIN
  SELECT "blockedUntil" INTO v_blocked FROM "HostFetchBackoff" WHERE "host" = p_host;
  IF v_blocked IS NOT NULL AND v_blocked > v_now THEN
    RETURN QUERY SELECT false, (extract(epoch FROM v_blocked) * 1000)::bigint;
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('bellwether:host-fetch-slot'), hashtext(p_host));
  DELETE FROM "HostFetchSlot" WHERE "host" = p_host AND "expiresAt" <= v_now;
  SELECT count(*) INTO v_held FROM "HostFetchSlot" WHERE "host" = p_host;
  IF v_held >= p_limit THEN
    RETURN QUERY SELECT false, NULL::bigint;
    RETURN;
  END IF;
  INSERT INTO "HostFetchSlot" ("host", "token", "expiresAt") VALUES (p_host, p_token, v_now + p_lease_ms * interval '1 millisecond');
  RETURN QUERY SELECT true, NULL::bigint;
END;
$$;
