/**
 * The merchant_uid of an order: the one this service issues when the caller names none, and the
 * shape that tells ours from a stranger's (the ledger sweep refunds nothing it did not issue). Pure.
 */
import { createHash, randomBytes } from "node:crypto";

/**
 * A deterministic merchant_uid for an idempotency key (a retry names the same
 * order), or a fresh random one. 30 characters, under iamport's 40.
 */
export function merchantUidFor(idempotencyKey?: string): string {
  const source = idempotencyKey
    ? createHash("sha256").update(`idempotency:${idempotencyKey}`).digest()
    : randomBytes(16);
  return `ord_${source.toString("base64url").slice(0, 26)}`;
}

/** Whether `merchantUid` has the shape {@link merchantUidFor} gives: an id this service issues, never a stranger's. */
export function isGeneratedMerchantUid(merchantUid: string): boolean {
  return /^ord_[A-Za-z0-9_-]{22,26}$/.test(merchantUid);
}
