/**
 * POST /webhooks/iamport: iamport's notification (JSON or form), for an order
 * or a subscription charge. 200 when done or nothing to do; 503 only when a
 * retry can help (iamport unreachable), so iamport's retry comes back.
 */
import { httpHandler } from "../lib/http/handler.js";
import { json } from "../lib/http/response.js";
import { requireAllowedSource } from "../lib/http/source-allow-list.js";
import { readBody, validate } from "../lib/http/validate.js";
import type { WebhookResponse } from "../lib/orders/api-responses.js";
import { iamportWebhookBodySchema } from "../lib/orders/api-schemas.js";
import { container } from "../lib/runtime/container.js";
import { receiveIamportWebhook } from "../lib/webhooks/receive-iamport-webhook.js";

export const handler = httpHandler(
  async (event) => {
    const { config, verifyDeps, chargeDeps } = container();
    // Before the body is read: a refused caller gets nothing stored and nothing looked up.
    requireAllowedSource(event, config.WEBHOOK_SOURCE_IPS);
    const body = validate(iamportWebhookBodySchema, readBody(event));
    const result: WebhookResponse = await receiveIamportWebhook(
      { orders: verifyDeps, billing: chargeDeps },
      body,
    );
    return json(200, result);
  },
  { logger: () => container().logger },
);
