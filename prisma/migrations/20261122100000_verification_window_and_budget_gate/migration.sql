-- CreateEnum
CREATE TYPE "VerificationStatus" AS ENUM ('VERIFYING', 'VERIFIED', 'BREACHED', 'UNVERIFIED', 'SUPERSEDED');

-- AlterTable
ALTER TABLE "deployment_runs" ADD COLUMN     "verification" "VerificationStatus",
ADD COLUMN     "verification_note" TEXT,
ADD COLUMN     "verify_until" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "environments" ADD COLUMN     "error_budget_gate" BOOLEAN NOT NULL DEFAULT false;

