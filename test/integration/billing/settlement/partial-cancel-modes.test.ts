/**
 * After a partial cancel iamport's status is undocumented (sandbox mode `partialCancel`): a charge
 * found partly refunded by hand must lead to the same books whichever status it reads.
 */
import { describe, expect, test } from "vitest";
import { useStack } from "../../../support/stack.js";
import {
  chargeBehindOurBack,
  chargesOf,
  claimInFlight,
  control,
  DAY,
  dispatchAt,
  refusedFirstAttempt,
  settle,
  subscribed,
  view,
} from "../support.js";

const ctx = useStack({ env: { BILLING_UNKNOWN_SETTLE_SECONDS: "1" } });

describe.each(["stays-paid", "cancelled"] as const)("partialCancel=%s", (mode) => {
  test("a charge whose answer was lost, then partly refunded at the console before our lookup, pays its cycle; nothing is charged again", async () => {
    const t = ctx();
    const before = control(t).modes();
    control(t).setModes({ partialCancel: mode });
    try {
      const { id, customerUid } = await subscribed(t);
      // Cycle 2's worker sent `again` and died; the charge landed, its webhook and the cancel's are lost.
      await claimInFlight(t, {
        id,
        cycle: 2,
        attempt: 1,
        customerUid,
        at: new Date(Date.now() - 10 * 60_000),
      });
      control(t).setWebhookFault({ kind: "drop", times: 2 });
      const late = await chargeBehindOurBack(t, `${id}_2_1`, customerUid);
      control(t).cancelFromConsole(late.imp_uid, { amount: 1_000, reason: "부분 환불" });
      await control(t).flushWebhooks();

      await dispatchAt(t, 32 * DAY);
      const sub = await view(t, id);

      expect(sub.cycles[1]).toMatchObject({ cycle: 2, status: "paid", imp_uid: late.imp_uid });
      expect(sub).toMatchObject({ status: "active", paid_cycles: 2 });
      expect(chargesOf(t, customerUid).filter((p) => p.cancel_amount < p.amount)).toHaveLength(2);
    } finally {
      control(t).setModes(before);
    }
  });

  test("a charge hidden behind a refusal, partly refunded at the console: the cancel's webhook makes it the cycle's payment", async () => {
    const t = ctx();
    const before = control(t).modes();
    control(t).setModes({ partialCancel: mode });
    try {
      const { id, customerUid } = await refusedFirstAttempt(t);
      control(t).setWebhookFault({ kind: "drop", times: 1 });
      const hidden = await chargeBehindOurBack(t, `${id}_1_1`, customerUid);
      await control(t).flushWebhooks();
      control(t).cancelFromConsole(hidden.imp_uid, { amount: 1_000, reason: "부분 환불" });
      await settle(t);
      const sub = await view(t, id);

      expect(sub.cycles[0]).toMatchObject({ cycle: 1, status: "paid", imp_uid: hidden.imp_uid });
      expect(sub).toMatchObject({ status: "active", paid_cycles: 1 });
    } finally {
      control(t).setModes(before);
    }
  });

  test("a charge hidden behind a refusal, partly refunded at the console, every webhook lost: the retry's lookup finds it and charges nothing more", async () => {
    const t = ctx();
    const before = control(t).modes();
    control(t).setModes({ partialCancel: mode });
    try {
      const { id, customerUid } = await refusedFirstAttempt(t);
      control(t).setWebhookFault({ kind: "drop", times: 2 });
      const hidden = await chargeBehindOurBack(t, `${id}_1_1`, customerUid);
      control(t).cancelFromConsole(hidden.imp_uid, { amount: 1_000, reason: "부분 환불" });
      await control(t).flushWebhooks();

      await dispatchAt(t, 61 * 60_000);
      const sub = await view(t, id);

      expect(sub.cycles[0]).toMatchObject({ cycle: 1, status: "paid", imp_uid: hidden.imp_uid });
      expect(chargesOf(t, customerUid)).toHaveLength(1);
    } finally {
      control(t).setModes(before);
    }
  });
});
