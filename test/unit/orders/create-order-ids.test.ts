import { expect, test } from "vitest";
import { merchantUidFor } from "../../../lib/orders/rules/merchant-uid.js";
import { hashRequest } from "../../../lib/request-hash.js";

test("an idempotency key always names the same merchant_uid, within iamport's 40 characters", () => {
  const a = merchantUidFor("checkout-1");

  expect(a).toBe(merchantUidFor("checkout-1"));
  expect(a).not.toBe(merchantUidFor("checkout-2"));
  expect(a).toMatch(/^ord_[A-Za-z0-9_-]{26}$/);
});

test("without a key every merchant_uid is new", () => {
  expect(merchantUidFor()).not.toBe(merchantUidFor());
});

test("the request hash ignores key order and undefined values but not content", () => {
  expect(hashRequest({ a: 1, b: [1, { c: 2 }] })).toBe(hashRequest({ b: [1, { c: 2 }], a: 1, d: undefined }));
  expect(hashRequest({ a: 1 })).not.toBe(hashRequest({ a: 2 }));
});
