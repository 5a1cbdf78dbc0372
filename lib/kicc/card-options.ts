/**
 * The `card` option of `IMP.request_pay` as KICC documents it: `direct` opens
 * one card company's module straight away, `detail` limits which cards the
 * payment window offers.
 */
import * as z from "../validation/zod.js";
import { isKnownCardCode } from "./card-codes.js";
import { integerMessages, typeMessages, unknownKeysMessage } from "./field-messages.js";

/** Korean card installments run 2 to 12 months; 1 is not an installment. */
export const MAX_INSTALLMENT_MONTHS = 12;

/** `card_code` in `card.detail` that stands for every card. */
export const ALL_CARDS = "*";

const cardCodeMessage =
  (field: string, extra = "") =>
  (issue: { input?: unknown }) =>
    `${field} ${JSON.stringify(issue.input)} is not a known card code${extra}; use a KFTC code such as 366 (신한) or a foreign one such as 10005 (Visa)`;

const directSchema = z.strictObject(
  {
    code: z
      .string({ error: typeMessages("card.direct.code", "a string") })
      .check(z.refine(isKnownCardCode, { error: cardCodeMessage("card.direct.code") })),
    quota: z.int({ error: integerMessages("card.direct.quota") }).check(
      z.refine((quota) => quota === 0 || (quota >= 2 && quota <= MAX_INSTALLMENT_MONTHS), {
        error: (issue) =>
          `card.direct.quota must be 0 (lump sum) or an installment count from 2 to ${MAX_INSTALLMENT_MONTHS}, got ${String(issue.input)}`,
      }),
    ),
  },
  { error: unknownKeysMessage },
);

const detailEntrySchema = z.strictObject(
  {
    card_code: z.string({ error: typeMessages("card.detail[].card_code", "a string") }).check(
      z.refine((code) => code === ALL_CARDS || isKnownCardCode(code), {
        error: cardCodeMessage("card.detail[].card_code", ` nor "${ALL_CARDS}" (all cards)`),
      }),
    ),
    enabled: z.boolean({ error: typeMessages("card.detail[].enabled", "true or false") }),
  },
  { error: unknownKeysMessage },
);

const detailSchema = z.array(detailEntrySchema, { error: typeMessages("card.detail", "an array") }).check(
  z.minLength(1, "card.detail needs at least one entry (leave card.detail out to offer every card)"),
  // iamport applies entries in order, so a repeated code makes the outcome
  // depend on a rule nobody wrote down; refuse it instead of guessing.
  z.superRefine((entries, ctx) => {
    const seen = new Set<string>();
    entries.forEach((entry, index) => {
      if (seen.has(entry.card_code)) {
        ctx.addIssue({
          code: "custom",
          input: entry.card_code,
          path: [index, "card_code"],
          message: `card.detail lists card_code ${JSON.stringify(entry.card_code)} more than once`,
        });
      }
      seen.add(entry.card_code);
    });
  }),
);

/** `card`: at least one of `direct` and `detail`; unknown keys refused. */
export const cardOptionsSchema = z
  .strictObject(
    { direct: z.optional(directSchema), detail: z.optional(detailSchema) },
    { error: (issue) => unknownKeysMessage(issue) ?? typeMessages("card", "an object")(issue) },
  )
  .check(
    z.refine((card) => card.direct !== undefined || card.detail !== undefined, {
      error: "card needs direct or detail (leave card out for the default card window)",
    }),
  );

/** The `card` option after validation. */
export type CardOptions = z.infer<typeof cardOptionsSchema>;
