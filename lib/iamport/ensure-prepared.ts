/**
 * Idempotent amount pre-registration, for an order creation that may be retried
 * (client retry, Lambda retry, or a first attempt whose POST timed out).
 */
import { IamportApiError, IamportError, IamportOutcomeUnknownError } from "./errors.js";
import type { Prepared } from "./schemas.js";
import type { IamportClient } from "./types.js";

/** The merchant_uid is already registered with a different amount (or currency). */
export class PreparedAmountConflictError extends IamportError {
  override readonly name: string = "PreparedAmountConflictError";
  readonly merchantUid: string;
  readonly requested: { amount: number; currency: string | undefined };
  /** What iamport holds: the window will only open for this amount. */
  readonly existing: Prepared;

  constructor(
    init: {
      merchantUid: string;
      requested: { amount: number; currency?: string };
      existing: Prepared;
    },
    options?: ErrorOptions,
  ) {
    super(
      `merchant_uid is already pre-registered with amount ${init.existing.amount}, not ${init.requested.amount}`,
      "POST /payments/prepare",
      options,
    );
    this.merchantUid = init.merchantUid;
    this.requested = { amount: init.requested.amount, currency: init.requested.currency };
    this.existing = init.existing;
  }
}

/** Two rounds: the second only happens when the first POST's outcome was unknown and nothing was registered. */
const MAX_ROUNDS = 2;

/**
 * Registers `amount` for `merchantUid` unless the same amount is already registered.
 * iamport refuses a second POST for a merchant_uid (code 1), so on any refusal or unknown
 * outcome we read the registration back: same amount → done; different → conflict.
 * The refusal is not matched by its Korean wording, which is not in the spec.
 *
 * @throws PreparedAmountConflictError when another amount or currency is registered.
 */
export async function ensurePrepared(
  client: Pick<IamportClient, "preparePayment" | "getPreparedPayment">,
  input: { merchantUid: string; amount: number; currency?: string },
): Promise<Prepared> {
  let lastError: unknown;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    try {
      return await client.preparePayment(input);
    } catch (err) {
      if (!(err instanceof IamportApiError) && !(err instanceof IamportOutcomeUnknownError)) throw err;
      lastError = err;
    }
    const existing = await client.getPreparedPayment(input.merchantUid);
    if (existing) {
      const currencyDiffers =
        input.currency != null && existing.currency != null && input.currency !== existing.currency;
      if (existing.amount !== input.amount || currencyDiffers) {
        throw new PreparedAmountConflictError({ merchantUid: input.merchantUid, requested: input, existing });
      }
      return existing;
    }
    // Refused and nothing registered: a real error (bad amount, ...), not a duplicate.
    if (lastError instanceof IamportApiError) throw lastError;
    // Unknown outcome and nothing registered: the POST did not land, so sending it again is safe.
  }
  throw lastError;
}
