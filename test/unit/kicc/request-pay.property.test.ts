/**
 * The KICC request rules as a round trip (fast-check): any create-order body
 * the schema accepts builds `IMP.request_pay` params that the sandbox's own,
 * independently written KICC pre-checks accept too; any body it refuses gets
 * a ValidationError whose every issue names a field of the body.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ValidationError } from "../../../lib/errors.js";
import { validate } from "../../../lib/http/validate.js";
import { createOrderRequestSchema } from "../../../lib/kicc/create-order-request.js";
import { buildRequestPayParams } from "../../../lib/kicc/request-pay.js";
import { checkKiccParams } from "../../../sandbox/core/kicc-rules.js";
import { resolveOptions } from "../../../sandbox/core/options.js";

const sandboxOptions = resolveOptions({});
/** Mostly a valid value, sometimes a wrong one: both sides of the rules get reached. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, wrong: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: wrong });
const products = fc.array(
  fc.record({
    orderNumber: mostly(fc.constantFrom("line-1", "line-2"), fc.constant("")),
    name: mostly(fc.constantFrom("Mug", "Saucer"), fc.constantFrom("", "x".repeat(300))),
    quantity: mostly(fc.integer({ min: 1, max: 5 }), fc.integer({ min: -1, max: 0 })),
    amount: mostly(fc.integer({ min: 1, max: 90_000 }), fc.integer({ min: -10, max: 0 })),
  }),
  { minLength: 1, maxLength: 3 },
);

const base = fc.record({
  name: mostly(fc.constantFrom("Blue mug", "머그컵"), fc.constantFrom("", " ", "x".repeat(300))),
  amount: mostly(fc.integer({ min: 100, max: 2_000_000 }), fc.constantFrom(0, -5, 0.5, 1e308, 2 ** 53 + 1)),
  pay_method: mostly(fc.constantFrom("card", "trans", "vbank", "phone"), fc.constantFrom("samsung", "")),
  buyer_name: mostly(fc.constant("홍길동"), fc.constantFrom("", "x".repeat(100))),
  buyer_email: mostly(fc.constant("buyer@example.com"), fc.constantFrom("nope", "")),
  buyer_tel: mostly(
    fc.constantFrom("010-1234-5678", "01012345678", "02-123-4567"),
    fc.constantFrom("", "abc"),
  ),
});
/** The options that belong to the pay method, mostly; now and then one that does not. */
const extras = (payMethod: unknown) =>
  fc
    .record(
      {
        tax_free: mostly(fc.integer({ min: 0, max: 100 }), fc.integer({ min: -1, max: 3_000_000 })),
        escrow:
          payMethod === "trans" || payMethod === "vbank"
            ? fc.boolean()
            : mostly(fc.constant(false), fc.constant(true)),
        kiccProducts: products,
        digital: payMethod === "phone" ? fc.boolean() : fc.constant(true),
        vbank_due: mostly(
          fc.constantFrom("2099-12-31", "20991231235959"),
          fc.constantFrom("2000-01-01", "31/12/2099", ""),
        ),
        card: fc.record({
          quota: mostly(fc.integer({ min: 0, max: 12 }), fc.integer({ min: -1, max: 24 })),
          direct: fc.record({ code: mostly(fc.constantFrom("361", "366", "367"), fc.constant("999")) }),
        }),
      },
      { requiredKeys: [] },
    )
    .map((e) => {
      // Drop what does not belong, most of the time.
      const out: Record<string, unknown> = { ...e };
      if (payMethod !== "card") delete out.card;
      if (payMethod !== "vbank") delete out.vbank_due;
      if (payMethod !== "phone") delete out.digital;
      if (!out.escrow) delete out.kiccProducts;
      return out;
    });
const body = base.chain((b) =>
  fc
    .tuple(
      extras(b.pay_method),
      fc.dictionary(fc.constantFrom("card", "digital", "vbank_due", "escrow"), fc.constant(true), {
        maxKeys: 1,
      }),
    )
    .map(([e, stray]) => ({ ...b, ...e, ...(Math.random() < 0.1 ? stray : {}) })),
);

describe("create-order body → request_pay", () => {
  test("accepted bodies build params KICC's rules (the sandbox's pre-checks) accept; refused ones name fields", () => {
    let accepted = 0;
    fc.assert(
      fc.property(body, (input) => {
        let request: ReturnType<typeof createOrderRequestSchema.parse>;
        try {
          request = validate(createOrderRequestSchema, input);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
          for (const issue of (error as ValidationError).issues) {
            expect(issue.field).not.toBe("body");
            expect(issue.field.length).toBeGreaterThan(0);
          }
          return;
        }
        accepted++;
        const params = buildRequestPayParams(request, {
          merchantUid: "ord_property",
          pg: `kicc.${sandboxOptions.kiccMid}`,
          mRedirectUrl: "https://shop.example/payments/complete/mobile",
          now: new Date("2026-12-01T00:00:00Z"),
          defaultVbankDueHours: 72,
        });
        expect(() =>
          checkKiccParams({ ...params, outcome: "approve" } as never, sandboxOptions),
        ).not.toThrow();
      }),
      { numRuns: 3000 },
    );
    // The generator reaches both sides often enough to mean something.
    expect(accepted).toBeGreaterThan(30);
  });
});
