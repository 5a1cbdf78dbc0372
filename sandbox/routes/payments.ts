import type { Engine } from "../core/engine.js";
import { NOT_FOUND_PAYMENT } from "../core/errors.js";
import { snapshot } from "../core/payment.js";
import type { StoredPayment } from "../core/types.js";
import type { Router } from "../http/router.js";
import { badRequest, notFound, ok } from "./envelope.js";
import { paginate, parsePage, parseSorting, sortPayments, statusTime } from "./listing.js";

const STATUSES = new Set(["ready", "paid", "cancelled", "failed"]);
const MAX_IDS = 100;
const DEFAULT_WINDOW = 90 * 24 * 3600;

const view = (p: StoredPayment) => snapshot(p.view);

function checkStatus(status: string | undefined, allowAll: boolean): void {
  if (status === undefined) return;
  if (!(STATUSES.has(status) || (allowAll && status === "all"))) badRequest("지원되지 않는 상태값입니다.");
}

/** The payment lookup routes. Specific paths first: /payments/:imp_uid would swallow them. */
export function registerPayments(router: Router, engine: Engine): void {
  const find = (merchantUid: string, status: string | undefined, sorting: string | null) => {
    checkStatus(status, false);
    const list = engine.store.byMerchantUid(merchantUid).filter((p) => !status || p.view.status === status);
    const first = sortPayments(list, parseSorting(sorting))[0];
    if (!first) notFound(NOT_FOUND_PAYMENT);
    return ok(view(first));
  };
  router.add("GET", "/payments/find/:merchant_uid", ({ params, query }) =>
    find(params.merchant_uid as string, undefined, query.get("sorting")),
  );
  router.add("GET", "/payments/find/:merchant_uid/:status", ({ params, query }) =>
    find(params.merchant_uid as string, params.status, query.get("sorting")),
  );

  const findAll = (merchantUid: string, status: string | undefined, query: URLSearchParams) => {
    checkStatus(status, false);
    const page = parsePage(query);
    const list = engine.store.byMerchantUid(merchantUid).filter((p) => !status || p.view.status === status);
    if (list.length === 0) notFound(NOT_FOUND_PAYMENT);
    const sorted = sortPayments(list, parseSorting(query.get("sorting")));
    const paged = paginate(sorted, page);
    return ok({ ...paged, list: paged.list.map(view) });
  };
  router.add("GET", "/payments/findAll/:merchant_uid", ({ params, query }) =>
    findAll(params.merchant_uid as string, undefined, query),
  );
  router.add("GET", "/payments/findAll/:merchant_uid/:status", ({ params, query }) =>
    findAll(params.merchant_uid as string, params.status, query),
  );

  router.add("GET", "/payments/status/:status", ({ params, query }) => {
    const status = params.status as string;
    checkStatus(status, true);
    const page = parsePage(query);
    const to = query.get("to") ? Number(query.get("to")) : engine.clock.now();
    const from = query.get("from") ? Number(query.get("from")) : to - DEFAULT_WINDOW;
    if (!Number.isFinite(from) || !Number.isFinite(to)) badRequest("from, to는 unix timestamp여야 합니다.");
    const list = [...engine.store.payments.values()].filter((p) => {
      if (status !== "all" && p.view.status !== status) return false;
      const t = statusTime(p);
      return t >= from && t <= to;
    });
    const sorted = sortPayments(list, parseSorting(query.get("sorting")));
    if (page.page > 1 && (page.page - 1) * page.limit >= sorted.length)
      badRequest("데이터 범위를 넘어선 page입니다.");
    const paged = paginate(sorted, page);
    return ok({ ...paged, list: paged.list.map(view) });
  });

  router.add("GET", "/payments", ({ query }) => {
    const impUids = [...query.getAll("imp_uid[]"), ...query.getAll("imp_uid")];
    const merchantUids = [...query.getAll("merchant_uid[]"), ...query.getAll("merchant_uid")];
    const asked = impUids.length + merchantUids.length;
    if (asked === 0) badRequest("imp_uid[] 또는 merchant_uid[] 파라메터가 필요합니다.");
    if (asked > MAX_IDS) badRequest(`한 번에 최대 ${MAX_IDS}건까지 조회할 수 있습니다.`);
    const found: StoredPayment[] = [];
    let missing = 0;
    for (const id of impUids) {
      const p = engine.store.payments.get(id);
      if (p) found.push(p);
      else missing++;
    }
    for (const id of merchantUids) {
      const p = sortPayments(engine.store.byMerchantUid(id), "-started")[0];
      if (p) found.push(p);
      else missing++;
    }
    if (found.length === 0) notFound("해당되는 결제건을 찾지 못하였습니다.");
    return ok(found.map(view), missing > 0 ? 207 : 200);
  });

  router.add("GET", "/payments/:imp_uid", ({ params, query }) => {
    const p = engine.store.payments.get(params.imp_uid as string);
    // Since 2026-01-26 test-channel payments are hidden unless asked for (fact sheet §3, §10);
    // whether a miss is a 404 or the payment after all is the `sandboxLookup` mode.
    const includeSandbox = query.get("include_sandbox") === "true";
    const hidden = engine.modes.sandboxLookup === "hidden" && !includeSandbox;
    if (!p || (p.view.sandbox && hidden)) notFound(NOT_FOUND_PAYMENT);
    return ok(view(p));
  });
}
