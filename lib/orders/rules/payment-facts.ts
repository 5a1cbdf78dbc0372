/**
 * The fields of iamport's payment record that decide an order's state. A
 * structural subset of the client's `Payment`, so the rules stay pure and
 * testable with plain objects.
 */
export interface PaymentFacts {
  imp_uid: string;
  merchant_uid: string;
  amount: number;
  cancel_amount: number;
  currency: string;
  status: string;
  sandbox: boolean;
  pg_provider?: string | null;
  /** The PG merchant id (KICC MID) the payment went through. */
  pg_id?: string | null;
  pay_method?: string | null;
  paid_at?: number | null;
  fail_reason?: string | null;
  vbank_code?: string | null;
  vbank_name?: string | null;
  vbank_num?: string | null;
  vbank_holder?: string | null;
  vbank_date?: number | null;
  cancel_history?: ReadonlyArray<{
    amount: number;
    cancelled_at: number;
    reason?: string | null;
    cancellation_id?: string | null;
  }> | null;
}

/** What iamport still holds for this payment: `amount - cancel_amount`. */
export function refundableBalance(payment: Pick<PaymentFacts, "amount" | "cancel_amount">): number {
  return Math.max(0, payment.amount - payment.cancel_amount);
}

/**
 * iamport's record says money was taken and some is still held: `paid`, or a
 * partial cancel, whose status is undocumented and may read `cancelled`
 * (the fact sheet). A closed, never-paid virtual account has nothing cancelled.
 */
export function holdsMoney(payment: Pick<PaymentFacts, "status" | "amount" | "cancel_amount">): boolean {
  if (payment.status === "paid") return true;
  return payment.status === "cancelled" && payment.cancel_amount > 0 && refundableBalance(payment) > 0;
}

/**
 * Of every attempt under one merchant_uid, the one that decides the order:
 * money first, then an issued virtual account, then iamport's newest (its
 * default order). `find/{merchant_uid}` alone returns the newest attempt, and
 * a failed card attempt after an issued account would hide the account.
 */
export function choosePayment<T extends PaymentFacts>(payments: readonly T[]): T | null {
  return (
    payments.find(holdsMoney) ??
    payments.find((p) => p.status === "ready" && p.pay_method === "vbank" && Boolean(p.vbank_num)) ??
    payments[0] ??
    null
  );
}

export function unixToIso(seconds: number | null | undefined): string | undefined {
  return seconds ? new Date(seconds * 1000).toISOString() : undefined;
}
