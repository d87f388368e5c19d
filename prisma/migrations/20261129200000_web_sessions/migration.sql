-- Sessions of the web app: signing in with an API key sets a cookie holding a random token;
-- the row keeps only its sha256, the key it stands for and the form (CSRF) token of the session.
-- Revoking the key ends its sessions at their next request (the key is checked on every one).
CREATE TABLE "WebSession" (
    "id" TEXT NOT NULL,
    "apiKeyId" UUID NOT NULL,
    "csrfToken" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WebSession_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "WebSession_apiKeyId_idx" ON "WebSession"("apiKeyId");
CREATE INDEX "WebSession_expiresAt_idx" ON "WebSession"("expiresAt");

ALTER TABLE "WebSession" ADD CONSTRAINT "WebSession_apiKeyId_fkey" FOREIGN KEY ("apiKeyId") REFERENCES "ApiKey"("id") ON DELETE CASCADE ON UPDATE CASCADE;
