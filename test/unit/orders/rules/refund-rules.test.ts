import { describe, expect, test } from "vitest";
import { ConflictError, ValidationError } from "../../../../lib/errors.js";
import { refundOrderBodySchema } from "../../../../lib/orders/api-schemas.js";
import type { Order } from "../../../../lib/orders/order.js";
import {
  cumulativeTaxFree,
  kstMonth,
  orderRefundable,
  planRefund,
  taxFreeForRefund,
} from "../../../../lib/orders/rules/refund-rules.js";

const now = new Date("2026-11-27T03:00:00.000Z");

function order(patch: Partial<Order> = {}): Order {
  return {
    merchantUid: "m-1",
    status: "paid",
    version: 3,
    amount: 10_000,
    taxFree: 0,
    currency: "KRW",
    name: "mug",
    payMethod: "card",
    buyer: { tel: "010-0000-0000" },
    escrow: false,
    requestPay: {} as Order["requestPay"],
    requestHash: "h",
    prepared: true,
    impUid: "imp_1",
    paidAt: "2026-11-20T01:00:00.000Z",
    refundedAmount: 0,
    refunds: [],
    createdAt: "2026-11-20T00:00:00.000Z",
    updatedAt: "2026-11-20T01:00:00.000Z",
    ...patch,
  };
}

const vbankAccount = { refund_holder: "홍길동", refund_bank: "004", refund_account: "123-456-789012" };

function refusal(run: () => unknown): { status: string; fields: string[]; code?: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) {
      return { status: "400", fields: error.issues.map((issue) => issue.field) };
    }
    if (error instanceof ConflictError) return { status: "409", fields: [], code: error.code };
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("balance", () => {
  test("amount omitted refunds the whole refundable balance, sent as checksum too", () => {
    const plan = planRefund(
      order({ status: "partially_refunded", refundedAmount: 3_000 }),
      { reason: "r" },
      now,
    );

    expect(plan).toMatchObject({ impUid: "imp_1", amount: 7_000, checksum: 7_000, reason: "r" });
  });

  test("a partial refund sends the whole balance as checksum", () => {
    const plan = planRefund(order(), { amount: 2_500, reason: " size " }, now);

    expect(plan).toMatchObject({ amount: 2_500, checksum: 10_000, reason: "size", sendTaxFree: false });
  });

  test("more than the refundable balance is a 400 naming amount", () => {
    const current = order({ status: "partially_refunded", refundedAmount: 9_000 });

    expect(refusal(() => planRefund(current, { amount: 1_001, reason: "r" }, now))).toEqual({
      status: "400",
      fields: ["amount"],
    });
    expect(planRefund(current, { amount: 1_000, reason: "r" }, now).amount).toBe(1_000);
  });

  test.each(["pending", "awaiting_deposit", "failed", "expired", "forged", "refunded"] as const)(
    "a %s order is not refundable (409 order_not_refundable)",
    (status) => {
      const current = order({ status, refundedAmount: status === "refunded" ? 10_000 : 0 });

      expect(refusal(() => planRefund(current, { reason: "r" }, now))).toMatchObject({
        status: "409",
        code: "order_not_refundable",
      });
      expect(orderRefundable(current)).toBe(0);
    },
  );
});

describe("tax_free: proportional, exact in total", () => {
  test("none when the order has no tax-free part, and then it is not sent", () => {
    const plan = planRefund(order(), { amount: 5_000, reason: "r" }, now);

    expect(plan).toMatchObject({ taxFree: 0, sendTaxFree: false });
  });

  test("a partial refund carries floor(taxFree × share); the last one the rest", () => {
    const current = order({ amount: 10_000, taxFree: 3_333 });

    const first = planRefund(current, { amount: 5_000, reason: "r" }, now);
    const rest = planRefund(
      { ...current, status: "partially_refunded", refundedAmount: 5_000 },
      { reason: "r" },
      now,
    );

    expect(first).toMatchObject({ amount: 5_000, taxFree: 1_666, sendTaxFree: true });
    expect(rest).toMatchObject({ amount: 5_000, taxFree: 1_667 });
  });

  test("any split adds up to exactly the order's tax-free part, each part within its refund", () => {
    const payment = { amount: 12_345, taxFree: 4_321 };
    for (const parts of [
      [1, 12_344],
      [100, 200, 300, 11_745],
      [12_345],
      [6_000, 6_000, 345],
      [1, 1, 1, 12_342],
    ]) {
      let refunded = 0;
      let total = 0;
      for (const part of parts) {
        const taxFree = taxFreeForRefund(payment, refunded, part);
        expect(taxFree).toBeGreaterThanOrEqual(0);
        expect(taxFree).toBeLessThanOrEqual(part);
        refunded += part;
        total += taxFree;
      }
      expect(total).toBe(4_321);
    }
  });

  test("no precision loss on large amounts", () => {
    expect(cumulativeTaxFree({ amount: 9_000_000_000, taxFree: 8_999_999_999 }, 8_999_999_999)).toBe(
      8_999_999_998,
    );
  });

  test("an explicit tax_free is used when within the refund and the order's part", () => {
    const current = order({ taxFree: 4_000 });

    expect(planRefund(current, { amount: 5_000, tax_free: 4_000, reason: "r" }, now).taxFree).toBe(4_000);
    expect(refusal(() => planRefund(current, { amount: 3_000, tax_free: 3_500, reason: "r" }, now))).toEqual({
      status: "400",
      fields: ["tax_free"],
    });
    expect(refusal(() => planRefund(current, { amount: 9_000, tax_free: 4_001, reason: "r" }, now))).toEqual({
      status: "400",
      fields: ["tax_free"],
    });
    expect(refusal(() => planRefund(order(), { amount: 100, tax_free: 1, reason: "r" }, now))).toEqual({
      status: "400",
      fields: ["tax_free"],
    });
  });
});

