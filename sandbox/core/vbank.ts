import type { Engine } from "./engine.js";
import { ControlError } from "./errors.js";
import { receiptUrl } from "./payment.js";
import type { StoredPayment } from "./types.js";

const KST_OFFSET = 9 * 3600;
const DEFAULT_DUE = 3 * 24 * 3600;

/** Parses vbank_due (KST) into unix seconds; a date alone means the end of that day. */
export function parseVbankDue(due: string | undefined, now: number): number {
  if (!due) return now + DEFAULT_DUE;
  const d = due.replace(/[-: ]/g, "");
  const [y, mo, da] = [d.slice(0, 4), d.slice(4, 6), d.slice(6, 8)].map(Number) as [number, number, number];
  const [h, mi, s] =
    d.length >= 14 ? [d.slice(8, 10), d.slice(10, 12), d.slice(12, 14)].map(Number) : [23, 59, 59];
  return Date.UTC(y, mo - 1, da, h, mi, s) / 1000 - KST_OFFSET;
}

/** Issues the account: status stays `ready` with the vbank_* fields (webhook `ready`). */
export function issueVirtualAccount(engine: Engine, payment: StoredPayment, due: string | undefined): void {
  const now = engine.clock.now();
  const v = payment.view;
  v.pg_tid = engine.ids.pgTid();
  v.vbank_code = "088";
  v.vbank_name = "신한은행";
  v.vbank_num = engine.ids.vbankNum();
  v.vbank_holder = "(주)KICC샌드박스";
  v.vbank_date = parseVbankDue(due, now);
  v.vbank_issued_at = now;
  v.receipt_url = receiptUrl(engine.baseUrl, v.imp_uid);
  engine.touch(payment);
}

/** The buyer deposits into an issued account: paid + webhook `paid`. */
export function depositVbank(engine: Engine, impUid: string, amount?: number): StoredPayment {
  const payment = engine.store.payments.get(impUid);
  if (!payment) throw new ControlError(`no payment ${impUid}`, 404);
  const v = payment.view;
  if (v.pay_method !== "vbank" || v.status !== "ready" || v.vbank_num === null)
    throw new ControlError(
      `payment ${impUid} is not an issued virtual account awaiting deposit (status ${v.status})`,
      409,
    );
  const now = engine.clock.now();
  if (now > v.vbank_date)
    throw new ControlError(`deposit refused: the account expired at ${v.vbank_date} (now ${now})`, 409);
  // KICC accounts accept the exact amount only.
  if (amount !== undefined && amount !== v.amount)
    throw new ControlError(`deposit refused: amount ${amount} differs from ${v.amount}`, 409);
  v.status = "paid";
  v.paid_at = now;
  engine.touch(payment);
  engine.notify(payment, "paid");
  return payment;
}
