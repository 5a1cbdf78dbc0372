import { describe, expect, it } from "vitest";
import { createOrderRequestSchema } from "../../../lib/kicc/index.js";
import { accepts, cardOrder, issuesOf } from "./order-fixtures.js";

describe("POST /orders body: field rules", () => {
  it("accepts the smallest valid order and keeps its values", () => {
    // Act
    const order = createOrderRequestSchema.parse(cardOrder);
    // Assert
    expect(order).toEqual(cardOrder);
  });

  it.each([
    ["[]", []],
    ["a string", "order"],
    ["null", null],
  ])("refuses %s as the body", (_label, body) => {
    // Act / Assert
    expect(issuesOf(body)).toEqual([{ path: [], message: expect.stringMatching(/must be a JSON object/) }]);
  });

  it("refuses an unknown key such as buyer_phone and names it", () => {
    // Act
    const issues = issuesOf({ ...cardOrder, buyer_phone: "01012345678" });
    // Assert
    expect(issues).toEqual([{ path: [], message: "unknown field(s): buyer_phone" }]);
  });

  it.each(["pg", "m_redirect_url", "notice_url", "customer_uid"])(
    "refuses %s: the server decides it, not the merchant",
    (key) => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, [key]: "x" })).toEqual([
        { path: [], message: `unknown field(s): ${key}` },
      ]);
    },
  );

  it("names every required field that is missing", () => {
    // Act
    const issues = issuesOf({});
    // Assert
    expect(issues).toEqual([
      { path: ["name"], message: "name is required" },
      { path: ["amount"], message: "amount is required" },
      { path: ["pay_method"], message: "pay_method is required" },
      { path: ["buyer_tel"], message: "buyer_tel is required" },
    ]);
  });

  describe("merchant_uid", () => {
    it.each(["order-2026_03.01:a", "A", "x".repeat(40)])("accepts %j", (uid) => {
      // Act / Assert
      expect(accepts({ ...cardOrder, merchant_uid: uid })).toBe(true);
    });

    it.each([
      ["x".repeat(41), /at most 40 characters/],
      ["", /must not be empty/],
      ["order#1", /only letters, digits and - _ \. :/],
      ["order/1", /only letters, digits/],
      ["order 1", /only letters, digits/],
      ["주문1", /only letters, digits/],
      ["a?b=c", /only letters, digits/],
      ["sub_0123456789abcdef_1_1", /reserved for subscription charges/],
    ])("refuses %j", (uid, why) => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, merchant_uid: uid })).toEqual([
        { path: ["merchant_uid"], message: expect.stringMatching(why) },
      ]);
    });

    it("refuses a number", () => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, merchant_uid: 123 })).toEqual([
        { path: ["merchant_uid"], message: "merchant_uid must be a string, got 123" },
      ]);
    });
  });

  describe("name", () => {
    it.each(["티셔츠 외 2건", "x".repeat(40)])("accepts %j", (name) => {
      // Act / Assert
      expect(accepts({ ...cardOrder, name })).toBe(true);
    });

    it.each([
      ["x".repeat(41), /at most 40 characters/],
      ["", /must not be empty/],
      ["   ", /must not be blank/],
    ])("refuses %j", (name, why) => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, name })).toEqual([
        { path: ["name"], message: expect.stringMatching(why) },
      ]);
    });
  });

  describe("amount", () => {
    it.each([1, 50_000, Number.MAX_SAFE_INTEGER])("accepts %s", (amount) => {
      // Act / Assert
      expect(accepts({ ...cardOrder, amount })).toBe(true);
    });

    it.each([
      ["1000", 'amount must be a JSON number, not a string: send 1000, not "1000"'],
      [0, "amount must be greater than 0"],
      [-1000, "amount must be greater than 0"],
      [1000.5, "amount must be a whole number, got 1000.5"],
      [Number.MAX_SAFE_INTEGER + 1, /must be between/],
      [null, "amount must be a whole number, got null"],
      [true, "amount must be a whole number, got a boolean"],
    ])("refuses %j", (amount, why) => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, amount })).toEqual([
        { path: ["amount"], message: typeof why === "string" ? why : expect.stringMatching(why) },
      ]);
    });
  });

  describe("tax_free", () => {
    it.each([0, 500, 1000])("accepts %s of 1000", (taxFree) => {
      // Act / Assert
      expect(accepts({ ...cardOrder, tax_free: taxFree })).toBe(true);
    });

    it.each([
      [-1, "tax_free must not be negative"],
      [0.5, "tax_free must be a whole number, got 0.5"],
      ["0", 'tax_free must be a JSON number, not a string: send 1000, not "1000"'],
    ])("refuses %j", (taxFree, why) => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, tax_free: taxFree })).toEqual([{ path: ["tax_free"], message: why }]);
    });
  });

  describe("currency", () => {
    it("accepts KRW", () => {
      // Act / Assert
      expect(accepts({ ...cardOrder, currency: "KRW" })).toBe(true);
    });

    it.each(["USD", "krw", ""])("refuses %j", (currency) => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, currency })).toEqual([
        { path: ["currency"], message: expect.stringMatching(/must be "KRW"/) },
      ]);
    });
  });

  describe("pay_method", () => {
    it.each(["card", "trans", "vbank"])("accepts %s", (payMethod) => {
      // Act / Assert
      expect(accepts({ ...cardOrder, pay_method: payMethod })).toBe(true);
    });

    it("accepts phone (with digital)", () => {
      // Act / Assert
      expect(accepts({ ...cardOrder, pay_method: "phone", digital: false })).toBe(true);
    });

    it.each(["kakaopay", "samsungpay", "CARD", "wechat", ""])(
      "refuses %j, which KICC V1 does not offer here",
      (m) => {
        // Act / Assert
        expect(issuesOf({ ...cardOrder, pay_method: m })).toEqual([
          {
            path: ["pay_method"],
            message: `pay_method must be one of card, trans, vbank, phone (the methods KICC offers), got ${JSON.stringify(m)}`,
          },
        ]);
      },
    );
  });

  describe("buyer_tel", () => {
    it.each(["010-1234-5678", "01012345678", "02-123-4567", "15881234"])("accepts %j", (tel) => {
      // Act / Assert
      expect(accepts({ ...cardOrder, buyer_tel: tel })).toBe(true);
    });

    it.each([
      ["1234567", "buyer_tel must be at least 8 characters"],
      ["0".repeat(21), /at most 20 characters/],
      ["+82-10-1234-5678", /digits, optionally grouped with dashes/],
      ["010 1234 5678", /digits, optionally grouped with dashes/],
      ["010--1234-5678", /digits, optionally grouped with dashes/],
      ["-01012345678", /digits, optionally grouped with dashes/],
      ["01012345678-", /digits, optionally grouped with dashes/],
    ])("refuses %j", (tel, why) => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, buyer_tel: tel })).toEqual([
        { path: ["buyer_tel"], message: expect.stringMatching(why) },
      ]);
    });

    it("refuses a number (a leading 0 would be lost)", () => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, buyer_tel: 1012345678 })).toEqual([
        { path: ["buyer_tel"], message: "buyer_tel must be a string, got 1012345678" },
      ]);
    });
  });

  describe("buyer details", () => {
    it("accepts name, email, address and postcode", () => {
      // Act / Assert
      expect(
        accepts({
          ...cardOrder,
          buyer_name: "홍길동",
          buyer_email: "hong@example.co.kr",
          buyer_addr: "서울특별시 중구 세종대로 110",
          buyer_postcode: "04524",
        }),
      ).toBe(true);
    });

    it.each([
      ["buyer_email", "not-an-email", "buyer_email must be an email address"],
      ["buyer_email", 42, "buyer_email must be a string, got 42"],
      ["buyer_name", "", "buyer_name must not be empty"],
      ["buyer_name", "x".repeat(41), "buyer_name must be at most 40 characters"],
      ["buyer_addr", "x".repeat(129), "buyer_addr must be at most 128 characters"],
      ["buyer_postcode", "123456789", "buyer_postcode must be at most 8 characters"],
    ])("refuses %s %j", (field, value, why) => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, [field]: value })).toEqual([{ path: [field], message: why }]);
    });
  });

  describe("booleans", () => {
    it.each(["escrow", "digital"])("refuses %s as the string 'true'", (field) => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, [field]: "true" })).toEqual([
        { path: [field], message: `${field} must be true or false, got a string` },
      ]);
    });
  });

  describe("custom_data", () => {
    it("accepts a JSON object and keeps it", () => {
      // Arrange
      const customData = { cart: [1, 2], note: { gift: true } };
      // Act
      const order = createOrderRequestSchema.parse({ ...cardOrder, custom_data: customData });
      // Assert
      expect(order.custom_data).toEqual(customData);
    });

    it.each([
      ["an array", [1, 2]],
      ["a string", "{}"],
      ["null", null],
    ])("refuses %s", (_label, customData) => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, custom_data: customData })).toEqual([
        { path: ["custom_data"], message: expect.stringMatching(/custom_data must be a JSON object/) },
      ]);
    });
  });

  describe("result_url", () => {
    it.each(["https://shop.example.com/orders/done?x=1", "http://localhost:3000/done"])(
      "accepts %j",
      (url) => {
        // Act / Assert
        expect(accepts({ ...cardOrder, result_url: url })).toBe(true);
      },
    );

    it.each(["/orders/done", "javascript:alert(1)", "ftp://shop.example.com/", "shop.example.com/done"])(
      "refuses %j",
      (url) => {
        // Act / Assert
        expect(issuesOf({ ...cardOrder, result_url: url })).toEqual([
          { path: ["result_url"], message: "result_url must be an absolute http(s) URL" },
        ]);
      },
    );
  });
});
