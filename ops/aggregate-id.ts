/**
 * What an id on the command line names: a subscription (its id, or one of
 * its charges' `sub_…` merchant_uids) or an order (any other merchant_uid).
 */
import { isSubscriptionId, parseChargeMerchantUid } from "../lib/billing/rules/merchant-uid.js";
import { UsageError } from "./errors.js";

export type AggregateRef = { kind: "order"; id: string } | { kind: "subscription"; id: string };

/** @throws UsageError for a value no merchant_uid or subscription id can be */
export function aggregateOf(value: string): AggregateRef {
  if (isSubscriptionId(value)) return { kind: "subscription", id: value };
  const charge = parseChargeMerchantUid(value);
  if (charge) return { kind: "subscription", id: charge.subscriptionId };
  // The shape of a merchant_uid the API accepts (lib/orders/api-schemas.ts): bounded, no `#` (key separator).
  if (!/^[A-Za-z0-9_.:-]{1,40}$/.test(value))
    throw new UsageError(`"${value.slice(0, 40)}" is neither a merchant_uid nor a subscription id`);
  return { kind: "order", id: value };
}
