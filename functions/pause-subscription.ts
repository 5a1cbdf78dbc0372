/** POST /subscriptions/{id}/pause (API key): no cycle is charged until it resumes. */
import { emptyBodySchema, subscriptionIdPathSchema } from "../lib/billing/api-schemas.js";
import { subscriptionView } from "../lib/billing/subscription-views.js";
import { pauseSubscription } from "../lib/billing/use-cases/change-subscription.js";
import { httpHandler } from "../lib/http/handler.js";
import { json } from "../lib/http/response.js";
import { readBody, validate } from "../lib/http/validate.js";
import { container } from "../lib/runtime/container.js";

export const handler = httpHandler(
  async (event) => {
    const { id } = validate(subscriptionIdPathSchema, event.pathParameters ?? {}, "path.");
    validate(emptyBodySchema, readBody(event));
    const { subscription } = await pauseSubscription(container().subscriptionDeps, id);
    return json(200, subscriptionView(subscription));
  },
  { logger: () => container().logger, apiKeys: () => container().secrets.merchantApiKeys() },
);
