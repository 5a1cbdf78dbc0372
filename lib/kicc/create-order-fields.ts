/**
 * Field-by-field rules for the merchant's `POST /orders` body. Rules that
 * relate two fields live in `create-order-rules.ts`.
 */
import { SUBSCRIPTION_PREFIX } from "../billing/rules/merchant-uid.js";
import * as z from "../validation/zod.js";
import { cardOptionsSchema } from "./card-options.js";
import { customDataProblem } from "./custom-data.js";
import { integerMessages, typeMessages, unknownKeysMessage } from "./field-messages.js";
import { parseVbankDue, VBANK_DUE_FORMATS } from "./vbank-due.js";

/** The payment methods KICC offers through iamport V1. */
export const KICC_PAY_METHODS = ["card", "trans", "vbank", "phone"] as const;

/** One of {@link KICC_PAY_METHODS}. */
export type KiccPayMethod = (typeof KICC_PAY_METHODS)[number];

/** iamport's limit for `merchant_uid` and `name`. */
export const MAX_MERCHANT_UID_LENGTH = 40;
const MAX_NAME_LENGTH = 40;

// merchant_uid ends up in URL paths (GET /orders/{merchant_uid}, the redirect
// query string) and in DynamoDB keys, where `#` is our separator; this set
// needs no escaping anywhere.
const MERCHANT_UID_PATTERN = /^[A-Za-z0-9\-_.:]+$/;
// Digits with single dashes between groups: 01012345678, 010-1234-5678, 02-123-4567.
const TEL_PATTERN = /^[0-9]+(?:-[0-9]+)*$/;

const text = (field: string, min: number, max: number) =>
  z.string({ error: typeMessages(field, "a string") }).check(
    // abort: a too-short or too-long value gets one message, not also the
    // pattern's complaint about the same value.
    z.minLength(min, {
      error: min === 1 ? `${field} must not be empty` : `${field} must be at least ${min} characters`,
      abort: true,
    }),
    z.maxLength(max, { error: `${field} must be at most ${max} characters`, abort: true }),
  );

const kiccProductSchema = z.strictObject(
  {
    orderNumber: text("kiccProducts[].orderNumber", 1, 40),
    name: text("kiccProducts[].name", 1, 40),
    quantity: z
      .int({ error: integerMessages("kiccProducts[].quantity") })
      .check(z.gte(1, "kiccProducts[].quantity must be at least 1")),
    amount: z
      .int({ error: integerMessages("kiccProducts[].amount") })
      .check(z.gte(0, "kiccProducts[].amount must not be negative")),
  },
  { error: (issue) => unknownKeysMessage(issue) ?? typeMessages("kiccProducts[]", "an object")(issue) },
);

/** The `POST /orders` body checked field by field; unknown keys refused. */
export const createOrderFieldsSchema = z.strictObject(
  {
    merchant_uid: z.optional(
      text("merchant_uid", 1, MAX_MERCHANT_UID_LENGTH).check(
        z.regex(
          MERCHANT_UID_PATTERN,
          "merchant_uid may contain only letters, digits and - _ . : (it is used in URLs and database keys)",
        ),
        // Subscription charges are named `sub_…`, and their webhooks are routed to billing by that prefix.
        z.refine(
          (uid) => !uid.startsWith(SUBSCRIPTION_PREFIX),
          `merchant_uid must not start with ${SUBSCRIPTION_PREFIX} (reserved for subscription charges)`,
        ),
      ),
    ),
    name: text("name", 1, MAX_NAME_LENGTH).check(
      z.refine((name) => name.trim() !== "", "name must not be blank"),
    ),
    amount: z.int({ error: integerMessages("amount") }).check(z.positive("amount must be greater than 0")),
    tax_free: z.optional(
      z.int({ error: integerMessages("tax_free") }).check(z.gte(0, "tax_free must not be negative")),
    ),
    currency: z.optional(
      z.literal("KRW", { error: 'currency must be "KRW": KICC through iamport V1 takes won only' }),
    ),
    pay_method: z.enum(KICC_PAY_METHODS, {
      error: (issue) =>
        issue.input === undefined
          ? "pay_method is required"
          : `pay_method must be one of ${KICC_PAY_METHODS.join(", ")} (the methods KICC offers), got ${JSON.stringify(issue.input)}`,
    }),
    buyer_name: z.optional(text("buyer_name", 1, 40)),
    buyer_email: z.optional(
      z.email({
        error: (issue) =>
          typeof issue.input === "string"
            ? "buyer_email must be an email address"
            : typeMessages("buyer_email", "a string")(issue),
      }),
    ),
    buyer_tel: text("buyer_tel", 8, 20).check(
      z.regex(TEL_PATTERN, "buyer_tel must be digits, optionally grouped with dashes (010-1234-5678)"),
    ),
    buyer_addr: z.optional(text("buyer_addr", 1, 128)),
    buyer_postcode: z.optional(text("buyer_postcode", 1, 8)),
    escrow: z.optional(z.boolean({ error: typeMessages("escrow", "true or false") })),
    kiccProducts: z.optional(
      z
        .array(kiccProductSchema, { error: typeMessages("kiccProducts", "an array") })
        .check(
          z.minLength(1, "kiccProducts must list at least one product"),
          z.maxLength(100, "kiccProducts must list at most 100 products"),
        ),
    ),
    card: z.optional(cardOptionsSchema),
    vbank_due: z.optional(
      z.string({ error: typeMessages("vbank_due", "a string") }).check(
        z.refine((due) => parseVbankDue(due) !== null, {
          error: (issue) =>
            `vbank_due ${JSON.stringify(issue.input)} is not a real date in one of ${VBANK_DUE_FORMATS} (KST)`,
        }),
      ),
    ),
    digital: z.optional(z.boolean({ error: typeMessages("digital", "true or false") })),
    custom_data: z.optional(
      z.record(z.string(), z.unknown(), { error: typeMessages("custom_data", "a JSON object") }).check(
        // What the table cannot hold as sent (DynamoDB's numbers, nesting, item size, key names).
        z.refine((data) => customDataProblem(data) === null, {
          error: (issue) => customDataProblem(issue.input) ?? "custom_data cannot be stored",
          abort: true,
        }),
      ),
    ),
    result_url: z.optional(
      z.url({
        protocol: /^https?$/,
        error: (issue) =>
          typeof issue.input === "string"
            ? "result_url must be an absolute http(s) URL"
            : typeMessages("result_url", "a string")(issue),
      }),
    ),
  },
  { error: (issue) => unknownKeysMessage(issue) ?? typeMessages("the order", "a JSON object")(issue) },
);

/** The body after the field rules, before the cross-field rules. */
export type CreateOrderFields = z.infer<typeof createOrderFieldsSchema>;
