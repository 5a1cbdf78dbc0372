/**
 * Found in review (each failed before its fix): a late payment whose refund was DECIDED (refund owed written, `lateRefund` noted) is later
 * applied as the cycle's payment by a retry's lookup of the earlier attempts, while the refund owed
 * is still carried out. The cycle then "keeps" a payment that is refunded: money lost.
 */
import { describe, expect, test } from "vitest";
import { settleCharge } from "../../../lib/billing/settlement/index.js";
import { parseConfig } from "../../../lib/config.js";
import { buildContainer } from "../../../lib/runtime/container.js";
import { useStack } from "../../support/stack.js";
import {
  chargeBehindOurBack,
  claimInFlight,
  control,
  DAY,
  dispatchAt,
  refusedFirstAttempt,
  settle,
  view,
} from "../billing/support.js";
import { runReconcileHandler } from "../orders/refunds/support.js";

const ctx = useStack({ env: { LOG_LEVEL: "silent" } });
const webhook = () => `${ctx().stack.apiUrl}/webhooks/iamport`;

describe("a decided late refund is never undone", () => {
  test("refund decided while attempt 2 was in flight (cancel failed once); attempt 2 declines; the retry's lookup applies the same payment; the executor then refunds it", async () => {
    const t = ctx();
    const { id, customerUid } = await refusedFirstAttempt(t);
    const container = buildContainer(parseConfig(t.stack.env));
    const { subscriptions, chargeDeps, logger } = container;

    // Attempt 2 is claimed and sent (its worker waits for iamport's answer).
    const _claim = await claimInFlight(t, { id, cycle: 1, attempt: 2, customerUid });

    // Meanwhile the PG charged attempt 1 after all; its webhook arrives while attempt 2 is open:
    // the refund is decided (owed), and the immediate cancel gets a 503.
    control(t).addFault({ method: "POST", path: "/payments/cancel", kind: "status", status: 503, times: 1 });
    const hidden = await chargeBehindOurBack(t, `${id}_1_1`, customerUid, webhook());
    await settle(t);
    const decided = await view(t, id);
    expect(decided.refunds_owed).toEqual([
      expect.objectContaining({ imp_uid: hidden.imp_uid, reason: "surplus", state: "pending" }),
    ]);

    // Attempt 2's answer: a soft decline. The cycle is still unpaid; attempt 3 in a day.
    const open = await subscriptions.getAttempt(id, 1, 2);
    await settleCharge(
      chargeDeps,
      open!,
      { kind: "declined", severity: "soft", reason: "[8326] 잔액부족" },
      "response",
      logger,
    );
    expect(await view(t, id)).toMatchObject({ status: "past_due", next_attempt: 3 });

    // Attempt 3 is due: the retry looks up the earlier attempts first...
    await dispatchAt(t, DAY + 2 * 60 * 60_000);
    // ...and the executor carries out the refund that was decided.
    await runReconcileHandler(t);

    const after = await view(t, id);
    const refunded = control(t).payment(hidden.imp_uid);
    // No cycle may keep a payment that is refunded.
    const keptAndRefunded = after.cycles.filter(
      (c: { imp_uid: string | null }) => c.imp_uid && (control(t).payment(c.imp_uid)?.cancel_amount ?? 0) > 0,
    );
    expect({
      hiddenStatus: refunded?.status,
      cyclesKeepingARefundedPayment: keptAndRefunded.map((c: { cycle: number; imp_uid: string }) => [
        c.cycle,
        c.imp_uid,
      ]),
    }).toEqual({ hiddenStatus: "cancelled", cyclesKeepingARefundedPayment: [] });
  });
});
