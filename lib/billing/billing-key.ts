/**
 * Our record of an iamport billing key (customer_uid): reserved when the
 * window is opened, verified against iamport before a subscription uses it,
 * deleted at iamport once no subscription charges it (iamport never revokes
 * a replaced key by itself).
 */
import type { BillingKey } from "../iamport/schemas.js";

export type BillingKeyStatus = "requested" | "active" | "deleting" | "deleted";

export interface BillingKeyRecord {
  customerUid: string;
  status: BillingKeyStatus;
  customerId?: string;
  /** From iamport's record at the last verification. */
  pgProvider?: string;
  pgId?: string;
  cardName?: string;
  cardCode?: string;
  /** Masked by iamport. */
  cardNumber?: string;
  sandbox?: boolean;
  requestedAt?: string;
  verifiedAt?: string;
  deletedAt?: string;
  /** Subscriptions charging this key; it is deleted at iamport only when none is left. */
  subscriptionIds: string[];
  updatedAt: string;
}

/** The fields a verification refreshes from iamport's record. */
export function verifiedFields(
  key: BillingKey,
  now: Date,
): Partial<BillingKeyRecord> & Pick<BillingKeyRecord, "status" | "updatedAt"> {
  return {
    status: "active",
    pgProvider: key.pg_provider,
    pgId: key.pg_id,
    cardName: key.card_name,
    ...(key.card_code ? { cardCode: key.card_code } : {}),
    ...(key.card_number ? { cardNumber: key.card_number } : {}),
    ...(key.customer_id ? { customerId: key.customer_id } : {}),
    sandbox: key.sandbox,
    verifiedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
}
