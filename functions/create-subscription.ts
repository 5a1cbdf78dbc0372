/**
 * POST /subscriptions (API key): verify the billing key with iamport, store
 * the subscription, charge its first cycle now or at start_at. Idempotency-Key
 * is required: a retry gets the same subscription (200, idempotent-replayed).
 */
import { createSubscriptionBodySchema, subscriptionIdempotencySchema } from "../lib/billing/api-schemas.js";
import { subscriptionView } from "../lib/billing/subscription-views.js";
import { createSubscription } from "../lib/billing/use-cases/create-subscription.js";
import { headerOf, httpHandler } from "../lib/http/handler.js";
import { json } from "../lib/http/response.js";
import { readBody, validate } from "../lib/http/validate.js";
import { chargeQueue } from "../lib/runtime/charge-queue.js";
import { container } from "../lib/runtime/container.js";

export const handler = httpHandler(
  async (event) => {
    const headers = { "idempotency-key": headerOf(event, "idempotency-key") };
    const { "idempotency-key": idempotencyKey } = validate(subscriptionIdempotencySchema, headers, "header.");
    const body = validate(createSubscriptionBodySchema, readBody(event));
    const { subscription, created } = await createSubscription(
      { ...container().subscriptionDeps, queue: chargeQueue() },
      { body, idempotencyKey },
    );
    const view = subscriptionView(subscription);
    return created ? json(201, view) : json(200, view, { "idempotent-replayed": "true" });
  },
  { logger: () => container().logger, apiKeys: () => container().secrets.merchantApiKeys() },
);
