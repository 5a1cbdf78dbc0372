import { expect, test } from "vitest";
import type { Order } from "../../../lib/orders/order.js";
import { resultUrlFor } from "../../../lib/orders/result-url.js";

const base = {
  merchantUid: "m-1",
  defaultUrl: "https://shop.example/result",
  allowedOrigins: ["https://shop.example"],
};

test("the order's own result page is used when its origin is allowed, with the verified status and reason", () => {
  const url = new URL(
    resultUrlFor({
      ...base,
      order: { resultUrl: "https://shop.example/r?x=1", status: "paid" } as Order,
      reason: "verified",
    }),
  );

  expect(url.origin + url.pathname).toBe("https://shop.example/r");
  expect(Object.fromEntries(url.searchParams)).toEqual({
    x: "1",
    merchant_uid: "m-1",
    status: "paid",
    reason: "verified",
  });
});

test("a result page on another origin falls back to the default (no open redirect)", () => {
  const url = resultUrlFor({
    ...base,
    order: { resultUrl: "https://evil.example/", status: "paid" } as Order,
    reason: "verified",
  });

  expect(url.startsWith("https://shop.example/result?")).toBe(true);
});

test("an unknown order says so, with no message", () => {
  const unknown = new URL(resultUrlFor({ ...base, order: null, reason: "unknown_order" }));

  expect(unknown.searchParams.get("status")).toBe("unknown");
  expect(unknown.searchParams.get("reason")).toBe("unknown_order");
  expect(unknown.searchParams.has("message")).toBe(false);
});

test("iamport's own failure reason is passed on (cut to 200 characters) only when the order is not paid", () => {
  const failed = new URL(
    resultUrlFor({
      ...base,
      order: { status: "failed" } as Order,
      reason: "verified",
      iamportMessage: `[8310] ${"분실".repeat(200)}`,
    }),
  );
  const paid = new URL(
    resultUrlFor({ ...base, order: { status: "paid" } as Order, reason: "verified", iamportMessage: "x" }),
  );

  expect(failed.searchParams.get("message")?.startsWith("[8310] 분실")).toBe(true);
  expect(failed.searchParams.get("message")?.length).toBe(200);
  expect(paid.searchParams.has("message")).toBe(false);
});
