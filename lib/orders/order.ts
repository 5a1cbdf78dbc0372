/**
 * The order aggregate as this service stores it. iamport's payment record is
 * the source of truth for money; the order is our verified view of it.
 */
import type { RequestPayParams } from "../kicc/request-pay.js";

export const ORDER_STATUSES = [
  "pending",
  "awaiting_deposit",
  "paid",
  "partially_refunded",
  "refunded",
  "failed",
  "expired",
  "forged",
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export type PayMethod = "card" | "trans" | "vbank" | "phone";

/** Where a change came from: the three completion doors, the reconciler, or the merchant API. */
export type ChangeSource = "callback" | "redirect" | "webhook" | "reconciler" | "sweep" | "api";

export interface VirtualAccount {
  bankName: string;
  bankCode?: string;
  number: string;
  holder: string;
  /** Deposit deadline, ISO 8601. */
  dueAt: string;
}

export interface KiccProduct {
  orderNumber: string;
  name: string;
  quantity: number;
  amount: number;
}

/** A refund recorded by iamport, keyed by its `cancellation_id`. */
export interface Refund {
  cancellationId: string;
  amount: number;
  reason: string;
  cancelledAt: string;
}

/** A payment whose amount did not match: refunded in full and never fulfilled (invariant 2). */
export interface Forgery {
  impUid: string;
  paidAmount: number;
  expectedAmount: number;
  /**
   * `none` while nothing is held (a virtual account issued for the wrong amount, watched until its
   * deadline); `pending` while the refund owed is carried out; `needs_account` when a deposited
   * virtual account waits for the buyer's bank account; `done` once iamport's balance is 0.
   */
  refund: "none" | "pending" | "needs_account" | "done";
  refundedAmount: number;
}

export interface Order {
  merchantUid: string;
  status: OrderStatus;
  /** Bumped by every write; every write is conditional on it (invariant 4). */
  version: number;
  amount: number;
  taxFree: number;
  currency: "KRW";
  name: string;
  payMethod: PayMethod;
  buyer: { name?: string; email?: string; tel: string; addr?: string; postcode?: string };
  escrow: boolean;
  kiccProducts?: KiccProduct[];
  resultUrl?: string;
  /** The exact params handed to `IMP.request_pay`. */
  requestPay: RequestPayParams;
  /** Hash of the normalised create request: a retry with the same body gets the same order. */
  requestHash: string;
  /** `POST /payments/prepare` registered the amount: true from the start, as it is registered before the order is written. */
  prepared: boolean;
  impUid?: string;
  paidAt?: string;
  failReason?: string;
  vbank?: VirtualAccount;
  refundedAmount: number;
  refunds: Refund[];
  forgery?: Forgery;
  /**
   * Other payments under this merchant_uid that the order does not keep, each refunded in full
   * through a refund owed (`OWED#<imp_uid>` beside the order): the decision, remembered.
   */
  refundsOwed?: string[];
  /** Set while the order needs the reconciler: when to look at it next (ISO). */
  checkAfter?: string;
  /**
   * While the order holds money: when the held-payment audit reads iamport's record of it again (ISO;
   * rules/held-audit.ts). Absent: a day after its last change.
   */
  auditAfter?: string;
  createdAt: string;
  updatedAt: string;
}

/** One real transition, appended once per version (invariant 4). */
export interface OrderEvent {
  version: number;
  at: string;
  from: OrderStatus | null;
  to: OrderStatus;
  source: ChangeSource;
  reason: string;
  impUid?: string;
}
