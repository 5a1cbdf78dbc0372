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

  reset(): void {
    this.payments.clear();
    this.prepared.clear();
    this.billingKeys.clear();
    this.schedules.clear();
    this.declines = [];
  }

  byMerchantUid(merchantUid: string): StoredPayment[] {
    return [...this.payments.values()].filter((p) => p.view.merchant_uid === merchantUid);
  }

  /** A merchant_uid that already has a paid (or partly refunded) payment cannot be paid again. */
  isPaid(merchantUid: string): boolean {
    return this.byMerchantUid(merchantUid).some((p) => p.view.status === "paid" || p.view.cancel_amount > 0);
  }
}
