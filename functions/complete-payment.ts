/** POST /payments/complete: the merchant page forwards the PC callback's imp_uid; we verify with iamport. */
import { NotFoundError, ValidationError } from "../lib/errors.js";
import { httpHandler } from "../lib/http/handler.js";
import { json } from "../lib/http/response.js";
import { readBody, validate } from "../lib/http/validate.js";
import { completePaymentBodySchema } from "../lib/orders/api-schemas.js";
import { publicStatusView } from "../lib/orders/order-views.js";
import { receiveNotification } from "../lib/orders/use-cases/receive-notification.js";
import { container } from "../lib/runtime/container.js";

export const handler = httpHandler(
  async (event) => {
    const body = validate(completePaymentBodySchema, readBody(event));
    const result = await receiveNotification(container().verifyDeps, {
      source: "callback",
      merchantUid: body.merchant_uid,
      impUid: body.imp_uid,
      body,
    });
    if (!result.order) throw new NotFoundError(`order ${body.merchant_uid}`);
    if (result.outcome === "no_payment") {
      throw new ValidationError([{ field: "imp_uid", reason: "iamport has no such payment" }]);
    }
    if (result.outcome === "rejected") {
      throw new ValidationError([{ field: "imp_uid", reason: `payment refused: ${result.reason}` }]);
    }
    return json(200, publicStatusView(result.order));
  },
  {
    logger: () => container().logger,
    cors: { origins: () => container().config.RESULT_ORIGINS, method: "POST" },
  },
);
