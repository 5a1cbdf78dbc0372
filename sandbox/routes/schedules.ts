import type { Engine } from "../core/engine.js";
import type { ScheduleStatus } from "../core/schedule-types.js";
import { createSchedules, customerSchedules, revokeSchedules, scheduleView } from "../core/schedules.js";
import { stringField } from "../http/body.js";
import type { Router } from "../http/router.js";
import { badRequest, notFound, ok } from "./envelope.js";
import { paginate } from "./listing.js";
import { merchantUidList, parseScheduleRequest } from "./schedule-input.js";

const STATUSES: readonly string[] = ["scheduled", "executed", "revoked"];
/** "최대 3개월 단위로 조회가 가능": a window longer than 93 days is refused. */
const MAX_WINDOW = 93 * 24 * 3600;
/** The customer listing takes `page` only; the range listing's default page size. */
const PAGE_SIZE = 20;

function unixParam(query: URLSearchParams, key: string): number {
  const raw = query.get(key);
  if (raw === null || raw === "") badRequest(`${key}는 필수입력입니다. (unix timestamp)`);
  const n = Number(raw);
  if (!Number.isInteger(n)) badRequest(`${key}는 unix timestamp(초)여야 합니다.`);
  return n;
}

/** PortOne's own scheduler: schedule, unschedule and the two lookups. */
export function registerSchedules(router: Router, engine: Engine): void {
  const view = (s: Parameters<typeof scheduleView>[1]) => scheduleView(engine, s);

  router.add("POST", "/subscribe/payments/schedule", ({ body }) =>
    ok(createSchedules(engine, parseScheduleRequest(body)).map(view)),
  );

  router.add("POST", "/subscribe/payments/unschedule", ({ body }) =>
    ok(
      revokeSchedules(engine, {
        customer_uid: stringField(body, "customer_uid") || undefined,
        merchant_uid: merchantUidList(body),
      }).map(view),
    ),
  );

  router.add("GET", "/subscribe/payments/schedule/customers/:customer_uid", ({ params, query }) => {
    const from = unixParam(query, "from");
    const to = unixParam(query, "to");
    if (to <= from) badRequest("to는 from보다 커야 합니다.");
    if (to - from > MAX_WINDOW) badRequest("결제예약 조회기간은 최대 3개월입니다.");
    const status = query.get("schedule-status") || undefined;
    if (status !== undefined && !STATUSES.includes(status))
      badRequest(`schedule-status는 scheduled, executed, revoked 중 하나여야 합니다: ${status}`);
    const page = query.get("page") === null ? 1 : Number(query.get("page"));
    if (!Number.isInteger(page) || page < 1) badRequest("page는 1 이상의 정수여야 합니다.");
    const list = customerSchedules(engine, params.customer_uid as string, {
      from,
      to,
      status: status as ScheduleStatus | undefined,
    });
    const paged = paginate(list, { page, limit: PAGE_SIZE });
    return ok({ ...paged, list: paged.list.map(view) });
  });

  router.add("GET", "/subscribe/payments/schedule/:merchant_uid", ({ params }) => {
    const schedule = engine.store.schedules.get(params.merchant_uid as string);
    if (!schedule) notFound("merchant_uid에 해당하는 예약결제 건이 존재하지 않습니다.");
    return ok(view(schedule));
  });
}
