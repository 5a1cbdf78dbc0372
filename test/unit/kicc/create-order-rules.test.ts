import { describe, expect, it } from "vitest";
import { findOrderRuleViolations } from "../../../lib/kicc/index.js";
import { accepts, cardOrder, escrowOrder, issuesOf } from "./order-fixtures.js";

const product = { orderNumber: "P-1", name: "Desk lamp", quantity: 1, amount: 64_000 };

describe("POST /orders body: cross-field rules", () => {
  describe("tax_free", () => {
    it("may equal amount (a fully tax-free order)", () => {
      // Act / Assert
      expect(accepts({ ...cardOrder, amount: 1000, tax_free: 1000 })).toBe(true);
    });

    it("must not exceed amount", () => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, amount: 1000, tax_free: 1001 })).toEqual([
        { path: ["tax_free"], message: "tax_free (1001) must not exceed amount (1000)" },
      ]);
    });
  });

  describe("escrow", () => {
    it.each(["vbank", "trans"])("is accepted with %s and full buyer details and products", (payMethod) => {
      // Act / Assert
      expect(accepts({ ...escrowOrder, pay_method: payMethod })).toBe(true);
    });

    it.each(["card", "phone"])("is refused with %s", (payMethod) => {
      // Act / Assert
      expect(
        issuesOf({ ...escrowOrder, pay_method: payMethod, digital: payMethod === "phone" || undefined }),
      ).toEqual([
        {
          path: ["escrow"],
          message: `escrow is available only with pay_method trans or vbank on KICC, not ${payMethod}`,
        },
      ]);
    });

    it.each([
      ["buyer_name", "buyer_name is required for an escrow payment"],
      ["buyer_email", "buyer_email is required for an escrow payment"],
      ["kiccProducts", "kiccProducts is required for an escrow payment (KICC escrow lists the goods)"],
    ])("requires %s", (field, why) => {
      // Arrange
      const { [field as keyof typeof escrowOrder]: _omitted, ...body } = escrowOrder;
      // Act / Assert
      expect(issuesOf(body)).toEqual([{ path: [field], message: why }]);
    });

    it("requires buyer_tel (as every KICC order does)", () => {
      // Arrange
      const { buyer_tel: _omitted, ...body } = escrowOrder;
      // Act / Assert
      expect(issuesOf(body)).toEqual([{ path: ["buyer_tel"], message: "buyer_tel is required" }]);
    });

    it("refuses an empty kiccProducts list", () => {
      // Act / Assert
      expect(issuesOf({ ...escrowOrder, kiccProducts: [] })).toEqual([
        { path: ["kiccProducts"], message: "kiccProducts must list at least one product" },
      ]);
    });

    it("does not check product amounts against amount (KICC does not either)", () => {
      // Act / Assert
      expect(accepts({ ...escrowOrder, kiccProducts: [{ ...product, amount: 1 }] })).toBe(true);
    });

    it("escrow: false needs nothing extra", () => {
      // Act / Assert
      expect(accepts({ ...cardOrder, escrow: false })).toBe(true);
    });
  });

  describe("kiccProducts", () => {
    it.each([
      ["without escrow", { ...cardOrder, pay_method: "vbank", kiccProducts: [product] }],
      ["with escrow: false", { ...cardOrder, pay_method: "vbank", escrow: false, kiccProducts: [product] }],
    ])("is refused %s", (_label, body) => {
      // Act / Assert
      expect(issuesOf(body)).toEqual([
        {
          path: ["kiccProducts"],
          message: "kiccProducts is only for escrow payments; send escrow: true or leave it out",
        },
      ]);
    });

    it("accepts 100 products", () => {
      // Act / Assert
      expect(accepts({ ...escrowOrder, kiccProducts: Array.from({ length: 100 }, () => product) })).toBe(
        true,
      );
    });

    it("refuses 101 products", () => {
      // Act / Assert
      expect(issuesOf({ ...escrowOrder, kiccProducts: Array.from({ length: 101 }, () => product) })).toEqual([
        { path: ["kiccProducts"], message: "kiccProducts must list at most 100 products" },
      ]);
    });

    it("accepts a free item (amount 0)", () => {
      // Act / Assert
      expect(accepts({ ...escrowOrder, kiccProducts: [product, { ...product, amount: 0 }] })).toBe(true);
    });

    it.each([
      ["quantity", 0, "kiccProducts[].quantity must be at least 1"],
      ["quantity", 1.5, "kiccProducts[].quantity must be a whole number, got 1.5"],
      ["quantity", "2", 'kiccProducts[].quantity must be a JSON number, not a string: send 1000, not "1000"'],
      ["amount", -1, "kiccProducts[].amount must not be negative"],
      ["orderNumber", "", "kiccProducts[].orderNumber must not be empty"],
      ["orderNumber", undefined, "kiccProducts[].orderNumber is required"],
      ["name", undefined, "kiccProducts[].name is required"],
    ])("refuses %s %j", (field, value, why) => {
      // Act / Assert
      expect(issuesOf({ ...escrowOrder, kiccProducts: [product, { ...product, [field]: value }] })).toEqual([
        { path: ["kiccProducts", 1, field], message: why },
      ]);
    });

    it("refuses unknown keys in a product (snake_case order_number)", () => {
      // Act / Assert
      expect(issuesOf({ ...escrowOrder, kiccProducts: [{ ...product, order_number: "P-1" }] })).toEqual([
        { path: ["kiccProducts", 0], message: "unknown field(s): order_number" },
      ]);
    });
  });

  describe("vbank_due", () => {
    it.each(["2026-03-01", "20260301", "2026-03-01 00:30:00", "20260301003000", "2028-02-29"])(
      "is accepted for vbank as %s",
      (due) => {
        // Act / Assert
        expect(accepts({ ...cardOrder, pay_method: "vbank", vbank_due: due })).toBe(true);
      },
    );

    it.each(["2026-02-29", "2026-03-01T00:30:00", "1740000000", "20260301 003000"])("refuses %j", (due) => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, pay_method: "vbank", vbank_due: due })).toEqual([
        {
          path: ["vbank_due"],
          message: `vbank_due ${JSON.stringify(due)} is not a real date in one of YYYY-MM-DD, YYYYMMDD, YYYY-MM-DD HH:mm:ss or YYYYMMDDHHmmss (KST)`,
        },
      ]);
    });

    it("refuses a unix timestamp number", () => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, pay_method: "vbank", vbank_due: 1_772_000_000 })).toEqual([
        { path: ["vbank_due"], message: "vbank_due must be a string, got 1772000000" },
      ]);
    });

    it.each(["card", "trans"])("is refused with %s", (payMethod) => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, pay_method: payMethod, vbank_due: "2026-03-01" })).toEqual([
        { path: ["vbank_due"], message: `vbank_due applies only to pay_method vbank, not ${payMethod}` },
      ]);
    });
  });

  describe("digital", () => {
    it.each([true, false])("is accepted as %s with phone", (digital) => {
      // Act / Assert
      expect(accepts({ ...cardOrder, pay_method: "phone", digital })).toBe(true);
    });

    it("is required with phone", () => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, pay_method: "phone" })).toEqual([
        {
          path: ["digital"],
          message: "digital (true or false) is required for pay_method phone: are the goods digital content?",
        },
      ]);
    });

    it.each(["card", "trans", "vbank"])("is refused with %s", (payMethod) => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, pay_method: payMethod, digital: false })).toEqual([
        { path: ["digital"], message: `digital applies only to pay_method phone, not ${payMethod}` },
      ]);
    });
  });

  it("reports every broken cross-field rule at once", () => {
    // Arrange
    const body = {
      ...cardOrder,
      amount: 10_000,
      tax_free: 20_000,
      escrow: true,
      vbank_due: "2026-03-01",
      card: { direct: { code: "366", quota: 6 } },
    };
    // Act
    const paths = issuesOf(body).map((issue) => issue.path.join("."));
    // Assert
    expect(paths).toEqual([
      "tax_free",
      "escrow",
      "buyer_name",
      "buyer_email",
      "kiccProducts",
      "card.direct.quota",
      "vbank_due",
    ]);
  });

  it("findOrderRuleViolations finds nothing in a valid escrow order", () => {
    // Act / Assert
    expect(findOrderRuleViolations({ ...escrowOrder, kiccProducts: [product] })).toEqual([]);
  });
});
