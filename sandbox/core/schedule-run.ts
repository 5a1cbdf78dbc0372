import { chargeAgain } from "./again.js";
import type { Engine } from "./engine.js";
import { IamportApiError } from "./errors.js";
import { newPayment } from "./payment.js";
import type { StoredSchedule } from "./schedule-types.js";
import { byScheduleAt } from "./schedules.js";
import type { StoredPayment } from "./types.js";

/** The real-time timer executes at most this many schedules per tick. */
const PER_TICK = 100;

/**
 * Executes every pending schedule whose schedule_at the sandbox clock has reached, oldest
 * first, at most `limit`. Each runs exactly once: it is marked executed before charging.
 */
export function runDueSchedules(engine: Engine, limit = Number.POSITIVE_INFINITY): StoredSchedule[] {
  const now = engine.clock.now();
  const due = [...engine.store.schedules.values()]
    .filter((s) => s.view.schedule_status === "scheduled" && s.view.schedule_at <= now)
    .sort(byScheduleAt)
    .slice(0, limit);
  for (const schedule of due) execute(engine, schedule);
  return due;
}

function execute(engine: Engine, schedule: StoredSchedule): void {
  const v = schedule.view;
  v.schedule_status = "executed";
  v.executed_at = engine.clock.now();
  const payment = charge(engine, schedule);
  v.imp_uid = payment.view.imp_uid;
  v.payment_status = payment.view.status === "paid" ? "paid" : "failed";
  v.fail_reason = payment.view.fail_reason;
}

/**
 * The same charge as `POST /subscribe/payments/again` (declines included), as
 * customer_uid_usage "payment.scheduled" and with a `failed` webhook on a decline. A key
 * deleted since, or a merchant_uid paid since, gives a failed payment instead of an error.
 */
function charge(engine: Engine, schedule: StoredSchedule): StoredPayment {
  const v = schedule.view;
  try {
    return chargeAgain(
      engine,
      {
        customer_uid: v.customer_uid,
        merchant_uid: v.merchant_uid,
        amount: v.amount,
        name: v.name,
        tax_free: schedule.meta.taxFree,
        card_quota: schedule.meta.cardQuota,
        custom_data: v.custom_data ?? undefined,
        notice_url: schedule.meta.noticeUrls,
        buyer_name: v.buyer_name ?? undefined,
        buyer_email: v.buyer_email ?? undefined,
        buyer_tel: v.buyer_tel ?? undefined,
        buyer_addr: v.buyer_addr ?? undefined,
        buyer_postcode: v.buyer_postcode ?? undefined,
      },
      { usage: "payment.scheduled", notifyFailure: true },
    );
  } catch (err) {
    if (!(err instanceof IamportApiError)) throw err;
    return failedCharge(engine, schedule, err.message);
  }
}

function failedCharge(engine: Engine, schedule: StoredSchedule, reason: string): StoredPayment {
  const v = schedule.view;
  const now = engine.clock.now();
  const payment = newPayment({
    impUid: engine.ids.impUid(),
    merchantUid: v.merchant_uid,
    payMethod: "card",
    channel: "api",
    pgId: v.pg_id ?? engine.options.billingMid,
    sandbox: schedule.meta.sandbox,
    amount: v.amount,
    name: v.name,
    now,
    seq: engine.ids.next(),
    currency: v.currency,
    buyer: v,
    customData: v.custom_data,
    customerUid: v.customer_uid,
    customerUidUsage: "payment.scheduled",
    noticeUrls: schedule.meta.noticeUrls,
    taxFree: schedule.meta.taxFree ?? 0,
  });
  payment.view.status = "failed";
  payment.view.failed_at = now;
  payment.view.fail_reason = reason;
  engine.store.addPayment(payment);
  engine.notify(payment, "failed");
  return payment;
}

/**
 * Checks for due schedules every `intervalMs` of real time, as PortOne would run them at
 * schedule_at. 0 disables it. Returns the stop function; the timer never holds the process.
 */
export function startScheduleTimer(engine: Engine, intervalMs: number): () => void {
  if (!(intervalMs > 0)) return () => {};
  const timer = setInterval(() => {
    try {
      runDueSchedules(engine, PER_TICK);
    } catch (err) {
      console.error("[sandbox] scheduled charge failed", err);
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