describe("phone payments: same calendar month in Asia/Seoul", () => {
  test("KST month boundaries, not UTC ones", () => {
    expect(kstMonth(new Date("2026-11-30T14:59:59.000Z"))).toBe("2026-11");
    expect(kstMonth(new Date("2026-11-30T15:00:00.000Z"))).toBe("2026-12");
    expect(kstMonth(new Date("2026-12-31T15:00:00.000Z"))).toBe("2027-01");
  });

  test("paid and refunded in the same KST month: allowed", () => {
    const current = order({ payMethod: "phone", paidAt: "2026-10-31T15:00:00.000Z" }); // Nov 1, 00:00 KST

    expect(planRefund(current, { reason: "r" }, new Date("2026-11-30T14:59:59.000Z")).amount).toBe(10_000);
  });

  test("paid in one KST month, refunded in the next: 409 phone_refund_month_passed", () => {
    const current = order({ payMethod: "phone", paidAt: "2026-11-30T14:59:59.000Z" }); // Nov 30, 23:59:59 KST

    expect(refusal(() => planRefund(current, { reason: "r" }, new Date("2026-11-30T15:00:00.000Z")))).toEqual(
      {
        status: "409",
        fields: [],
        code: "phone_refund_month_passed",
      },
    );
  });

  test("cards are not bound to the month", () => {
    const current = order({ paidAt: "2026-01-01T00:00:00.000Z" });

    expect(planRefund(current, { reason: "r" }, now).amount).toBe(10_000);
  });
});

describe("virtual accounts: the refund account", () => {
  test("required for vbank orders: each missing field is named", () => {
    const current = order({ payMethod: "vbank" });

    expect(refusal(() => planRefund(current, { reason: "r" }, now))).toEqual({
      status: "400",
      fields: ["refund_holder", "refund_bank", "refund_account"],
    });
    expect(
      refusal(() => planRefund(current, { reason: "r", refund_holder: "홍길동", refund_bank: "004" }, now)),
    ).toEqual({ status: "400", fields: ["refund_account"] });
  });

  test("bank names become standard codes and the account is sent as digits", () => {
    const plan = planRefund(
      order({ payMethod: "vbank" }),
      { reason: "r", ...vbankAccount, refund_bank: "KB 국민은행" },
      now,
    );

    expect(plan.refundAccount).toEqual({ holder: "홍길동", bankCode: "004", account: "123456789012" });
  });

  test("other methods refuse refund account fields instead of ignoring them", () => {
    expect(refusal(() => planRefund(order(), { reason: "r", ...vbankAccount }, now))).toEqual({
      status: "400",
      fields: ["refund_holder", "refund_bank", "refund_account"],
    });
  });
});

describe("request body", () => {
  const fields = (body: unknown) => {
    const result = refundOrderBodySchema.safeParse(body);
    return result.success ? [] : result.error.issues.map((issue) => issue.path.join("."));
  };

  test.each([
    [{}, "reason"],
    [{ reason: "" }, "reason"],
    [{ reason: "   " }, "reason"],
    [{ reason: "x".repeat(201) }, "reason"],
    [{ reason: "r", amount: 0 }, "amount"],
    [{ reason: "r", amount: -5 }, "amount"],
    [{ reason: "r", amount: 10.5 }, "amount"],
    [{ reason: "r", amount: "1000" }, "amount"],
    [{ reason: "r", tax_free: -1 }, "tax_free"],
    [{ reason: "r", refund_bank: "999" }, "refund_bank"],
    [{ reason: "r", refund_bank: "없는은행" }, "refund_bank"],
    [{ reason: "r", refund_account: "12ab-3456" }, "refund_account"],
    [{ reason: "r", refund_account: "123-4567" }, "refund_account"],
    [{ reason: "r", refund_account: "--12345678" }, "refund_account"],
    [{ reason: "r", refund_holder: "" }, "refund_holder"],
    [{ reason: "r", refund_amount: 1 }, ""],
  ])("%j is refused at %s", (body, field) => {
    expect(fields(body)).toContain(field);
  });

  test.each([
    [{ reason: "고객 변심" }],
    [{ reason: "r", amount: 1, tax_free: 0 }],
    [{ reason: "r", refund_holder: "홍길동", refund_bank: "88", refund_account: "110-123-456789" }],
    [{ reason: "r", refund_holder: "홍길동", refund_bank: "카카오뱅크", refund_account: "3333012345678" }],
  ])("%j is accepted", (body) => {
    expect(fields(body)).toEqual([]);
  });
});
