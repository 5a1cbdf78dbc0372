/** GET /orders/{merchant_uid}/status (public): state only, no personal data, for the merchant's result page. */
import { NotFoundError } from "../lib/errors.js";
import { httpHandler } from "../lib/http/handler.js";
import { json } from "../lib/http/response.js";
import { validate } from "../lib/http/validate.js";
import { merchantUidPathSchema } from "../lib/orders/api-schemas.js";
import { publicStatusView } from "../lib/orders/order-views.js";
import { container } from "../lib/runtime/container.js";

export const handler = httpHandler(
  async (event) => {
    const { merchant_uid } = validate(merchantUidPathSchema, event.pathParameters ?? {}, "path.");
    const order = await container().orders.get(merchant_uid);
    if (!order) throw new NotFoundError(`order ${merchant_uid}`);
    return json(200, publicStatusView(order));
  },
  {
    logger: () => container().logger,
    cors: { origins: () => container().config.RESULT_ORIGINS, method: "GET" },
  },
);
