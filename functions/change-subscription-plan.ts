/**
 * POST /subscriptions/{id}/plan (API key): a new amount and name from the next
 * cycle or now, never prorated. Idempotency-Key is required: a retry gets the
 * subscription as it is (200, idempotent-replayed) and never re-applies.
 */
import {
  changePlanBodySchema,
  planChangeIdempotencySchema,
  subscriptionIdPathSchema,
} from "../lib/billing/api-schemas.js";
import { subscriptionView } from "../lib/billing/subscription-views.js";
import { changeSubscriptionPlan } from "../lib/billing/use-cases/change-plan.js";
import { headerOf, httpHandler } from "../lib/http/handler.js";
import { json } from "../lib/http/response.js";
import { readBody, validate } from "../lib/http/validate.js";
import { container } from "../lib/runtime/container.js";

export const handler = httpHandler(
  async (event) => {
    const { id } = validate(subscriptionIdPathSchema, event.pathParameters ?? {}, "path.");
    const headers = { "idempotency-key": headerOf(event, "idempotency-key") };
    const { "idempotency-key": idempotencyKey } = validate(planChangeIdempotencySchema, headers, "header.");
    const body = validate(changePlanBodySchema, readBody(event));
    const result = await changeSubscriptionPlan(container().subscriptionDeps, { id, body, idempotencyKey });
    const view = subscriptionView(result.subscription);
    return json(200, view, result.replayed ? { "idempotent-replayed": "true" } : {});
  },
  { logger: () => container().logger, apiKeys: () => container().secrets.merchantApiKeys() },
);
