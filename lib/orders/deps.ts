/**
 * What each orders use case is handed: its ports (lib/orders/ports.ts), the
 * clock, the logger and its settings. lib/runtime/container.ts builds them
 * for the Lambdas; tests and the soak build their own.
 */
import type {
  AmountRegistration,
  Clock,
  Logger,
  OrdersRepository,
  OwedRefundsRepository,
  PaymentLookup,
  RefundIamport,
  RefundRequestsRepository,
} from "./ports.js";
import type { RefundResult } from "./refund.js";
import type { Mode } from "./rules/order-machine.js";

export interface CreateOrderDeps {
  orders: OrdersRepository;
  iamport: AmountRegistration;
  clock: Clock;
  logger: Logger;
  settings: {
    pg: string;
    mRedirectUrl: string;
    noticeUrl?: string;
    defaultVbankDueHours: number;
    /** Origins the mobile completion may send buyers back to. */
    resultOrigins: readonly string[];
    /** How long a pending checkout waits before the reconciler looks it up. */
    pendingMinutes: number;
  };
}

export interface VerifyPaymentDeps {
  iamport: PaymentLookup;
  orders: OrdersRepository;
  /** Refunds owed: a payment the order does not keep is written here with the decision. */
  owedRefunds: OwedRefundsRepository;
  clock: Clock;
  mode: Mode;
  /** Our KICC MIDs (payment and billing); empty accepts any KICC MID. */
  pgIds?: readonly string[];
  logger: Logger;
}

export interface RefundOrderDeps extends VerifyPaymentDeps {
  iamport: RefundIamport;
  refunds: RefundRequestsRepository;
  sleep?: (ms: number) => Promise<void>;
  settings?: {
    /** How long an attempt owns a request; past it a retry looks up and takes over. Above the Lambda timeout. */
    leaseMs?: number;
    /** How long a duplicate waits for the attempt in progress before answering 409. */
    waitMs?: number;
  };
}

export interface RefundOrderResult {
  result: RefundResult;
  /** True when this answer is the stored result of an earlier request with the same key. */
  replayed: boolean;
}

export interface ReconcileOrdersDeps extends VerifyPaymentDeps {
  settings: {
    /** Orders read per index shard per page. */
    batchSize: number;
    /** Orders handled per run at most; the rest wait for the next run. */
    maxOrders: number;
    /** How long to wait before looking again at an order that could not be decided or failed. */
    retryAfterMinutes: number;
  };
}
