/**
 * The sandbox behaviour modes a test run uses: `SANDBOX_MODES` (`name=value,...`, sandbox/README.md
 * "Behaviour modes"), set per project by the mode matrix in vitest.config.ts or by hand:
 *
 *   SANDBOX_MODES=partialCancel=cancelled npx vitest run test/integration/orders/refunds
 *
 * Unset: every mode at its default. A bad name or value fails the run, naming what is allowed.
 */
import { parseModes, type SandboxModes } from "../../sandbox/index.js";

export function sandboxModesFromEnv(): Partial<SandboxModes> {
  return parseModes(process.env.SANDBOX_MODES);
}

/**
 * The mode matrix: the project's tests of the paths iamport's undocumented behaviour touches
 * (billing keys, charges, refunds, verification, the ledger, the iamport client) run once more
 * under each entry. Every non-default value of every mode is in one entry; values that interact
 * (a declined charge's record and the reuse of its merchant_uid) share one. The default run is
 * the plain `npm test`.
 */
export const MODE_MATRIX: ReadonlyArray<{ name: string; modes: string }> = [
  {
    name: "modes-a",
    modes:
      "partialCancel=cancelled,againDecline=refused,unknownCustomer=http-404,againAmount=charged,sandboxLookup=returned",
  },
  {
    name: "modes-b",
    modes:
      "partialCancel=stays-paid-webhook-paid,againDecline=refused-with-record,failedMerchantUid=refused,unknownCustomer=code-1-newer-message",
  },
];

/** The test files the matrix runs again under each entry. */
export const MODE_MATRIX_FILES = [
  "test/integration/billing/**/*.test.ts",
  "test/integration/orders/**/*.test.ts",
  "test/integration/ledger/**/*.test.ts",
  "test/integration/iamport/**/*.test.ts",
];
