import type { Engine } from "../core/engine.js";
import { IamportApiError } from "../core/errors.js";
import { type Fields, numberField, stringField } from "../http/body.js";
import type { Router } from "../http/router.js";
import { badRequest, notFound, ok } from "./envelope.js";

const NOT_PREPARED = "사전등록된 결제정보가 존재하지 않습니다.";

function parse(body: Fields): { merchant_uid: string; amount: number; currency: string | null } {
  const merchantUid = stringField(body, "merchant_uid");
  const amount = numberField(body, "amount");
  if (!merchantUid) badRequest("merchant_uid는 필수입력입니다.");
  if (amount === undefined || Number.isNaN(amount) || amount < 0)
    badRequest("amount는 0 이상의 숫자여야 합니다.");
  return { merchant_uid: merchantUid, amount, currency: stringField(body, "currency") ?? null };
}

/** POST/PUT/GET /payments/prepare: the amount the window must match. */
export function registerPrepare(router: Router, engine: Engine): void {
  router.add("POST", "/payments/prepare", ({ body }) => {
    const entry = parse(body);
    if (engine.store.prepared.has(entry.merchant_uid)) {
      throw new IamportApiError(
        200,
        1,
        "결제정보 사전등록에 실패하였습니다(이미 등록된 merchant_uid입니다).",
      );
    }
    engine.store.prepared.set(entry.merchant_uid, entry);
    return ok({ ...entry });
  });
  router.add("PUT", "/payments/prepare", ({ body }) => {
    const entry = parse(body);
    if (!engine.store.prepared.has(entry.merchant_uid)) notFound(NOT_PREPARED);
    engine.store.prepared.set(entry.merchant_uid, entry);
    return ok({ ...entry });
  });
  router.add("GET", "/payments/prepare/:merchant_uid", ({ params }) => {
    const entry = engine.store.prepared.get(params.merchant_uid as string);
    if (!entry) notFound(NOT_PREPARED);
    return ok({ ...entry });
  });
}
