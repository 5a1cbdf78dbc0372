/**
 * With KICC_MID configured, orders ask for `pg: "kicc.<MID>"` and only
 * payments through our MIDs (pg_id) can pay them.
 */
import { expect, test } from "vitest";
import { useStack } from "../../support/stack.js";

const ctx = useStack({
  env: { KICC_MID: "T5102001", IAMPORT_MODE: "live" },
  sandbox: { kiccMid: "T5102001" },
});

test("an order asks for our MID and a payment through it is paid", async () => {
  const t = ctx();
  const created = await t.createOrder();
  const rsp = t.stack.sandbox!.control.pay({ ...created.body.request_pay, outcome: "approve" });

  const res = await t.api("/payments/complete", {
    key: null,
    body: { imp_uid: rsp.imp_uid, merchant_uid: created.body.merchant_uid },
  });

  expect(created.body.request_pay.pg).toBe("kicc.T5102001");
  expect(t.stack.sandbox!.control.payment(rsp.imp_uid!)!.pg_id).toBe("T5102001");
  expect(res.body.status).toBe("paid");
});
