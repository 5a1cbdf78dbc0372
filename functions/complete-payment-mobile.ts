/**
 * GET /payments/complete/mobile (`m_redirect_url`): verify, then send the buyer
 * to the merchant's result page (configured origins only). The buyer is always
 * redirected: if iamport is down the result page polls the status route.
 */
import { requireSetting } from "../lib/config.js";
import { httpHandler } from "../lib/http/handler.js";
import { redirect } from "../lib/http/response.js";
import { validate } from "../lib/http/validate.js";
import { completeMobileQuerySchema } from "../lib/orders/api-schemas.js";
import { resultReasonOf, resultUrlFor } from "../lib/orders/result-url.js";
import { receiveNotification } from "../lib/orders/use-cases/receive-notification.js";
import { container } from "../lib/runtime/container.js";

export const handler = httpHandler(
  async (event, log) => {
    const { config, verifyDeps, orders } = container();
    const query = validate(completeMobileQuerySchema, event.queryStringParameters ?? {}, "query.");
    const result = await receiveNotification(verifyDeps, {
      source: "redirect",
      merchantUid: query.merchant_uid,
      ...(query.imp_uid ? { impUid: query.imp_uid } : {}),
      body: query,
    }).catch(async (error: unknown) => {
      log.warn("verification deferred; the result page will poll", { error });
      return { order: await orders.get(query.merchant_uid).catch(() => null) };
    });
    const outcome = "outcome" in result ? result.outcome : undefined;
    const payment = "payment" in result ? result.payment : undefined;
    return redirect(
      resultUrlFor({
        order: result.order,
        merchantUid: query.merchant_uid,
        reason: resultReasonOf(outcome),
        // Only iamport's own record of a failure; the window's error_msg is kept as evidence, not shown.
        iamportMessage: outcome === "rejected" ? null : payment?.fail_reason,
        defaultUrl: requireSetting(config, "DEFAULT_RESULT_URL"),
        allowedOrigins: config.RESULT_ORIGINS,
      }),
    );
  },
  { logger: () => container().logger },
);
