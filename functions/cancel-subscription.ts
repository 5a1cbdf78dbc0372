/** POST /subscriptions/{id}/cancel (API key): `{ at: "now" | "period_end" }`; repeating it changes nothing. */
import { cancelSubscriptionBodySchema, subscriptionIdPathSchema } from "../lib/billing/api-schemas.js";
import { subscriptionView } from "../lib/billing/subscription-views.js";
import { cancelSubscription } from "../lib/billing/use-cases/change-subscription.js";
import { httpHandler } from "../lib/http/handler.js";
import { json } from "../lib/http/response.js";
import { readBody, validate } from "../lib/http/validate.js";
import { container } from "../lib/runtime/container.js";

export const handler = httpHandler(
  async (event) => {
    const { id } = validate(subscriptionIdPathSchema, event.pathParameters ?? {}, "path.");
    const body = validate(cancelSubscriptionBodySchema, readBody(event));
    const { subscription } = await cancelSubscription(container().subscriptionDeps, {
      id,
      at: body.at,
      ...(body.reason ? { reason: body.reason } : {}),
    });
    return json(200, subscriptionView(subscription));
  },
  { logger: () => container().logger, apiKeys: () => container().secrets.merchantApiKeys() },
);
