/**
 * Review: two merchant refunds of one order under different Idempotency-Keys, same amount and reason.
 * The first one's cancel has landed at iamport but its worker has not claimed the cancellation yet;
 * the second one's cancel is refused on checksum, finds the first one's entry in cancel_history (same
 * place, amount and reason), claims it and answers 201. The first then cannot claim its own cancel,
 * and answers 201 as well. Two refunds reported made, one made.
 */
import { describe, expect, test } from "vitest";
import { parseConfig } from "../../../lib/config.js";
import { refundOrder } from "../../../lib/orders/use-cases/refund-order.js";
import { buildContainer } from "../../../lib/runtime/container.js";
import { useStack } from "../../support/stack.js";
import { checkout, iamportPayment, refund } from "../orders/refunds/support.js";

const ctx = useStack({ env: { LOG_LEVEL: "silent" } });

describe("one cancel is the outcome of one request", () => {
  test("a second request's checksum refusal claims the first request's cancel while the first is still finishing", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await checkout(t);
    const deps = buildContainer(parseConfig(t.stack.env)).refundDeps;

    let executed!: () => void;
    const cancelled = new Promise<void>((resolve) => {
      executed = resolve;
    });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Request 1's cancel is executed by iamport; its answer reaches the worker a moment later.
    const iamport = {
      ...deps.iamport,
      cancelPayment: async (input: Parameters<typeof deps.iamport.cancelPayment>[0]) => {
        const answer = await deps.iamport.cancelPayment(input);
        executed();
        await gate;
        return answer;
      },
    };
    const request = { amount: 5_000, reason: "고객 요청" };
    const first = refundOrder(
      { ...deps, iamport },
      {
        merchantUid,
        idempotencyKey: "review-k1",
        request,
      },
    );
    await cancelled;

    // Request 2 (another refund of 5,000, another key) runs meanwhile.
    const second = await refund(t, merchantUid, request, "review-k2");
    release();
    const firstResult = await first.then(
      (r) => ({ ok: true as const, amount: r.result.amount }),
      (error: unknown) => ({ ok: false as const, error: String(error) }),
    );

    const atIamport = iamportPayment(t, impUid);
    const reportedRefunded =
      (second.status === 201 || second.status === 200 ? (second.body.refund.amount as number) : 0) +
      (firstResult.ok ? firstResult.amount : 0);
    expect(atIamport.cancel_history).toHaveLength(1);
    // What the API told the merchant was refunded must be what iamport refunded.
    expect({ reportedRefunded, second: second.status, first: firstResult.ok }).toEqual({
      reportedRefunded: atIamport.cancel_amount,
      second: expect.any(Number),
      first: expect.any(Boolean),
    });
  });
});
