import { cancelPayment, cancelWebhookStatus } from "../core/cancel.js";
import type { Engine } from "../core/engine.js";
import { snapshot } from "../core/payment.js";
import { boolField, type Fields, numberField, stringField } from "../http/body.js";
import type { Router } from "../http/router.js";
import { errorReply, ok } from "./envelope.js";

function numberOrRefuse(body: Fields, key: string): number | undefined | "invalid" {
  const n = numberField(body, key);
  return n !== undefined && Number.isNaN(n) ? "invalid" : n;
}

/** POST /payments/cancel: a webhook only when enable_webhook is true (fact sheet §5). */
export function registerCancel(router: Router, engine: Engine): void {
  router.add("POST", "/payments/cancel", ({ body }) => {
    const amount = numberOrRefuse(body, "amount");
    const taxFree = numberOrRefuse(body, "tax_free");
    const checksum = numberOrRefuse(body, "checksum");
    if (amount === "invalid" || taxFree === "invalid" || checksum === "invalid") {
      return errorReply(200, 1, "amount, tax_free, checksum은 숫자여야 합니다.");
    }
    const { payment, cancellationId } = cancelPayment(engine, {
      imp_uid: stringField(body, "imp_uid"),
      merchant_uid: stringField(body, "merchant_uid"),
      amount,
      tax_free: taxFree,
      checksum: body.checksum === null ? null : checksum,
      reason: stringField(body, "reason"),
      refund_holder: stringField(body, "refund_holder"),
      refund_bank: stringField(body, "refund_bank"),
      refund_account: stringField(body, "refund_account"),
    });
    if (boolField(body, "enable_webhook"))
      engine.notify(payment, cancelWebhookStatus(engine, payment), cancellationId ?? undefined);
    return ok(snapshot(payment.view));
  });
}
