/**
 * Settlement: what happens to money iamport holds for a charge attempt. It is
 * settled with the attempt (paid, or refunded when the subscription does not
 * take it), kept, applied to a cycle that still waits for it, or refunded in
 * full. Code outside this folder imports settlement from here only.
 *
 * The decisions are pure, in decide-settlement.ts (`decideChargePayment`:
 * what a record of iamport's does to an attempt; `decideLatePayment`: apply
 * or refund money behind an attempt settled as not paid; `whySurplusPayment`:
 * a paid attempt its subscription does not take). The executors carry them
 * out, each transaction conditional, and decide again on a lost race:
 *
 * | Caller | Has | Calls |
 * | --- | --- | --- |
 * | the webhook (use-cases/receive-charge-notification.ts) | iamport's record of the payment | `applyChargePayment` |
 * | the ledger sweep (lib/webhooks/match-ledger-payment.ts) | a payment under a `sub_` merchant_uid | `matchChargePayment`, then `applyChargePayment` |
 * | the worker (use-cases/charge-cycle.ts), `again`'s answer or a lookup of an open attempt | an outcome | `settleCharge` |
 * | the worker, before a retry: earlier attempts of the cycle found holding money | the payment | `earlierAttemptsToCheck`, `handleLatePayment` |
 * | the worker, an attempt already settled | the attempt | `applyToSubscription`, `carryOutChargeRefund` |
 *
 * `applyChargePayment` is the one entry for a payment record: it routes to
 * `settleCharge` (open attempt), `handleLatePayment` (settled as not paid),
 * the second-payment refund (paid) or `recordChargeCancel` (the kept payment
 * refunded in iamport's console). The worker calls the first two directly
 * because it meets their conflicts and iamport errors its own way (a conflict
 * there means "the subscription changed, decide the charge again"; an
 * unreadable iamport means "do not send"), where the webhook and the sweep
 * answer "retry later". Every refund goes through charge-refunds.ts: written
 * durably with its decision (lib/ledger), then carried out at once when iamport lets us.
 */
export { applyChargePayment, type ChargePaymentResult } from "./apply-charge-payment.js";
export { carryOutChargeRefund } from "./charge-refunds.js";
export { earlierAttemptsToCheck } from "./decide-settlement.js";
export { handleLatePayment, type LatePaymentResult } from "./late-payment.js";
export { matchChargePayment } from "./match-charge-payment.js";
export { applyToSubscription, type SettleOutcome, settleCharge } from "./settle-charge.js";
