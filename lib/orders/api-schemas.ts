/**
 * Request shapes of the order and completion routes (the create-order body
 * lives in lib/kicc). Exported so the OpenAPI document is generated from the
 * same schemas the handlers parse with.
 */
import { integerMessages, typeMessages, unknownKeysMessage } from "../kicc/field-messages.js";
import * as z from "../validation/zod.js";
import { accountNumberProblem, bankCodeOf } from "./rules/refund-bank.js";

const merchantUid = z
  .string({ error: "must be a string" })
  .check(
    z.minLength(1, "must not be empty"),
    z.maxLength(40, "must be at most 40 characters"),
    z.regex(/^[A-Za-z0-9_.:-]+$/, "may only contain letters, digits and - _ . :"),
  );
/** iamport's payment id (`imp_` and digits): letters, digits, `_` and `-`, so it is safe in a URL path. */
const impUid = z
  .string({ error: "must be a string" })
  .check(
    z.minLength(1, "must not be empty"),
    z.maxLength(64, "must be at most 64 characters"),
    z.regex(/^[A-Za-z0-9_-]+$/, "may only contain letters, digits, - and _"),
  );

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

/**
 * `Idempotency-Key` of `POST /orders/{merchant_uid}/refunds`: required, so a
 * retried request refunds once. Printable ASCII (a UUID fits); it is part of a
 * database key.
 */
export const idempotencyKeyHeaderSchema = z.object({
  "idempotency-key": z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? "Idempotency-Key header is required (a unique value per refund, reused on retries)"
          : "Idempotency-Key must be a string",
    })
    .check(
      z.minLength(1, "Idempotency-Key must not be empty"),
      z.maxLength(128, "Idempotency-Key must be at most 128 characters"),
      z.regex(/^[\x21-\x7e]+$/, "Idempotency-Key must be printable ASCII without spaces"),
    ),
});

const refundText = (field: string, max: number) =>
  z.string({ error: typeMessages(field, "a string") }).check(
    z.minLength(1, { error: `${field} must not be empty`, abort: true }),
    z.maxLength(max, { error: `${field} must be at most ${max} characters`, abort: true }),
    z.refine((value) => value.trim() !== "", `${field} must not be blank`),
  );

/**
 * `POST /orders/{merchant_uid}/refunds`. `amount` omitted refunds the whole
 * refundable balance. The refund account is for virtual-account orders only
 * (required there); the rules that need the order live in refund-rules.ts.
 */
export const refundOrderBodySchema = z.strictObject(
  {
    amount: z.optional(
      z.int({ error: integerMessages("amount") }).check(z.positive("amount must be greater than 0")),
    ),
    reason: refundText("reason", 200),
    /**
     * Which payment of the order to refund: omitted, the payment the order keeps. A payment the order
     * does not keep (a second payment, a forged one) is refunded in full by this service on its own;
     * naming it here gives the buyer's bank account when its refund waits for one (`refunds_owed`).
     */
    imp_uid: z.optional(
      z
        .string({ error: typeMessages("imp_uid", "a string") })
        .check(
          z.minLength(1, { error: "imp_uid must not be empty", abort: true }),
          z.maxLength(64, { error: "imp_uid must be at most 64 characters", abort: true }),
          z.regex(/^[A-Za-z0-9_-]+$/, "imp_uid may only contain letters, digits, - and _"),
        ),
    ),
    tax_free: z.optional(
      z.int({ error: integerMessages("tax_free") }).check(z.gte(0, "tax_free must not be negative")),
    ),
    refund_holder: z.optional(refundText("refund_holder", 40)),
    refund_bank: z.optional(
      refundText("refund_bank", 20).check(
        z.refine(
          (bank) => bankCodeOf(bank) !== null,
          "refund_bank must be a standard bank code such as 004 or 088, or a bank name such as 국민은행",
        ),
      ),
    ),
    refund_account: z.optional(
      refundText("refund_account", 24).check(
        z.refine((account) => accountNumberProblem(account) === null, {
          error: (issue) => `refund_account ${accountNumberProblem(String(issue.input))}`,
        }),
      ),
    ),
  },
  { error: (issue) => unknownKeysMessage(issue) ?? typeMessages("the refund", "a JSON object")(issue) },
);

export type RefundOrderBody = z.infer<typeof refundOrderBodySchema>;
