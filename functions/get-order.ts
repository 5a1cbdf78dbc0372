/** GET /orders/{merchant_uid} (API key): the order with its history. */
import { NotFoundError } from "../lib/errors.js";
import { httpHandler } from "../lib/http/handler.js";
import { json } from "../lib/http/response.js";
import { validate } from "../lib/http/validate.js";
import { merchantUidPathSchema } from "../lib/orders/api-schemas.js";
import { merchantOrderView } from "../lib/orders/order-views.js";
import { container } from "../lib/runtime/container.js";

export const handler = httpHandler(
  async (event) => {
    const { merchant_uid } = validate(merchantUidPathSchema, event.pathParameters ?? {}, "path.");
    const found = await container().orders.getWithHistory(merchant_uid);
    if (!found) throw new NotFoundError(`order ${merchant_uid}`);
    return json(200, merchantOrderView(found.order, found.history, found.owedRefunds));
  },
  { logger: () => container().logger, apiKeys: () => container().secrets.merchantApiKeys() },
);
