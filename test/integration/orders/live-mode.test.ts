/**
 * Live mode (IAMPORT_MODE=live): a payment made through a test channel
 * (`sandbox: true`) passes a naive amount + status check, so it must never
 * pay an order (fact sheet §10, the 2026-01-26 test-channel abuse fix).
 */
import { expect, test } from "vitest";
import { useStack } from "../../support/stack.js";

const ctx = useStack({ env: { IAMPORT_MODE: "live" } });

test("a test-channel payment is refused in live mode through every door", async () => {
  const t = ctx();
  const control = t.stack.sandbox!.control;
  control.setWebhookFault({ kind: "drop" });
  const created = await t.createOrder();
  const rsp = control.pay({ ...created.body.request_pay, outcome: "approve", testChannel: true });
  const ids = { imp_uid: rsp.imp_uid, merchant_uid: created.body.merchant_uid };

  const hook = await t.api("/webhooks/iamport", { key: null, body: { ...ids, status: "paid" } });
  const callback = await t.api("/payments/complete", { key: null, body: ids });
  const mobile = await t.api(
    `/payments/complete/mobile?imp_uid=${ids.imp_uid}&merchant_uid=${ids.merchant_uid}`,
    {
      key: null,
    },
  );

  expect(control.payment(rsp.imp_uid!)!.sandbox).toBe(true);
  expect(hook.status).toBe(200);
  expect(hook.body.outcome).toBe("rejected");
  expect(callback.status).toBe(400);
  expect(callback.body.issues[0].reason).toContain("test_channel_in_live_mode");
  expect(new URL(mobile.headers.get("location")!).searchParams.get("status")).toBe("pending");
  const order = await t.api(`/orders/${ids.merchant_uid}`);
  expect(order.body.status).toBe("pending");
  expect(order.body.history).toHaveLength(1);
  control.clearWebhookFaults();
});

test("a live-channel payment is accepted in live mode", async () => {
  const t = ctx();
  const created = await t.createOrder();
  const rsp = t.stack.sandbox!.control.pay({ ...created.body.request_pay, outcome: "approve" });

  const callback = await t.api("/payments/complete", {
    key: null,
    body: { imp_uid: rsp.imp_uid, merchant_uid: created.body.merchant_uid },
  });

  expect(callback.body.status).toBe("paid");
});
