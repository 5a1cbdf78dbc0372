/**
 * A billing key is only used after iamport confirms it (`GET
 * /subscribe/customers/{customer_uid}`): it exists, it is KICC's, it was
 * issued through our billing MID, and in live mode not through a test channel
 * (a test-channel key passes a naive check and charges nothing real).
 */
import { RetryLaterError, ValidationError } from "../../errors.js";
import type { BillingKey } from "../../iamport/schemas.js";
import type { IamportClient } from "../../iamport/types.js";

export interface VerifyBillingKeyDeps {
  iamport: Pick<IamportClient, "getBillingKey">;
  mode: "live" | "test";
  /** Our KICC billing MID; when set, a key issued through another MID is refused. */
  billingMid?: string;
}

/**
 * iamport's record of `customerUid`, verified.
 * @throws ValidationError naming `field` when the key is missing or not acceptable
 * @throws RetryLaterError when iamport cannot be read now
 */
export async function verifyBillingKey(
  deps: VerifyBillingKeyDeps,
  customerUid: string,
  field = "customer_uid",
): Promise<BillingKey> {
  let key: BillingKey | null;
  try {
    key = await deps.iamport.getBillingKey(customerUid);
  } catch (error) {
    throw new RetryLaterError("iamport could not be asked about the billing key; retry", { cause: error });
  }
  const refuse = (reason: string) => new ValidationError([{ field, reason }]);
  if (!key) {
    throw refuse(
      "iamport has no billing key under this customer_uid (issue one in the window: POST /billing-keys)",
    );
  }
  if (key.pg_provider !== "kicc")
    throw refuse(`the billing key was issued through ${key.pg_provider}, not KICC`);
  if (deps.billingMid && key.pg_id !== deps.billingMid) {
    throw refuse(`the billing key was issued through MID ${key.pg_id}, not this deployment's billing MID`);
  }
  if (deps.mode === "live" && key.sandbox) {
    throw refuse("the billing key was issued through a test channel; live mode does not charge test keys");
  }
  return key;
}
