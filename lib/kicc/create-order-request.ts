/**
 * The merchant's `POST /orders` body: every KICC parameter rule that can be
 * checked without I/O. Uniqueness of `merchant_uid` and a `vbank_due` in the
 * past are the order use case's to refuse (they need the table and a clock).
 */
import * as z from "../validation/zod.js";
import { createOrderFieldsSchema } from "./create-order-fields.js";
import { findOrderRuleViolations } from "./create-order-rules.js";

/**
 * zod/mini schema for the `POST /orders` JSON body. Each refusal is an issue
 * whose `path` names the field and whose `message` says what to send instead.
 *
 * The cross-field rules are skipped while any field has the wrong type or is
 * missing (zod stops refining data it could not type), so such a body is
 * reported in two rounds; a field that only broke a refinement (an unknown
 * card code, say) does not stop them.
 */
export const createOrderRequestSchema = createOrderFieldsSchema.check(
  z.superRefine((order, ctx) => {
    for (const violation of findOrderRuleViolations(order)) {
      ctx.addIssue({ code: "custom", path: [...violation.path], message: violation.message });
    }
  }),
);

/** A `POST /orders` body that passed every rule. */
export type CreateOrderRequest = z.infer<typeof createOrderRequestSchema>;
