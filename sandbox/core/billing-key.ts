import { cardName, maskCardNumber } from "./cards.js";
import type { Engine } from "./engine.js";
import type { PayInput } from "./pay-input.js";
import type { StoredPayment } from "./types.js";

/**
 * Issues (or re-points) a billing key from the window. KICC does not charge at issuance,
 * so the issuing payment stays `ready` with customer_uid_usage "issue" and no webhook is
 * sent; the real record's status is unconfirmed (fact sheet, "Not confirmed").
 */
export function issueBillingKey(
  engine: Engine,
  payment: StoredPayment,
  input: PayInput,
  card: { code: string; number: string },
): void {
  const now = engine.clock.now();
  const customerUid = input.customer_uid as string;
  const existing = engine.store.billingKeys.get(customerUid);
  engine.store.billingKeys.set(customerUid, {
    rawCardNumber: card.number,
    view: {
      customer_uid: customerUid,
      pg_provider: "kicc",
      pg_id: payment.view.pg_id,
      sandbox: payment.view.sandbox,
      customer_id: typeof input.customer_id === "string" ? input.customer_id : null,
      card_name: cardName(card.code),
      card_code: card.code,
      card_number: maskCardNumber(card.number),
      card_type: 0,
      customer_name: input.buyer_name ?? null,
      customer_tel: input.buyer_tel ?? null,
      customer_email: input.buyer_email ?? null,
      customer_addr: input.buyer_addr ?? null,
      customer_postcode: input.buyer_postcode ?? null,
      // Reusing a customer_uid re-points it to the newest card (fact sheet §6).
      inserted: existing?.view.inserted ?? now,
      updated: now,
    },
  });
  payment.view.pg_tid = engine.ids.pgTid();
  payment.view.card_code = card.code;
  payment.view.card_name = cardName(card.code);
  payment.view.card_number = maskCardNumber(card.number);
  payment.view.card_type = 0;
  engine.touch(payment);
}
