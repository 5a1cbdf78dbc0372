import { describe, expect, test } from "vitest";
import { createLogger, maskEmail, maskPhone, redact } from "../../../lib/observability/logger.js";

describe("personal data never reaches the logs in clear (invariant 7)", () => {
  test("phone, email, card and account fields are masked; secrets redacted", () => {
    const out = redact({
      buyer_tel: "010-1234-5678",
      buyer_email: "someone@example.com",
      card_number: "4111-1111-1111-1111",
      refund_account: "123-456-789012",
      imp_secret: "s3cr3t",
      headers: { authorization: "Bearer abc" },
      imp_uid: "imp_123456789012",
    });

    expect(out).toEqual({
      buyer_tel: "*******5678",
      buyer_email: "s***@example.com",
      card_number: "************1111",
      refund_account: "********9012",
      imp_secret: "[redacted]",
      headers: { authorization: "[redacted]" },
      imp_uid: "imp_123456789012",
    });
  });

  test("card and mobile numbers inside free text are masked too", () => {
    expect(redact("card 4111 1111 1111 1111 declined for 010-9876-5432")).toBe(
      "card ************1111 declined for *******5432",
    );
  });

  test("helpers keep only what support needs", () => {
    expect(maskPhone("01012345678")).toBe("*******5678");
    expect(maskEmail("a@b.kr")).toBe("a***@b.kr");
    expect(maskEmail("broken")).toBe("***");
  });

  test("the logger writes one JSON line with masked fields and respects the level", () => {
    const lines: string[] = [];
    const log = createLogger({ level: "info", write: (line) => lines.push(line), base: { stage: "t" } });

    log.debug("hidden");
    log.child({ merchant_uid: "m-1" }).info("paid", { buyer_tel: "010-1111-2222" });

    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({
      level: "info",
      message: "paid",
      stage: "t",
      merchant_uid: "m-1",
      buyer_tel: "*******2222",
    });
  });
});

test("an alert is a top-level `alert` field, which the CloudWatch metric filter `{ $.alert = * }` counts", () => {
  const lines: string[] = [];
  const log = createLogger({ write: (line) => lines.push(line) });

  log.error("ALERT amount mismatch", { alert: "amount_mismatch", paid: 100 });

  expect(JSON.parse(lines[0] ?? "")).toMatchObject({ level: "error", alert: "amount_mismatch", paid: 100 });
});
