-- Every chain head is signed in the transaction that moves it (ChainHeadSignature), with an
-- Ed25519 key kept outside the database. The public keys (AuditSigningKey) and the signed
-- statements by which one key vouches for another (AuditKeyEndorsement: a rotation, each way,
-- or an import) are kept beside them. All three are append-only, like the trail itself.
CREATE TYPE "AuditKeyOrigin" AS ENUM ('local', 'imported');
CREATE TYPE "AuditKeyRelation" AS ENUM ('successor', 'predecessor', 'imported');

CREATE TABLE "ChainHeadSignature" (
    "id" UUID NOT NULL,
    "predictionId" UUID NOT NULL,
    "sequence" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "signedAt" TIMESTAMP(3) NOT NULL,
    "keyId" TEXT NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "ChainHeadSignature_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "ChainHeadSignature_predictionId_sequence_key" ON "ChainHeadSignature"("predictionId", "sequence");

CREATE TABLE "AuditSigningKey" (
    "id" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "origin" "AuditKeyOrigin" NOT NULL,
    "activatedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditSigningKey_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "AuditKeyEndorsement" (
    "id" UUID NOT NULL,
    "endorserKeyId" TEXT NOT NULL,
    "subjectKeyId" TEXT NOT NULL,
    "subjectPublicKey" TEXT NOT NULL,
    "relation" "AuditKeyRelation" NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "AuditKeyEndorsement_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "AuditKeyEndorsement_endorserKeyId_subjectKeyId_relation_key" ON "AuditKeyEndorsement"("endorserKeyId", "subjectKeyId", "relation");

CREATE TRIGGER "ChainHeadSignature_append_only"
    BEFORE UPDATE OR DELETE ON "ChainHeadSignature"
    FOR EACH ROW EXECUTE FUNCTION "table_is_append_only"();
CREATE TRIGGER "ChainHeadSignature_no_truncate"
    BEFORE TRUNCATE ON "ChainHeadSignature"
    FOR EACH STATEMENT EXECUTE FUNCTION "table_is_append_only"();
CREATE TRIGGER "AuditSigningKey_append_only"
    BEFORE UPDATE OR DELETE ON "AuditSigningKey"
    FOR EACH ROW EXECUTE FUNCTION "table_is_append_only"();
CREATE TRIGGER "AuditSigningKey_no_truncate"
    BEFORE TRUNCATE ON "AuditSigningKey"
    FOR EACH STATEMENT EXECUTE FUNCTION "table_is_append_only"();
CREATE TRIGGER "AuditKeyEndorsement_append_only"
    BEFORE UPDATE OR DELETE ON "AuditKeyEndorsement"
    FOR EACH ROW EXECUTE FUNCTION "table_is_append_only"();
CREATE TRIGGER "AuditKeyEndorsement_no_truncate"
    BEFORE TRUNCATE ON "AuditKeyEndorsement"
    FOR EACH STATEMENT EXECUTE FUNCTION "table_is_append_only"();
