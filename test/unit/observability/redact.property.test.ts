/**
 * `redact` over any nested value (fast-check): no card-like 13–19 digit run,
 * Korean mobile number or e-mail address survives, wherever it hides: a
 * string under any key, free text, a number, an array, an error's message or
 * stack. Each counterexample the property found became a fix.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { maskEmail, redact } from "../../../lib/observability/logger.js";

const card = fc
  .array(fc.integer({ min: 0, max: 9 }), { minLength: 13, maxLength: 19 })
  .map((digits) => digits.join(""));
const phone = fc
  .tuple(
    fc.constantFrom("010", "011", "016", "017", "018", "019"),
    fc.integer({ min: 1000, max: 9999 }),
    fc.integer({ min: 1000, max: 9999 }),
    fc.constantFrom("-", " ", ""),
  )
  .map(([a, b, c, sep]) => `${a}${sep}${b}${sep}${c}`);
/**
 * A local part of `*` alone cannot be told from the mask (`x*@a.aa` is masked `x***@a.aa`, which
 * contains `*@a.aa` as text while nothing of the address is left): such addresses are not drawn.
 */
const email = fc.emailAddress().filter((address) => /[^*]/.test(address.slice(0, address.indexOf("@"))));
const secret = fc.oneof(card, phone, email);
/** A secret inside surrounding text: letters, digits-free noise, punctuation. */
const inText = fc
  .tuple(
    fc.constantFrom("", "card ", "x", "tel:", "(", "번호 "),
    secret,
    fc.constantFrom("", " ", "x", ")", ".", "님"),
  )
  .map(([before, s, after]) => ({ text: `${before}${s}${after}`, secret: s }));

function leaks(value: unknown, secretText: string): boolean {
  const json =
    JSON.stringify(value, (_k, v) => (v instanceof Error ? { m: v.message, s: v.stack } : v)) ?? "";
  const digits = secretText.replace(/\D/g, "");
  // The masked form keeps the first character and the domain (`*@a.aa` becomes `****@a.aa`, which still
  // contains the address as text): only what is left once the masked forms are taken out can leak.
  if (secretText.includes("@")) return json.split(maskEmail(secretText)).join("").includes(secretText);
  return json
    .replace(/\D/g, " ")
    .split(/\s+/)
    .some((run) => run.length >= digits.length && run.includes(digits));
}

const keys = fc.constantFrom(
  "message",
  "note",
  "buyer_name",
  "reason",
  "detail",
  "x",
  "body",
  "items",
  "error",
);

describe("redact", () => {
  test("nothing personal survives in a string under any key, nested anywhere", () => {
    fc.assert(
      fc.property(inText, fc.array(keys, { minLength: 1, maxLength: 5 }), ({ text, secret: s }, path) => {
        let value: unknown = text;
        for (const key of path) value = key === "items" ? [value] : { [key]: value };
        expect(leaks(redact(value), s)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  test("a card number stored as a number is masked too", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 10n ** 12n, max: 10n ** 16n }), keys, (n, key) => {
        const value = Number(n);
        expect(leaks(redact({ [key]: value }), String(value))).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  test("an address whose local part is only `*` is masked, and nothing of it is left (a fast-check counterexample)", () => {
    const masked = JSON.stringify(redact({ error: new Error("failed for x*@a.aa") }));
    expect(masked).toContain("x***@a.aa");
    expect(masked).not.toContain("x*@a.aa");
  });

  test("an error's message and stack are masked", () => {
    fc.assert(
      fc.property(inText, ({ text, secret: s }) => {
        expect(leaks(redact({ error: new Error(`failed for ${text}`) }), s)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
