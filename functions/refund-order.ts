/**
 * POST /orders/{merchant_uid}/refunds (API key): refund all or part of a paid
 * order. `Idempotency-Key` is required: a retry with the same key and body
 * gets the stored answer (200, `idempotent-replayed: true`) instead of a second refund.
 */
import { headerOf, httpHandler } from "../lib/http/handler.js";
import { json } from "../lib/http/response.js";
import { readBody, validate } from "../lib/http/validate.js";
import {
  idempotencyKeyHeaderSchema,
  merchantUidPathSchema,
  refundOrderBodySchema,
} from "../lib/orders/api-schemas.js";
import { refundResultView } from "../lib/orders/refund-views.js";
import { refundOrder } from "../lib/orders/use-cases/refund-order.js";
import { container } from "../lib/runtime/container.js";

export const handler = httpHandler(
  async (event) => {
    const { merchant_uid } = validate(merchantUidPathSchema, event.pathParameters ?? {}, "path.");
    const headers = { "idempotency-key": headerOf(event, "idempotency-key") };
    const { "idempotency-key": idempotencyKey } = validate(idempotencyKeyHeaderSchema, headers, "header.");
    const request = validate(refundOrderBodySchema, readBody(event));
    const { result, replayed } = await refundOrder(container().refundDeps, {
      merchantUid: merchant_uid,
      idempotencyKey,
      request,
    });
    const body = refundResultView(merchant_uid, idempotencyKey, result);
    return replayed ? json(200, body, { "idempotent-replayed": "true" }) : json(201, body);
  },
  { logger: () => container().logger, apiKeys: () => container().secrets.merchantApiKeys() },
);
