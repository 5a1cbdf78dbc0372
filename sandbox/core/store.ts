import type { StoredSchedule } from "./schedule-types.js";
import type { DeclineRule, PreparedView, StoredBillingKey, StoredPayment } from "./types.js";

/** Everything the sandbox remembers; `reset()` empties it, options and API keys stay. */
export class SandboxStore {
  readonly payments = new Map<string, StoredPayment>();
  readonly prepared = new Map<string, PreparedView>();
  readonly billingKeys = new Map<string, StoredBillingKey>();
  /** PortOne scheduler entries by merchant_uid (unique across schedules). */
  readonly schedules = new Map<string, StoredSchedule>();
  declines: DeclineRule[] = [];
  /** imp_uids by merchant_uid, in the order they were stored: a long soak holds tens of thousands of payments. */
  private readonly byMerchant = new Map<string, string[]>();

  /** Stores a payment (a payment's merchant_uid never changes); read them through `payments`. */
  addPayment(payment: StoredPayment): void {
    const { imp_uid, merchant_uid } = payment.view;
    if (!this.payments.has(imp_uid)) {
      const uids = this.byMerchant.get(merchant_uid);
      if (uids) uids.push(imp_uid);
      else this.byMerchant.set(merchant_uid, [imp_uid]);
    }
    this.payments.set(imp_uid, payment);
  }

  reset(): void {
    this.byMerchant.clear();
    this.payments.clear();
    this.prepared.clear();
    this.billingKeys.clear();
    this.schedules.clear();
    this.declines = [];
  }

  byMerchantUid(merchantUid: string): StoredPayment[] {
    const uids = this.byMerchant.get(merchantUid) ?? [];
    return uids.map((uid) => this.payments.get(uid)).filter((p): p is StoredPayment => p !== undefined);
  }

  /** A merchant_uid that already has a paid (or partly refunded) payment cannot be paid again. */
  isPaid(merchantUid: string): boolean {
    return this.byMerchantUid(merchantUid).some((p) => p.view.status === "paid" || p.view.cancel_amount > 0);
  }
}
