/**
 * KICC rules that relate two or more fields of a `POST /orders` body. Kept as
 * a plain function over already-typed fields so each rule reads on its own and
 * the schema only has to turn the findings into zod issues.
 */
import type { CreateOrderFields } from "./create-order-fields.js";

/** Where a broken rule points (relative to the body) and why it is broken. */
export interface OrderRuleViolation {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Korean card rules allow installments only from 50,000 KRW. */
export const MIN_INSTALLMENT_AMOUNT = 50_000;

// KICC accepts escrow only for account transfer and virtual account.
const ESCROW_PAY_METHODS: readonly string[] = ["trans", "vbank"];

/**
 * Every cross-field rule `order` breaks, in a stable order; empty when it
 * satisfies them all.
 */
export function findOrderRuleViolations(order: CreateOrderFields): OrderRuleViolation[] {
  const found: OrderRuleViolation[] = [];
  const add = (path: (string | number)[], message: string) => found.push({ path, message });
  const method = order.pay_method;

  if (order.tax_free !== undefined && order.tax_free > order.amount) {
    add(["tax_free"], `tax_free (${order.tax_free}) must not exceed amount (${order.amount})`);
  }

  if (order.escrow === true) {
    if (!ESCROW_PAY_METHODS.includes(method)) {
      add(["escrow"], `escrow is available only with pay_method trans or vbank on KICC, not ${method}`);
    }
    // KICC registers the escrow buyer and goods at payment time; without these
    // the window fails after the buyer has already started paying.
    if (order.buyer_name === undefined) add(["buyer_name"], "buyer_name is required for an escrow payment");
    if (order.buyer_email === undefined)
      add(["buyer_email"], "buyer_email is required for an escrow payment");
    if (order.kiccProducts === undefined) {
      add(["kiccProducts"], "kiccProducts is required for an escrow payment (KICC escrow lists the goods)");
    }
  } else if (order.kiccProducts !== undefined) {
    add(["kiccProducts"], "kiccProducts is only for escrow payments; send escrow: true or leave it out");
  }

  if (order.card !== undefined && method !== "card") {
    add(["card"], `card options apply only to pay_method card, not ${method}`);
  }
  const quota = order.card?.direct?.quota;
  if (quota !== undefined && quota >= 2 && order.amount < MIN_INSTALLMENT_AMOUNT) {
    add(
      ["card", "direct", "quota"],
      `installments (quota ${quota}) need an amount of at least ${MIN_INSTALLMENT_AMOUNT} KRW; use quota 0 (lump sum)`,
    );
  }

  if (order.vbank_due !== undefined && method !== "vbank") {
    add(["vbank_due"], `vbank_due applies only to pay_method vbank, not ${method}`);
  }

  // KICC needs to know whether phone billing buys digital goods (it changes
  // the fee and the carrier's rules); for other methods the flag means nothing.
  if (method === "phone" && order.digital === undefined) {
    add(
      ["digital"],
      "digital (true or false) is required for pay_method phone: are the goods digital content?",
    );
  } else if (method !== "phone" && order.digital !== undefined) {
    add(["digital"], `digital applies only to pay_method phone, not ${method}`);
  }

  return found;
}
