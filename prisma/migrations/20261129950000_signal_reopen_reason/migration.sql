-- An item back in the inbox because its evidence was retracted says so, and why.
ALTER TABLE "SignalItem" ADD COLUMN "reopenedAt" TIMESTAMP(3),
                         ADD COLUMN "reopenReason" TEXT;
