import fc from "fast-check";
import { expect, test } from "vitest";
import { capFields, MAX_NOTE_FIELD_CHARS, webhookNoteStatus } from "../../lib/inbound-notes.js";

test("a webhook's status is one of iamport's four words, or `other`", () => {
  expect(["ready", "paid", "failed", "cancelled"].map(webhookNoteStatus)).toEqual([
    "ready",
    "paid",
    "failed",
    "cancelled",
  ]);
  for (const claimed of ["PAID", "refunded", "", null, undefined, 1, { paid: true }, ["paid"]])
    expect(webhookNoteStatus(claimed)).toBe("other");
});

test("every string field is kept to the cap with its length beside it; other values as they arrived", () => {
  fc.assert(
    fc.property(
      fc.dictionary(
        fc.string({ maxLength: 8 }).filter((key) => !key.endsWith("_length")),
        fc.oneof(fc.string({ maxLength: 1200 }), fc.integer(), fc.constant(null)),
      ),
      (body) => {
        const capped = capFields(body);
        for (const [key, value] of Object.entries(body)) {
          if (typeof value === "string" && value.length > MAX_NOTE_FIELD_CHARS) {
            expect(capped[key]).toBe(value.slice(0, MAX_NOTE_FIELD_CHARS));
            expect(capped[`${key}_length`]).toBe(value.length);
          } else {
            expect(capped[key]).toEqual(value);
          }
        }
        for (const value of Object.values(capped))
          if (typeof value === "string") expect(value.length).toBeLessThanOrEqual(MAX_NOTE_FIELD_CHARS);
      },
    ),
  );
});
