/**
 * Request shapes of the order and completion routes (the create-order body
 * lives in lib/kicc). Exported so the OpenAPI document is generated from the
 * same schemas the handlers parse with.
 */
import * as z from "../validation/zod.js";

const merchantUid = z
  .string({ error: "must be a string" })
  .check(
    z.minLength(1, "must not be empty"),
    z.maxLength(40, "must be at most 40 characters"),
    z.regex(/^[A-Za-z0-9_.:-]+$/, "may only contain letters, digits and - _ . :"),
  );
const impUid = z
  .string({ error: "must be a string" })
  .check(z.minLength(1, "must not be empty"), z.maxLength(64, "must be at most 64 characters"));

export const merchantUidPathSchema = z.object({ merchant_uid: merchantUid });

/** `POST /payments/complete`: what the merchant page forwards from the PC callback. */
export const completePaymentBodySchema = z.object({ imp_uid: impUid, merchant_uid: merchantUid });

/**
 * `GET /payments/complete/mobile`: iamport's redirect. `imp_uid` is missing when
 * the SDK refused the request before a payment existed; `imp_success` is not used.
 */
export const completeMobileQuerySchema = z.object({
  merchant_uid: merchantUid,
  imp_uid: z.optional(impUid),
  error_code: z.optional(z.string()),
  error_msg: z.optional(z.string()),
});

/** iamport's V1 webhook (JSON or form). Every field is a hint; only a re-read decides. */
export const iamportWebhookBodySchema = z.object({
  imp_uid: impUid,
  merchant_uid: merchantUid,
  status: z.optional(z.string().check(z.maxLength(32))),
  cancellation_id: z.optional(z.string().check(z.maxLength(128))),
});
