/** GET /subscriptions/{id} (API key): the subscription with every cycle, its charge attempts and its history. */
import { subscriptionIdPathSchema } from "../lib/billing/api-schemas.js";
import { subscriptionView } from "../lib/billing/subscription-views.js";
import { NotFoundError } from "../lib/errors.js";
import { httpHandler } from "../lib/http/handler.js";
import { json } from "../lib/http/response.js";
import { validate } from "../lib/http/validate.js";
import { container } from "../lib/runtime/container.js";

export const handler = httpHandler(
  async (event) => {
    const { id } = validate(subscriptionIdPathSchema, event.pathParameters ?? {}, "path.");
    const found = await container().subscriptions.getDetails(id);
    if (!found) throw new NotFoundError(`subscription ${id}`);
    return json(200, subscriptionView(found.subscription, found.attempts, found.history, found.owedRefunds));
  },
  { logger: () => container().logger, apiKeys: () => container().secrets.merchantApiKeys() },
);
