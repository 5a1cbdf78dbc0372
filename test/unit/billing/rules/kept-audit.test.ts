import { describe, expect, test } from "vitest";
import type { ChargeAttempt } from "../../../../lib/billing/charge-attempt.js";
import { settleAttempt } from "../../../../lib/billing/rules/charge-attempt-machine.js";
import { keptAuditAgainAt, nextKeptAudit } from "../../../../lib/billing/rules/kept-audit.js";
import { keptAttempt } from "../fixtures.js";

const DAY = 24 * 60 * 60_000;
const paidAt = new Date("2026-03-01T01:00:00.000Z");
const at = (ms: number) => new Date(paidAt.getTime() + ms);

const kept = (patch: Partial<ChargeAttempt> = {}) =>
  keptAttempt({ paidAt: paidAt.toISOString(), ...patch }, { cycle: 1, impUid: "imp_1", at: paidAt });

describe("when the kept-charge audit reads a charge again", () => {
  test("a kept charge: a day after its last change, then when the last audit said", () => {
    expect(nextKeptAudit(kept())).toBe(at(DAY).toISOString());
    expect(nextKeptAudit(kept({ auditAfter: at(9 * DAY).toISOString() }))).toBe(at(9 * DAY).toISOString());
  });

  test("daily in its first month, weekly after", () => {
    expect(keptAuditAgainAt(kept(), at(3 * DAY))).toBe(at(4 * DAY).toISOString());
    expect(keptAuditAgainAt(kept(), at(40 * DAY))).toBe(at(47 * DAY).toISOString());
  });

  test("never: not paid, a surplus we refund ourselves, refunded in full already, or past the horizon", () => {
    const declined = settleAttempt(
      kept({ status: "claimed" }),
      { kind: "declined", severity: "soft", reason: "잔액부족" },
      "response",
      paidAt,
    );
    expect(nextKeptAudit(declined)).toBeUndefined();
    expect(nextKeptAudit(kept({ surplus: "the subscription is gone" }))).toBeUndefined();
    expect(nextKeptAudit(kept({ cancelled: { amount: 9_900, at: paidAt.toISOString() } }))).toBeUndefined();
    expect(nextKeptAudit(kept({ auditAfter: at(401 * DAY).toISOString() }))).toBeUndefined();
  });

  test("a partial refund recorded: still audited (the rest can be refunded too)", () => {
    expect(nextKeptAudit(kept({ cancelled: { amount: 1_000, at: paidAt.toISOString() } }))).toBeDefined();
  });
});
