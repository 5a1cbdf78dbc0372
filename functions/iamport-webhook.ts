/**
 * POST /webhooks/iamport: iamport's notification (JSON or form). Stored, then
 * verified by re-reading the payment. 200 when done or nothing to do; 503 only
 * when a retry can help (iamport unreachable), so iamport's retry comes back.
 */
import { httpHandler } from "../lib/http/handler.js";
import { json } from "../lib/http/response.js";
import { readBody, validate } from "../lib/http/validate.js";
import { iamportWebhookBodySchema } from "../lib/orders/api-schemas.js";
import { receiveNotification } from "../lib/orders/receive-notification.js";
import { container } from "../lib/runtime/container.js";

export const handler = httpHandler(
  async (event) => {
    const body = validate(iamportWebhookBodySchema, readBody(event));
    const result = await receiveNotification(container().verifyDeps, {
      source: "webhook",
      merchantUid: body.merchant_uid,
      impUid: body.imp_uid,
      body,
    });
    return json(200, { outcome: result.outcome, status: result.order?.status ?? null });
  },
  { logger: () => container().logger },
);
