/**
 * POST /subscriptions/{id}/card (API key): switch to a new, verified billing
 * key. A past_due subscription is retried at once with it; the old key is
 * deleted at iamport after the switch is saved (unless another subscription uses it).
 */
import type { SwitchCardResponse } from "../lib/billing/api-responses.js";
import { subscriptionIdPathSchema, switchCardBodySchema } from "../lib/billing/api-schemas.js";
import { subscriptionView } from "../lib/billing/subscription-views.js";
import { switchCard } from "../lib/billing/use-cases/switch-card.js";
import { httpHandler } from "../lib/http/handler.js";
import { json } from "../lib/http/response.js";
import { readBody, validate } from "../lib/http/validate.js";
import { chargeQueue } from "../lib/runtime/charge-queue.js";
import { container } from "../lib/runtime/container.js";

export const handler = httpHandler(
  async (event) => {
    const { id } = validate(subscriptionIdPathSchema, event.pathParameters ?? {}, "path.");
    const body = validate(switchCardBodySchema, readBody(event));
    const result = await switchCard(
      { ...container().subscriptionDeps, queue: chargeQueue() },
      { id, customerUid: body.customer_uid },
    );
    return json(200, {
      ...subscriptionView(result.subscription),
      card_switch: {
        changed: result.changed,
        retry_queued: result.retryQueued,
        old_card: result.oldCard
          ? { customer_uid: result.oldCard.customerUid, key: result.oldCard.outcome }
          : null,
      },
    } satisfies SwitchCardResponse);
  },
  { logger: () => container().logger, apiKeys: () => container().secrets.merchantApiKeys() },
);
