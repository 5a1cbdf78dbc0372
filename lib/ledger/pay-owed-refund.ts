/**
 * Carries out refunds owed (owed-refund.ts) until iamport's own record shows
 * them done. Every cancel refunds the balance just re-read, with `checksum`
 * set to it, under a lease: two executors, a crash between the decision and
 * the cancel or between the cancel and its record, a lost answer: none of it
 * can refund twice, and none of it forgets the refund.
 */
import { IamportApiError } from "../iamport/errors.js";
import type { CancelPaymentInput } from "../iamport/types.js";
import type { Logger } from "../observability/logger.js";
import type { PaymentFacts } from "../orders/rules/payment-facts.js";
import {
  afterFailedCancel,
  decideOwedRefundStep,
  leaseForCancel,
  type OwedRefund,
  type OwedRefundReason,
} from "./owed-refund.js";
import type { OwedRefundsRepository } from "./ports.js";

export interface OwedRefundDeps {
  iamport: {
    getPayment(impUid: string): Promise<PaymentFacts>;
    cancelPayment(input: CancelPaymentInput): Promise<PaymentFacts>;
  };
  owedRefunds: OwedRefundsRepository;
  clock: () => Date;
  logger: Logger;
}

/** The buyer's bank account, for a deposited virtual account (standard bank code, digits only). */
export interface RefundAccount {
  holder: string;
  bankCode: string;
  account: string;
}

/** What iamport (and the buyer, on KICC's notice) reads as the reason. */
const CANCEL_REASONS: Record<OwedRefundReason, string> = {
  forged: "결제 금액 불일치(위변조 의심) 자동 환불",
  second_payment: "동일 주문 중복 결제 자동 환불",
  surplus: "정기결제 중복/미청구 회차 결제 자동 환불",
  rejected_charge: "정기결제 검증 실패 자동 환불",
  orphan: "주문 정보 없는 결제 자동 환불",
};

const MAX_ROUNDS = 4;
/** Failed cancels (timeouts, 5xx) before a person is told; the executor keeps retrying after. */
const STILL_FAILING_AFTER = 4;

/**
 * Takes `owed` as far as it can go now and returns it as stored after.
 * Never throws for iamport trouble: the item is rescheduled and the next
 * executor run (reconciler, sweep) goes on. A refund account makes a
 * `needs_account` item due at once.
 */
export async function payOwedRefund(
  deps: OwedRefundDeps,
  owed: OwedRefund,
  options: { account?: RefundAccount } = {},
): Promise<OwedRefund> {
  const log = deps.logger.child({ merchant_uid: owed.merchantUid, imp_uid: owed.impUid, job: "owed_refund" });
  let current = owed;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const now = deps.clock();
    if (current.state === "done") return current;
    const due = !current.checkAfter || Date.parse(current.checkAfter) <= now.getTime();
    if (!due && !options.account) return current;

    const payment = await readPayment(deps, current.impUid, log);
    if (!payment) return reschedule(deps, current, "iamport could not be read", now);
    const step = decideOwedRefundStep(current, payment, { hasAccount: Boolean(options.account), now });
    if (step.kind !== "cancel") {
      const saved = await deps.owedRefunds.update(current, step.next);
      if (!saved.saved) {
        if (!saved.current) return current;
        current = saved.current;
        continue;
      }
      announce(current, step.next, log);
      return step.next;
    }

    const leased = leaseForCancel(current, now);
    const lease = await deps.owedRefunds.update(current, leased);
    if (!lease.saved) {
      if (!lease.current) return current;
      current = lease.current; // another executor holds it, or finished it
      continue;
    }
    current = leased;
    const outcome = await cancel(deps, current, step.amount, options.account, log);
    if (outcome.kind === "read") {
      current = await settleFrom(deps, current, outcome.payment, step.amount, options, log);
      if (current.state === "done" || current.state === "needs_account") return current;
      continue;
    }
    const next = afterFailedCancel(current, outcome, deps.clock());
    const saved = await deps.owedRefunds.update(current, next);
    if (saved.saved && next.state === "pending" && next.tries === STILL_FAILING_AFTER) {
      // It keeps failing by itself (5xx, timeouts): it goes on retrying, and a person should know.
      log.error("ALERT a refund owed keeps failing at iamport; still retrying", {
        alert: "refund_failed",
        amount: step.amount,
        tries: next.tries,
        reason: current.reason,
        why: current.detail,
        error: outcome.error,
      });
    }
    if (saved.saved) {
      if (next.state === "needs_person" && current.state !== "needs_person") {
        log.error("ALERT iamport refuses a refund this service owes; refund it by hand", {
          alert: "refund_failed",
          amount: step.amount,
          reason: current.reason,
          why: current.detail,
          iamport_message: outcome.error,
        });
      }
      return next;
    }
    return saved.current ?? current;
  }
  return current;
}

type CancelOutcome =
  | { kind: "read"; payment: PaymentFacts }
  | { kind: "failed"; refused: boolean; error: string };

