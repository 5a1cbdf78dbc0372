/**
 * POST /webhooks/iamport: iamport's notification (JSON or form). Stored, then
 * verified by re-reading the payment: a subscription charge's (merchant_uid
 * `sub_…`) by billing, any other by orders. 200 when done or nothing to do;
 * 503 only when a retry can help (iamport unreachable), so iamport's retry comes back.
 */
import {
  isSubscriptionChargeUid,
  receiveChargeNotification,
} from "../lib/billing/receive-charge-notification.js";
import { httpHandler } from "../lib/http/handler.js";
import { json } from "../lib/http/response.js";
import { readBody, validate } from "../lib/http/validate.js";
import { iamportWebhookBodySchema } from "../lib/orders/api-schemas.js";
import { receiveNotification } from "../lib/orders/receive-notification.js";
import { container } from "../lib/runtime/container.js";

export const handler = httpHandler(
  async (event) => {
    const body = validate(iamportWebhookBodySchema, readBody(event));
    const note = { merchantUid: body.merchant_uid, impUid: body.imp_uid, body };
    if (isSubscriptionChargeUid(body.merchant_uid)) {
      const result = await receiveChargeNotification(container().chargeDeps, note);
      return json(200, {
        outcome: result.outcome,
        status: result.subscription?.status ?? null,
        kind: "subscription",
      });
    }
    const result = await receiveNotification(container().verifyDeps, { source: "webhook", ...note });
    return json(200, { outcome: result.outcome, status: result.order?.status ?? null });
  },
  { logger: () => container().logger },
);
