/**
 * Strangers cannot page anyone: a webhook or callback naming another order's
 * real imp_uid is counted as a spoof attempt (the `Signals` metric, alarmed on
 * a rate) and logs no alert; iamport down is counted as `iamport_unavailable`
 * with its 503. Real handlers, DynamoDB Local and the sandbox.
 */
import { afterEach, beforeEach, describe, expect, type MockInstance, test, vi } from "vitest";
import { useStack } from "../../support/stack.js";

const ctx = useStack({ env: { LOG_LEVEL: "warn" } });
let stdout: MockInstance;
beforeEach(() => {
  stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
});
afterEach(() => stdout.mockRestore());

function logged(): Array<Record<string, any>> {
  return stdout.mock.calls
    .flatMap(([chunk]) => String(chunk).split("\n"))
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line));
}

describe("signals, not alerts", () => {
  test("a webhook and a callback naming another order's payment: two spoof data points, no alert", async () => {
    const t = ctx();
    const victim = await t.createOrder({ amount: 900_000 });
    const cheap = await t.createOrder({ amount: 1_000 });
    const control = t.stack.sandbox!.control;
    control.setWebhookFault({ kind: "drop" });
    const paid = control.pay({ ...cheap.body.request_pay, outcome: "approve" });

    const hook = await t.api("/webhooks/iamport", {
      key: null,
      body: { imp_uid: paid.imp_uid, merchant_uid: victim.body.merchant_uid, status: "paid" },
    });
    const cb = await t.api("/payments/complete", {
      key: null,
      body: { imp_uid: paid.imp_uid, merchant_uid: victim.body.merchant_uid },
    });
    control.clearWebhookFaults();

    expect(hook.status).toBe(200);
    expect(cb.status).toBe(400);
    const lines = logged();
    const spoofs = lines.filter((line) => line.signal === "spoofed_imp_uid");
    expect(spoofs).toHaveLength(2);
    for (const line of spoofs) {
      expect(line.Signals).toBe(1);
      expect(line._aws.CloudWatchMetrics[0]).toMatchObject({
        Dimensions: [["signal"], ["signal", "function"]],
        Metrics: [{ Name: "Signals", Unit: "Count" }],
      });
    }
    expect(lines.filter((line) => line.alert !== undefined)).toEqual([]);
  });

  test("a malformed imp_uid (a lone surrogate) is a 400 naming it, never a 503 counted as iamport down", async () => {
    const t = ctx();
    const order = await t.createOrder();

    const res = await t.api("/webhooks/iamport", {
      key: null,
      body: `{"imp_uid":"imp_\\ud800","merchant_uid":"${order.body.merchant_uid}","status":"paid"}`,
    });

    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.issues)).toContain("imp_uid");
    expect(logged().filter((line) => line.signal !== undefined || line.alert !== undefined)).toEqual([]);
  });

  test("iamport unreachable: 503 with Retry-After, counted as iamport_unavailable", async () => {
    const t = ctx();
    const order = await t.createOrder();
    const control = t.stack.sandbox!.control;
    control.addFault({ path: "/payments/find/:merchant_uid", kind: "status", status: 500 });
    control.addFault({ path: "/payments/:imp_uid", kind: "status", status: 500 });

    const res = await t.api("/webhooks/iamport", {
      key: null,
      body: { imp_uid: "imp_123456789012", merchant_uid: order.body.merchant_uid, status: "paid" },
    });
    control.clearFaults();

    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBeTruthy();
    const outage = logged().filter((line) => line.signal === "iamport_unavailable");
    expect(outage).toHaveLength(1);
    expect(outage[0]).toMatchObject({ Signals: 1 });
  });
});