/** The cancel, then iamport's record: the only thing that says whether money went back. */
async function cancel(
  deps: OwedRefundDeps,
  owed: OwedRefund,
  amount: number,
  account: RefundAccount | undefined,
  log: Logger,
): Promise<CancelOutcome> {
  try {
    const payment = await deps.iamport.cancelPayment({
      impUid: owed.impUid,
      amount,
      checksum: amount,
      reason: CANCEL_REASONS[owed.reason],
      ...(account
        ? { refundHolder: account.holder, refundBank: account.bankCode, refundAccount: account.account }
        : {}),
    });
    return { kind: "read", payment };
  } catch (error) {
    const refused = error instanceof IamportApiError && error.httpStatus < 500;
    log.warn("owed refund not confirmed by the cancel; re-reading the payment", { error });
    const payment = await readPayment(deps, owed.impUid, log);
    // The re-read decides: 0 means the refund happened after all (a lost answer, a concurrent cancel);
    // a balance that moved (a console cancel meanwhile) is decided again. Only an unchanged balance
    // is a failure: retried after a back-off, or, when iamport itself said no, left to a person.
    if (payment) {
      const balance = Math.max(0, payment.amount - payment.cancel_amount);
      if (balance !== amount) return { kind: "read", payment };
    }
    return { kind: "failed", refused: refused && payment !== null, error: messageOf(error) };
  }
}

/** Applies iamport's record after a cancel: done when the balance is 0, else decided again. */
async function settleFrom(
  deps: OwedRefundDeps,
  owed: OwedRefund,
  payment: PaymentFacts,
  sent: number,
  options: { account?: RefundAccount },
  log: Logger,
): Promise<OwedRefund> {
  const step = decideOwedRefundStep(owed, payment, {
    hasAccount: Boolean(options.account),
    now: deps.clock(),
  });
  if (step.kind === "cancel") {
    // The balance moved but is not 0 (a partial console cancel meanwhile): due again at once.
    const next = { ...owed, checkAfter: deps.clock().toISOString(), version: owed.version + 1 };
    const saved = await deps.owedRefunds.update(owed, next);
    return saved.saved ? next : (saved.current ?? owed);
  }
  const saved = await deps.owedRefunds.update(owed, step.next);
  if (!saved.saved) return saved.current ?? owed;
  announce(owed, step.next, log, sent);
  return step.next;
}

/** One alert when a refund is made or starts waiting on a person; nothing for a re-check. */
function announce(before: OwedRefund, after: OwedRefund, log: Logger, refunded?: number): void {
  if (after.state === "done") {
    const fields = {
      alert: before.alert,
      reason: before.reason,
      why: before.detail,
      refunded: refunded ?? before.amount,
      cancel_amount: after.refundedAmount,
    };
    if (before.tries > 0 || refunded !== undefined)
      log.error(`ALERT refunded in full: ${before.detail}`, fields);
    else log.info("owed refund found done at iamport (refunded elsewhere)", fields);
    return;
  }
  if (after.state === "needs_account" && before.state !== "needs_account") {
    log.error("ALERT a deposited virtual account must be refunded: the buyer's bank account is needed", {
      alert: "refund_needs_account",
      amount: after.amount,
      reason: before.reason,
      why: before.detail,
      what_to_do: after.lastError,
    });
  }
}

async function reschedule(
  deps: OwedRefundDeps,
  owed: OwedRefund,
  error: string,
  now: Date,
): Promise<OwedRefund> {
  const next = afterFailedCancel(owed, { refused: false, error }, now);
  const saved = await deps.owedRefunds.update(owed, { ...next, state: owed.state });
  return saved.saved ? { ...next, state: owed.state } : (saved.current ?? owed);
}

async function readPayment(deps: OwedRefundDeps, impUid: string, log: Logger): Promise<PaymentFacts | null> {
  try {
    return await deps.iamport.getPayment(impUid);
  } catch (error) {
    log.warn("dependency unavailable: could not read a payment with a refund owed", { error });
    return null;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface OwedRefundsSummary {
  checked: number;
  done: number;
  needsAccount: number;
  needsPerson: number;
  /** Still pending (iamport down, a lease elsewhere): the next run goes on. */
  pending: number;
}

/**
 * One pass over the refunds owed that are due (the reconciler and the ledger
 * sweep run it), bounded by `max` and the invocation's remaining time.
 */
export async function payDueOwedRefunds(
  deps: OwedRefundDeps,
  settings: { pageSize: number; max: number; remainingMs?: () => number },
): Promise<OwedRefundsSummary> {
  const summary: OwedRefundsSummary = { checked: 0, done: 0, needsAccount: 0, needsPerson: 0, pending: 0 };
  const seen = new Set<string>();
  const more = () =>
    summary.checked < settings.max && (settings.remainingMs?.() ?? Number.POSITIVE_INFINITY) > 30_000;
  for await (const page of deps.owedRefunds.pagesDue(deps.clock(), settings.pageSize)) {
    for (const owed of page) {
      if (seen.has(owed.impUid) || !more()) continue;
      seen.add(owed.impUid);
      summary.checked++;
      const after = await payOwedRefund(deps, owed);
      if (after.state === "done") summary.done++;
      else if (after.state === "needs_account") summary.needsAccount++;
      else if (after.state === "needs_person") summary.needsPerson++;
      else summary.pending++;
    }
    if (!more()) break;
  }
  if (summary.checked > 0) deps.logger.info("owed refunds run finished", { job: "owed_refunds", ...summary });
  return summary;
}
