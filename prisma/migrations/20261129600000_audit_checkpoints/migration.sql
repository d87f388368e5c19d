-- Signed chain heads of the audit trail. Like the trail itself, checkpoints are never
-- changed or removed by the application: a trigger refuses UPDATE, DELETE and TRUNCATE.
CREATE TABLE "AuditCheckpoint" (
    "id" UUID NOT NULL,
    "predictionId" UUID NOT NULL,
    "sequence" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "signedAt" TIMESTAMP(3) NOT NULL,
    "publicKey" TEXT NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "AuditCheckpoint_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "AuditCheckpoint_predictionId_sequence_key" ON "AuditCheckpoint"("predictionId", "sequence");
CREATE INDEX "AuditCheckpoint_signedAt_idx" ON "AuditCheckpoint"("signedAt");

CREATE FUNCTION "table_is_append_only"() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "AuditCheckpoint_append_only"
    BEFORE UPDATE OR DELETE ON "AuditCheckpoint"
    FOR EACH ROW EXECUTE FUNCTION "table_is_append_only"();
CREATE TRIGGER "AuditCheckpoint_no_truncate"
    BEFORE TRUNCATE ON "AuditCheckpoint"
    FOR EACH STATEMENT EXECUTE FUNCTION "table_is_append_only"();
