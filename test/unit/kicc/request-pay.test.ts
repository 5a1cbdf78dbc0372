import { describe, expect, it } from "vitest";
import {
  buildRequestPayParams,
  type CreateOrderRequest,
  createOrderRequestSchema,
  kiccPg,
  type RequestPayContext,
} from "../../../lib/kicc/index.js";
import { cardOrder, escrowOrder } from "./order-fixtures.js";

// 2026-03-01 00:30 KST
const context: RequestPayContext = {
  merchantUid: "ord_20260301_0001",
  pg: kiccPg("T5102001"),
  mRedirectUrl: "https://api.example.com/payments/complete/mobile",
  now: new Date("2026-02-28T15:30:00.000Z"),
  defaultVbankDueHours: 72,
};

const parse = (body: unknown): CreateOrderRequest => createOrderRequestSchema.parse(body);

describe("buildRequestPayParams", () => {
  it("builds the minimal card params with no undefined keys", () => {
    // Act
    const params = buildRequestPayParams(parse(cardOrder), context);
    // Assert: toStrictEqual fails on a key whose value is undefined
    expect(params).toStrictEqual({
      pg: "kicc.T5102001",
      pay_method: "card",
      merchant_uid: "ord_20260301_0001",
      name: "Cotton tee",
      amount: 1000,
      currency: "KRW",
      buyer_tel: "010-1234-5678",
      m_redirect_url: "https://api.example.com/payments/complete/mobile",
    });
  });

  it("uses the context's merchant_uid and pg, not the body's", () => {
    // Act
    const params = buildRequestPayParams(parse({ ...cardOrder, merchant_uid: "from-body" }), {
      ...context,
      merchantUid: "from-use-case",
      pg: kiccPg(),
    });
    // Assert
    expect(params.merchant_uid).toBe("from-use-case");
    expect(params.pg).toBe("kicc");
  });

  it("sets notice_url only when configured", () => {
    // Act
    const withUrl = buildRequestPayParams(parse(cardOrder), {
      ...context,
      noticeUrl: "https://api.example.com/webhooks/iamport",
    });
    const without = buildRequestPayParams(parse(cardOrder), context);
    // Assert
    expect(withUrl.notice_url).toBe("https://api.example.com/webhooks/iamport");
    expect(without).not.toHaveProperty("notice_url");
  });

  it("copies every optional field the merchant gave", () => {
    // Arrange
    const body = {
      ...cardOrder,
      amount: 60_000,
      tax_free: 10_000,
      currency: "KRW",
      buyer_name: "홍길동",
      buyer_email: "hong@example.com",
      buyer_addr: "서울특별시 중구 세종대로 110",
      buyer_postcode: "04524",
      card: { direct: { code: "366", quota: 3 }, detail: [{ card_code: "366", enabled: true }] },
      custom_data: { cart: "c-1" },
    };
    // Act
    const params = buildRequestPayParams(parse(body), context);
    // Assert
    expect(params).toStrictEqual({
      pg: "kicc.T5102001",
      pay_method: "card",
      merchant_uid: "ord_20260301_0001",
      name: "Cotton tee",
      amount: 60_000,
      tax_free: 10_000,
      currency: "KRW",
      buyer_name: "홍길동",
      buyer_email: "hong@example.com",
      buyer_tel: "010-1234-5678",
      buyer_addr: "서울특별시 중구 세종대로 110",
      buyer_postcode: "04524",
      m_redirect_url: "https://api.example.com/payments/complete/mobile",
      card: { direct: { code: "366", quota: 3 }, detail: [{ card_code: "366", enabled: true }] },
      custom_data: { cart: "c-1" },
    });
  });

  it("never hands result_url to iamport", () => {
    // Act
    const params = buildRequestPayParams(
      parse({ ...cardOrder, result_url: "https://shop.example.com/done" }),
      context,
    );
    // Assert
    expect(params).not.toHaveProperty("result_url");
    expect(JSON.stringify(params)).not.toContain("shop.example.com");
  });

  it("copies escrow and kiccProducts for an escrow order", () => {
    // Act
    const params = buildRequestPayParams(parse(escrowOrder), context);
    // Assert
    expect(params.escrow).toBe(true);
    expect(params.kiccProducts).toStrictEqual([
      { orderNumber: "P-1", name: "Desk lamp", quantity: 1, amount: 64_000 },
    ]);
    expect(params.buyer_name).toBe("홍길동");
    expect(params.buyer_email).toBe("buyer@example.com");
  });

  it("does not share nested objects with the request", () => {
    // Arrange
    const request = parse({ ...cardOrder, card: { detail: [{ card_code: "366", enabled: true }] } });
    // Act
    const params = buildRequestPayParams(request, context);
    params.card?.detail?.push({ card_code: "361", enabled: true });
    // Assert
    expect(request.card?.detail).toHaveLength(1);
  });

  it("copies digital for a phone payment", () => {
    // Act
    const params = buildRequestPayParams(
      parse({ ...cardOrder, pay_method: "phone", digital: false }),
      context,
    );
    // Assert
    expect(params.digital).toBe(false);
    expect(params.pay_method).toBe("phone");
  });

  describe("vbank_due", () => {
    it("passes the merchant's value through unchanged", () => {
      // Act
      const params = buildRequestPayParams(
        parse({ ...cardOrder, pay_method: "vbank", vbank_due: "2026-03-05 18:00:00" }),
        context,
      );
      // Assert
      expect(params.vbank_due).toBe("2026-03-05 18:00:00");
    });

    it("defaults to now + defaultVbankDueHours in KST", () => {
      // Act
      const params = buildRequestPayParams(parse({ ...cardOrder, pay_method: "vbank" }), context);
      // Assert: 2026-03-01 00:30 KST + 72 h
      expect(params.vbank_due).toBe("20260304003000");
    });

    it.each(["card", "trans"])("is absent for %s", (payMethod) => {
      // Act
      const params = buildRequestPayParams(parse({ ...cardOrder, pay_method: payMethod }), context);
      // Assert
      expect(params).not.toHaveProperty("vbank_due");
    });

    it("refuses a non-positive default window rather than issue an expired account", () => {
      // Act
      const build = () =>
        buildRequestPayParams(parse({ ...cardOrder, pay_method: "vbank" }), {
          ...context,
          defaultVbankDueHours: 0,
        });
      // Assert
      expect(build).toThrow(RangeError);
    });
  });
});
