/** POST /orders (API key): validate a KICC order, store it, pre-register its amount, return the request_pay params. */
import { headerOf, httpHandler } from "../lib/http/handler.js";
import { json } from "../lib/http/response.js";
import { readBody, validate } from "../lib/http/validate.js";
import { createOrderRequestSchema } from "../lib/kicc/create-order-request.js";
import type { CreateOrderResponse } from "../lib/orders/api-responses.js";
import { merchantOrderView } from "../lib/orders/order-views.js";
import { createOrder } from "../lib/orders/use-cases/create-order.js";
import { container } from "../lib/runtime/container.js";

export const handler = httpHandler(
  async (event) => {
    const request = validate(createOrderRequestSchema, readBody(event));
    const idempotencyKey = headerOf(event, "idempotency-key");
    const { order, created } = await createOrder(container().createOrderDeps, {
      request,
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });
    return json(created ? 201 : 200, {
      merchant_uid: order.merchantUid,
      status: order.status,
      request_pay: order.requestPay,
      order: merchantOrderView(order, []),
    } satisfies CreateOrderResponse);
  },
  { logger: () => container().logger, apiKeys: () => container().secrets.merchantApiKeys() },
);
