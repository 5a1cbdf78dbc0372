/**
 * `custom_data` is the merchant's own JSON, stored with the order and handed
 * to the payment window. Whatever passes validation must fit in DynamoDB; what
 * cannot is a 400 naming `custom_data`, and nothing is written.
 */
import { describe, expect, test } from "vitest";
import { useStack } from "../../support/stack.js";

const ctx = useStack();

function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < levels; i++) value = { next: value };
  return value;
}

/** The raw JSON body of an order with `customData` spliced in as text (so 1e308 stays a number). */
async function orderWith(customData: string) {
  const t = ctx();
  const base = (await import("../../support/stack.js")).cardOrder();
  const text = `${JSON.stringify(base).slice(0, -1)},"custom_data":${customData}}`;
  const res = await t.api("/orders", { body: text });
  return { res, merchantUid: base.merchant_uid as string };
}

describe("custom_data the table cannot hold is a 400 naming it", () => {
  test.each([
    ["a number above what DynamoDB stores (1e308)", '{"n":1e308}', "number"],
    ["a number below what DynamoDB stores (1e-300)", '{"n":1e-300}', "number"],
    ["an empty key", '{"":1}', "key"],
    ["40 levels of nesting", JSON.stringify(nested(40)), "levels"],
    ["a 500 KB string", JSON.stringify({ note: "x".repeat(500_000) }), "bytes"],
    ["a key of 200 characters", JSON.stringify({ ["k".repeat(200)]: 1 }), "key"],
    ["a number in an array (1e200)", '{"list":[1,2,1e200]}', "custom_data.list.2"],
    ["a whole number past 2^53 (9.5e120)", '{"n":9.5e120}', "as a string"],
    ["a lone surrogate in a string", '{"s":"\\ud800"}', "lone surrogate"],
  ])("%s", async (_name, customData, word) => {
    const { res, merchantUid } = await orderWith(customData);

    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([
      expect.objectContaining({ field: "custom_data", reason: expect.stringContaining(word) }),
    ]);
    expect(JSON.stringify(res.body).length).toBeLessThan(2_000);
    expect((await ctx().api(`/orders/${merchantUid}`)).status).toBe(404);
  });

  test("what the table can hold is kept as sent: nesting, unicode, small and large numbers, arrays", async () => {
    const customData = {
      cart: { lines: [{ sku: "mug-1", qty: 2, price: 6_000 }], coupon: null },
      note: "선물 포장 부탁드려요 🎁",
      ratio: 1.5e-100,
      big: 9_007_199_254_740_991,
      flags: [true, false],
      deep: nested(8),
    };
    const { res } = await orderWith(JSON.stringify(customData));

    expect(res.status).toBe(201);
    expect(res.body.request_pay.custom_data).toEqual(customData);
    const stored = await ctx().api(`/orders/${res.body.merchant_uid}`);
    expect(stored.body.request_pay.custom_data).toEqual(customData);
  });
});
