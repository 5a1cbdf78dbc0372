import { expect, test } from "vitest";
import type { Order } from "../../../lib/orders/order.js";
import { resultUrlFor } from "../../../lib/orders/result-url.js";

const base = {
  merchantUid: "m-1",
  defaultUrl: "https://shop.example/result",
  allowedOrigins: ["https://shop.example"],
};

test("the order's own result page is used when its origin is allowed, with the verified status", () => {
  const url = new URL(
    resultUrlFor({ ...base, order: { resultUrl: "https://shop.example/r?x=1", status: "paid" } as Order }),
  );

  expect(url.origin + url.pathname).toBe("https://shop.example/r");
  expect(Object.fromEntries(url.searchParams)).toEqual({ x: "1", merchant_uid: "m-1", status: "paid" });
});

test("a result page on another origin falls back to the default (no open redirect)", () => {
  const url = resultUrlFor({
    ...base,
    order: { resultUrl: "https://evil.example/", status: "paid" } as Order,
  });

  expect(url.startsWith("https://shop.example/result?")).toBe(true);
});

test("an unknown order says so; iamport's error message is passed on only when not paid", () => {
  const unknown = new URL(resultUrlFor({ ...base, order: null, errorMessage: "사용자가 결제를 취소" }));

  expect(unknown.searchParams.get("status")).toBe("unknown");
  expect(unknown.searchParams.get("message")).toBe("사용자가 결제를 취소");
});
