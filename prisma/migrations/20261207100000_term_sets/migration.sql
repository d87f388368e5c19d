-- Term sets: named lists of terms (each a word, prefix* or "phrase", English or Chinese) that any
-- rule's query uses as `@name`. Every change bumps `version`; TermSetRevision keeps every version.
CREATE TABLE "TermSet" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "terms" TEXT[],
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedBy" TEXT NOT NULL,
    CONSTRAINT "TermSet_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "TermSetRevision" (
    "id" UUID NOT NULL,
    "termSetId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "terms" TEXT[],
    "description" TEXT NOT NULL,
    "editedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "TermSetRevision_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "TermSet_name_key" ON "TermSet"("name");
CREATE UNIQUE INDEX "TermSetRevision_termSetId_version_key" ON "TermSetRevision"("termSetId", "version");

ALTER TABLE "TermSetRevision" ADD CONSTRAINT "TermSetRevision_termSetId_fkey" FOREIGN KEY ("termSetId") REFERENCES "TermSet"("id") ON DELETE CASCADE ON UPDATE CASCADE;
