import { describe, expect, it } from "vitest";
import { CARD_CODES } from "../../../lib/kicc/index.js";
import { accepts, cardOrder, issuesOf } from "./order-fixtures.js";

// Installments need 50,000 KRW, so card.direct tests that use them start here.
const bigCardOrder = { ...cardOrder, amount: 50_000 };

describe("POST /orders body: card options", () => {
  describe("card.direct.code", () => {
    it.each(Object.keys(CARD_CODES))("accepts %s", (code) => {
      // Act / Assert
      expect(accepts({ ...cardOrder, card: { direct: { code, quota: 0 } } })).toBe(true);
    });

    it.each(["999", "41", "*", "VIS", ""])("refuses %j", (code) => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, card: { direct: { code, quota: 0 } } })).toEqual([
        {
          path: ["card", "direct", "code"],
          message: expect.stringMatching(
            new RegExp(`^card.direct.code "${code.replace("*", "\\*")}" is not a known card code`),
          ),
        },
      ]);
    });

    it("refuses a number (031 would lose its leading zero)", () => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, card: { direct: { code: 366, quota: 0 } } })).toEqual([
        { path: ["card", "direct", "code"], message: "card.direct.code must be a string, got 366" },
      ]);
    });
  });

  describe("card.direct.quota", () => {
    it.each([0, 2, 3, 6, 12])("accepts %s at 50,000 KRW", (quota) => {
      // Act / Assert
      expect(accepts({ ...bigCardOrder, card: { direct: { code: "366", quota } } })).toBe(true);
    });

    it.each([1, 13, 24, -1])("refuses %s", (quota) => {
      // Act / Assert
      expect(issuesOf({ ...bigCardOrder, card: { direct: { code: "366", quota } } })).toEqual([
        {
          path: ["card", "direct", "quota"],
          message: `card.direct.quota must be 0 (lump sum) or an installment count from 2 to 12, got ${quota}`,
        },
      ]);
    });

    it.each([
      [2.5, "card.direct.quota must be a whole number, got 2.5"],
      ["3", 'card.direct.quota must be a JSON number, not a string: send 1000, not "1000"'],
    ])("refuses %j", (quota, why) => {
      // Act / Assert
      expect(issuesOf({ ...bigCardOrder, card: { direct: { code: "366", quota } } })).toEqual([
        { path: ["card", "direct", "quota"], message: why },
      ]);
    });

    it("is required in card.direct", () => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, card: { direct: { code: "366" } } })).toEqual([
        { path: ["card", "direct", "quota"], message: "card.direct.quota is required" },
      ]);
    });

    it("allows installments from exactly 50,000 KRW", () => {
      // Act / Assert
      expect(accepts({ ...cardOrder, amount: 50_000, card: { direct: { code: "366", quota: 3 } } })).toBe(
        true,
      );
    });

    it("refuses installments under 50,000 KRW", () => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, amount: 49_999, card: { direct: { code: "366", quota: 3 } } })).toEqual(
        [
          {
            path: ["card", "direct", "quota"],
            message: "installments (quota 3) need an amount of at least 50000 KRW; use quota 0 (lump sum)",
          },
        ],
      );
    });

    it("allows a lump sum under 50,000 KRW", () => {
      // Act / Assert
      expect(accepts({ ...cardOrder, amount: 49_999, card: { direct: { code: "366", quota: 0 } } })).toBe(
        true,
      );
    });
  });

  describe("card.detail", () => {
    it("accepts the documented Shinhan-only example", () => {
      // Arrange
      const detail = [
        { card_code: "*", enabled: false },
        { card_code: "366", enabled: true },
      ];
      // Act / Assert
      expect(accepts({ ...cardOrder, card: { detail } })).toBe(true);
    });

    it.each([...Object.keys(CARD_CODES), "*"])("accepts card_code %s", (code) => {
      // Act / Assert
      expect(accepts({ ...cardOrder, card: { detail: [{ card_code: code, enabled: true }] } })).toBe(true);
    });

    it.each(["999", "VIS", "**", ""])("refuses card_code %j", (code) => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, card: { detail: [{ card_code: code, enabled: true }] } })).toEqual([
        {
          path: ["card", "detail", 0, "card_code"],
          message: expect.stringMatching(/is not a known card code nor "\*" \(all cards\)/),
        },
      ]);
    });

    it.each([
      ["true", "card.detail[].enabled must be true or false, got a string"],
      [1, "card.detail[].enabled must be true or false, got 1"],
      [undefined, "card.detail[].enabled is required"],
    ])("refuses enabled %j", (enabled, why) => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, card: { detail: [{ card_code: "366", enabled }] } })).toEqual([
        { path: ["card", "detail", 0, "enabled"], message: why },
      ]);
    });

    it("refuses an empty list", () => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, card: { detail: [] } })).toEqual([
        { path: ["card", "detail"], message: expect.stringMatching(/at least one entry/) },
      ]);
    });

    it("refuses a card code listed twice and points at the repeat", () => {
      // Arrange
      const detail = [
        { card_code: "366", enabled: true },
        { card_code: "*", enabled: false },
        { card_code: "366", enabled: false },
      ];
      // Act / Assert
      expect(issuesOf({ ...cardOrder, card: { detail } })).toEqual([
        {
          path: ["card", "detail", 2, "card_code"],
          message: 'card.detail lists card_code "366" more than once',
        },
      ]);
    });

    it("refuses unknown keys in an entry (max_month is not a KICC option)", () => {
      // Act / Assert
      expect(
        issuesOf({ ...cardOrder, card: { detail: [{ card_code: "366", enabled: true, max_month: 3 }] } }),
      ).toEqual([{ path: ["card", "detail", 0], message: "unknown field(s): max_month" }]);
    });
  });

  describe("card", () => {
    it("accepts direct and detail together", () => {
      // Act / Assert
      expect(
        accepts({
          ...cardOrder,
          card: { direct: { code: "366", quota: 0 }, detail: [{ card_code: "366", enabled: true }] },
        }),
      ).toBe(true);
    });

    it("refuses an empty card object", () => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, card: {} })).toEqual([
        { path: ["card"], message: expect.stringMatching(/card needs direct or detail/) },
      ]);
    });

    it("refuses unknown keys such as card.quota, and says what belongs there", () => {
      // Act / Assert
      expect(issuesOf({ ...cardOrder, card: { quota: 3 } })).toEqual([
        { path: ["card"], message: "unknown field(s): quota" },
        { path: ["card"], message: expect.stringMatching(/card needs direct or detail/) },
      ]);
    });

    it.each(["trans", "vbank"])("is refused with pay_method %s", (payMethod) => {
      // Act / Assert
      expect(
        issuesOf({ ...cardOrder, pay_method: payMethod, card: { direct: { code: "366", quota: 0 } } }),
      ).toEqual([
        { path: ["card"], message: `card options apply only to pay_method card, not ${payMethod}` },
      ]);
    });

    it("is refused with pay_method phone", () => {
      // Act / Assert
      expect(
        issuesOf({
          ...cardOrder,
          pay_method: "phone",
          digital: true,
          card: { direct: { code: "366", quota: 0 } },
        }),
      ).toEqual([{ path: ["card"], message: "card options apply only to pay_method card, not phone" }]);
    });
  });
});
