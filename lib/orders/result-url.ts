/**
 * Where the mobile completion sends the buyer: the order's own result page if
 * its origin is allowed, else the default. Never an arbitrary URL from the
 * query string (no open redirect), and never text from it either: the result
 * page shows what the server verified, so the window's `error_msg` (anyone can
 * put anything there) is not passed on.
 */
import type { Order } from "./order.js";
import type { VerifyOutcome } from "./use-cases/verify-payment.js";

/**
 * How the redirect's verification went, for the result page to word:
 * `verified` (iamport's record was read and applied), `no_payment` (iamport has
 * none for the order: the window closed before paying), `refused` (the payment
 * named is not this order's, or not acceptable), `unknown_order`, and
 * `verification_pending` (iamport could not be read; the page polls).
 */
export type ResultReason = "verified" | "no_payment" | "refused" | "unknown_order" | "verification_pending";

/** The reason code of a verification outcome (`undefined`: the verification could not finish). */
export function resultReasonOf(outcome: VerifyOutcome | undefined): ResultReason {
  switch (outcome) {
    case "applied":
    case "unchanged":
      return "verified";
    case "no_payment":
      return "no_payment";
    case "rejected":
      return "refused";
    case "unknown_order":
      return "unknown_order";
    default:
      return "verification_pending";
  }
}

const MAX_MESSAGE_CHARS = 200;

export function resultUrlFor(input: {
  order: Order | null;
  merchantUid: string;
  reason: ResultReason;
  /** iamport's own record of why the payment failed (`fail_reason`), never the window's text. */
  iamportMessage?: string | null;
  defaultUrl: string;
  allowedOrigins: readonly string[];
}): string {
  const candidate = input.order?.resultUrl;
  const base =
    candidate && input.allowedOrigins.includes(new URL(candidate).origin) ? candidate : input.defaultUrl;
  const url = new URL(base);
  url.searchParams.set("merchant_uid", input.merchantUid);
  url.searchParams.set("status", input.order?.status ?? "unknown");
  url.searchParams.set("reason", input.reason);
  if (input.iamportMessage && input.order && input.order.status !== "paid")
    url.searchParams.set("message", input.iamportMessage.slice(0, MAX_MESSAGE_CHARS));
  return url.toString();
}
