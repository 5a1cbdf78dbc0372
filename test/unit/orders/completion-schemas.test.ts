/**
 * The doors' imp_uid is checked before iamport is asked (found by the fuzzer:
 * a lone surrogate reached the iamport client, which could not build the URL
 * and answered 503 "iamport unavailable" instead of a 400).
 */
import { describe, expect, test } from "vitest";
import { completePaymentBodySchema, iamportWebhookBodySchema } from "../../../lib/orders/api-schemas.js";

describe("imp_uid at the doors", () => {
  test.each(["\uD800", "imp_\uDFFF", "imp 1", "imp/1", "é", "imp_%2F"])("%j is refused", (impUid) => {
    for (const schema of [completePaymentBodySchema, iamportWebhookBodySchema]) {
      const parsed = schema.safeParse({ imp_uid: impUid, merchant_uid: "m-1" });
      expect(parsed.success).toBe(false);
    }
  });

  test("iamport's own ids pass", () => {
    expect(
      completePaymentBodySchema.safeParse({ imp_uid: "imp_123456789012", merchant_uid: "m-1" }).success,
    ).toBe(true);
  });
});
