import type { Engine } from "./engine.js";
import { noticeUrls } from "./engine.js";
import { IamportApiError } from "./errors.js";
import type { ScheduleRequest, ScheduleStatus, ScheduleView, StoredSchedule } from "./schedule-types.js";

const NOTHING_TO_REVOKE = "취소할 예약결제 기록이 존재하지 않습니다.";

function refuse(message: string): never {
  throw new IamportApiError(200, 1, message);
}

/** KICC issues billing keys only in the payment window, never over REST (fact sheet §6). */
function noKeyMessage(req: ScheduleRequest): string {
  const why = req.card_number
    ? "KICC는 카드정보로 빌링키를 발급할 수 없습니다(REST 비인증 발급 미지원)."
    : "KICC 빌링키는 결제창(IMP.request_pay에 customer_uid)으로만 발급됩니다.";
  return `등록되지 않은 구매자입니다. (customer_uid: ${req.customer_uid}) ${why} 먼저 빌링키를 발급하세요.`;
}

/** The schedule as the API shows it; payment_status follows a later full refund. */
export function scheduleView(engine: Engine, schedule: StoredSchedule): ScheduleView {
  const view = { ...schedule.view };
  const payment = view.imp_uid ? engine.store.payments.get(view.imp_uid) : undefined;
  if (payment?.view.status === "cancelled") view.payment_status = "cancelled";
  return view;
}

/** schedule_at ascending, creation order within one second. */
export function byScheduleAt(a: StoredSchedule, b: StoredSchedule): number {
  return a.view.schedule_at - b.view.schedule_at || a.meta.seq - b.meta.seq;
}

/**
 * Registers every schedule of the request or none: the customer needs a billing key, each
 * merchant_uid must be new to schedules and payments, and schedule_at must be in the future.
 */
export function createSchedules(engine: Engine, req: ScheduleRequest): StoredSchedule[] {
  const key = engine.store.billingKeys.get(req.customer_uid);
  if (!key) refuse(noKeyMessage(req));
  const now = engine.clock.now();
  const seen = new Set<string>();
  for (const s of req.schedules) {
    const taken =
      seen.has(s.merchant_uid) ||
      engine.store.schedules.has(s.merchant_uid) ||
      engine.store.byMerchantUid(s.merchant_uid).length > 0;
    if (taken)
      refuse(
        `이미 사용된 merchant_uid입니다. 예약건마다 고유한 merchant_uid가 필요합니다: ${s.merchant_uid}`,
      );
    if (s.schedule_at <= now)
      throw new IamportApiError(
        400,
        -1,
        `schedule_at(${s.schedule_at})은 현재 시각(${now}) 이후여야 합니다. (merchant_uid: ${s.merchant_uid})`,
      );
    seen.add(s.merchant_uid);
  }
  const k = key.view;
  return req.schedules.map((s) => {
    const stored: StoredSchedule = {
      view: {
        customer_uid: req.customer_uid,
        merchant_uid: s.merchant_uid,
        imp_uid: null,
        pg_provider: k.pg_provider,
        pg_id: k.pg_id,
        customer_id: req.customer_id ?? k.customer_id,
        schedule_at: s.schedule_at,
        executed_at: 0,
        revoked_at: 0,
        amount: s.amount,
        currency: s.currency ?? "KRW",
        name: s.name ?? null,
        // Missing buyer_* fields come from the key's customer_* fields (fact sheet §6).
        buyer_name: s.buyer_name ?? k.customer_name,
        buyer_email: s.buyer_email ?? k.customer_email,
        buyer_tel: s.buyer_tel ?? k.customer_tel,
        buyer_addr: s.buyer_addr ?? k.customer_addr,
        buyer_postcode: s.buyer_postcode ?? k.customer_postcode,
        custom_data: s.custom_data ?? null,
        schedule_status: "scheduled",
        payment_status: null,
        fail_reason: null,
        promotion_id: s.promotion_id ?? null,
      },
      meta: {
        noticeUrls: noticeUrls(s.notice_url),
        taxFree: s.tax_free,
        cardQuota: s.card_quota,
        sandbox: k.sandbox,
        seq: engine.ids.next(),
      },
    };
    engine.store.schedules.set(s.merchant_uid, stored);
    return stored;
  });
}

export interface UnscheduleRequest {
  customer_uid?: string;
  merchant_uid?: string[];
}

/**
 * Revokes pending schedules: those merchant_uids (of that customer, when given), or every
 * pending schedule of the customer. Executed and revoked ones are left alone.
 */
export function revokeSchedules(engine: Engine, req: UnscheduleRequest): StoredSchedule[] {
  const uids = req.merchant_uid ?? [];
  if (!req.customer_uid && uids.length === 0)
    throw new IamportApiError(400, -1, "customer_uid 또는 merchant_uid 중 하나는 필수입니다.");
  const targets = [...engine.store.schedules.values()]
    .filter(
      (s) =>
        s.view.schedule_status === "scheduled" &&
        (!req.customer_uid || s.view.customer_uid === req.customer_uid) &&
        (uids.length === 0 || uids.includes(s.view.merchant_uid)),
    )
    .sort(byScheduleAt);
  if (targets.length === 0) refuse(NOTHING_TO_REVOKE);
  const now = engine.clock.now();
  for (const s of targets) {
    s.view.schedule_status = "revoked";
    s.view.revoked_at = now;
  }
  return targets;
}

export interface CustomerScheduleQuery {
  from: number;
  to: number;
  status?: ScheduleStatus;
}

/** A customer's schedules with from <= schedule_at < to, newest schedule_at first. */
export function customerSchedules(
  engine: Engine,
  customerUid: string,
  q: CustomerScheduleQuery,
): StoredSchedule[] {
  return [...engine.store.schedules.values()]
    .filter(
      (s) =>
        s.view.customer_uid === customerUid &&
        s.view.schedule_at >= q.from &&
        s.view.schedule_at < q.to &&
        (!q.status || s.view.schedule_status === q.status),
    )
    .sort((a, b) => byScheduleAt(b, a));
}
