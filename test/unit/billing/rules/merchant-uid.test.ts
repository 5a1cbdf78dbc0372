import { describe, expect, test } from "vitest";
import { MAX_CYCLE } from "../../../../lib/billing/rules/calendar.js";
import {
  chargeMerchantUid,
  isSubscriptionChargeUid,
  isSubscriptionId,
  MAX_ATTEMPT,
  parseChargeMerchantUid,
  subscriptionIdFor,
} from "../../../../lib/billing/rules/merchant-uid.js";

describe("subscription ids", () => {
  test("derived from the Idempotency-Key: the same key names the same subscription, another key another", () => {
    const a = subscriptionIdFor("key-1");

    expect(a).toMatch(/^sub_[0-9A-Za-z]{16}$/);
    expect(subscriptionIdFor("key-1")).toBe(a);
    expect(subscriptionIdFor("key-2")).not.toBe(a);
    expect(isSubscriptionId(a)).toBe(true);
    expect(isSubscriptionId("sub_short")).toBe(false);
  });
});

describe("charge merchant_uids", () => {
  const id = subscriptionIdFor("k");

  test("deterministic, and at most 40 characters even at the largest cycle and attempt", () => {
    expect(chargeMerchantUid(id, 2, 1)).toBe(`${id}_2_1`);
    expect(chargeMerchantUid(id, 2, 1)).toBe(chargeMerchantUid(id, 2, 1));
    const longest = chargeMerchantUid(id, MAX_CYCLE, MAX_ATTEMPT);
    expect(longest.length).toBeLessThanOrEqual(40);
    expect(longest.length).toBe(28);
  });

  test("unique per cycle and attempt (no two pairs share a merchant_uid, 12_1 is not 1_21)", () => {
    const seen = new Set<string>();
    for (let cycle = 1; cycle <= 150; cycle++) {
      for (let attempt = 1; attempt <= MAX_ATTEMPT; attempt++)
        seen.add(chargeMerchantUid(id, cycle, attempt));
    }

    expect(seen.size).toBe(150 * MAX_ATTEMPT);
  });

  test("parsed back into its parts; order merchant_uids and malformed ones are not charges", () => {
    expect(parseChargeMerchantUid(chargeMerchantUid(id, 37, 4))).toEqual({
      subscriptionId: id,
      cycle: 37,
      attempt: 4,
    });
    for (const other of [
      "ord_abc",
      "sub_1",
      `${id}_0_1`,
      `${id}_1_0`,
      `${id}_01_1`,
      `${id}_1_1_1`,
      `${id}_1`,
      "sub_0123456789abcdeX_1_100",
    ]) {
      expect(isSubscriptionChargeUid(other)).toBe(false);
    }
  });

  test("out of bounds or a foreign id is refused rather than truncated", () => {
    expect(() => chargeMerchantUid(id, 0, 1)).toThrow(RangeError);
    expect(() => chargeMerchantUid(id, MAX_CYCLE + 1, 1)).toThrow(RangeError);
    expect(() => chargeMerchantUid(id, 1, MAX_ATTEMPT + 1)).toThrow(RangeError);
    expect(() => chargeMerchantUid("sub_x", 1, 1)).toThrow(RangeError);
  });
});
