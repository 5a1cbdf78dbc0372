/** Plain order and iamport payment records for the pure order rules' unit tests. */
import type { Order } from "../../lib/orders/order.js";
import type { PaymentFacts } from "../../lib/orders/rules/payment-facts.js";

/** A pending 10,000 KRW card order `m-1`; `patch` overrides any field. */
export function orderFixture(patch: Partial<Order> = {}): Order {
  return {
    merchantUid: "m-1",
    status: "pending",
    version: 1,
    amount: 10_000,
    taxFree: 0,
    currency: "KRW",
    name: "mug",
    payMethod: "card",
    buyer: { tel: "010-0000-0000" },
    escrow: false,
    requestPay: {} as Order["requestPay"],
    requestHash: "h",
    prepared: true,
    refundedAmount: 0,
    refunds: [],
    checkAfter: "2026-11-28T00:00:00.000Z",
    createdAt: "2026-11-27T00:00:00.000Z",
    updatedAt: "2026-11-27T00:00:00.000Z",
    ...patch,
  };
}

/** iamport's record of `m-1` paid in full by card through KICC's live channel. */
export function paymentFixture(patch: Partial<PaymentFacts> = {}): PaymentFacts {
  return {
    imp_uid: "imp_1",
    merchant_uid: "m-1",
    amount: 10_000,
    cancel_amount: 0,
    currency: "KRW",
    status: "paid",
    sandbox: false,
    pg_provider: "kicc",
    pay_method: "card",
    ...patch,
  };
}
