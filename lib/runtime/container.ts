/**
 * Everything a function needs, built once per Lambda container on first use
 * and shared by every invocation: config, logger, DynamoDB, the iamport client
 * (one token cache per container), repositories.
 */

import type { ChargeDeps, SubscriptionDeps } from "../billing/deps.js";
import type { SubscriptionsRepository } from "../billing/ports.js";
import type { BillingPolicy } from "../billing/rules/billing-policy.js";
import type { CreateBillingKeyDeps } from "../billing/use-cases/create-billing-key.js";
import type { DispatchChargesDeps } from "../billing/use-cases/dispatch-charges.js";
import { type Config, loadConfig, requireSetting } from "../config.js";
import { createIamportClient } from "../iamport/client.js";
import type { IamportClient } from "../iamport/types.js";
import { kiccPg } from "../kicc/pg.js";
import type { SweepLedgerDeps } from "../ledger/sweep-ledger.js";
import { createLogger, type Logger } from "../observability/logger.js";
import { metricNamespace } from "../observability/signals.js";
import type {
  CreateOrderDeps,
  ReconcileOrdersDeps,
  RefundOrderDeps,
  VerifyPaymentDeps,
} from "../orders/deps.js";
import type { OrdersRepository } from "../orders/ports.js";
import { createBillingKeysRepository } from "../store/billing-keys-repository.js";
import { createDocumentClient } from "../store/dynamo-client.js";
import { createLedgerCursorRepository } from "../store/ledger-cursor-repository.js";
import { createOrdersRepository } from "../store/orders-repository.js";
import { createOwedRefundsRepository } from "../store/owed-refunds-repository.js";
import { createRefundRequestsRepository } from "../store/refund-requests-repository.js";
import { createSubscriptionsRepository } from "../store/subscriptions-repository.js";
import { createLedgerMatcher } from "../webhooks/match-ledger-payment.js";
import { createSecrets, type Secrets } from "./secrets.js";

export interface Container {
  config: Config;
  logger: Logger;
  secrets: Secrets;
  iamport: IamportClient;
  orders: OrdersRepository;
  clock: () => Date;
  verifyDeps: VerifyPaymentDeps;
  createOrderDeps: CreateOrderDeps;
  refundDeps: RefundOrderDeps;
  reconcileDeps: ReconcileOrdersDeps;
  subscriptions: SubscriptionsRepository;
  createBillingKeyDeps: CreateBillingKeyDeps;
  /** Without the queue: functions that enqueue add `chargeQueue()` (lib/runtime/charge-queue.ts). */
  subscriptionDeps: Omit<SubscriptionDeps, "queue">;
  chargeDeps: ChargeDeps;
  dispatchDeps: Omit<DispatchChargesDeps, "queue">;
  sweepDeps: SweepLedgerDeps;
}

/** A claim is its worker's this long: above the charge function's 60 s timeout, so only a dead worker loses it. */
const CLAIM_LEASE_MS = 120_000;
/** A queued charge stays out of the dispatcher's due window this long (SQS delivers well within it). */
const DISPATCH_LEASE_MS = 15 * 60_000;
/** An unknown charge nobody asks about is looked up again after this. */
const LOOK_AGAIN_MS = 5 * 60_000;
/** After a day with no record at iamport (two sends), a charge is treated as never made. */
const GIVE_UP_MS = 24 * 60 * 60_000;

/** Builds a container from a config; tests call this with their own config. */
export function buildContainer(
  config: Config,
  overrides: Partial<Pick<Container, "clock">> & {
    /** How the iamport client waits between read retries (the soak's virtual time does not wait). */
    sleep?: (ms: number) => Promise<void>;
  } = {},
): Container {
  const logger = createLogger({
    level: config.LOG_LEVEL,
    base: { stage: config.STAGE },
    metrics: { namespace: metricNamespace(config.STAGE), functionName: config.AWS_LAMBDA_FUNCTION_NAME },
  });
  const secrets = createSecrets(config);
  const clock = overrides.clock ?? (() => new Date());
  const iamport = createIamportClient({
    baseUrl: config.IAMPORT_API_URL,
    credentials: () => secrets.iamportCredentials(),
    timeoutMs: config.IAMPORT_TIMEOUT_MS,
    logger,
    ...(overrides.sleep ? { sleep: overrides.sleep } : {}),
  });
  const db = createDocumentClient({
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
  });
  const orders = createOrdersRepository({ db, tableName: config.TABLE_NAME });
  const refunds = createRefundRequestsRepository({ db, tableName: config.TABLE_NAME });
  const owedRefunds = createOwedRefundsRepository({ db, tableName: config.TABLE_NAME });
  // Only the functions that build URLs are given PUBLIC_API_URL: read when one of them needs it.
  const api = () => requireSetting(config, "PUBLIC_API_URL").replace(/\/$/, "");
  // Orders are checked against our MIDs only when the payment MID is known: without KICC_MID they ask for
  // `pg: "kicc"`, the console's default channel, whose MID we cannot know (a billing MID alone would refuse them all).
  const pgIds = config.KICC_MID
    ? [config.KICC_MID, config.KICC_BILLING_MID].filter((mid): mid is string => Boolean(mid))
    : [];
  const verifyDeps: VerifyPaymentDeps = {
    iamport,
    orders,
    owedRefunds,
    clock,
    mode: config.IAMPORT_MODE,
    logger,
    pgIds,
  };
  const subscriptions = createSubscriptionsRepository({ db, tableName: config.TABLE_NAME });
  const billingKeys = createBillingKeysRepository({ db, tableName: config.TABLE_NAME });
  const policy: BillingPolicy = {
    retryDays: config.BILLING_RETRY_DAYS,
    exhaustedAction: config.BILLING_EXHAUSTED_ACTION,
    errorRetryMinutes: config.BILLING_ERROR_RETRY_MINUTES,
    maxRequestErrors: config.BILLING_MAX_REQUEST_ERRORS,
    trialNoticeDays: config.BILLING_TRIAL_NOTICE_DAYS,
  };
  const billingMid = config.KICC_BILLING_MID ? { billingMid: config.KICC_BILLING_MID } : {};
  const noticeUrl = config.SEND_NOTICE_URL ? { noticeUrl: `${api()}/webhooks/iamport` } : {};
  const chargeDeps: ChargeDeps = {
    subscriptions,
    owedRefunds,
    iamport,
    clock,
    logger,
    policy,
    verify: { mode: config.IAMPORT_MODE, ...billingMid },
    settings: {
      ...noticeUrl,
      claimLeaseMs: CLAIM_LEASE_MS,
      settleMs: config.BILLING_UNKNOWN_SETTLE_SECONDS * 1000,
      lookAgainMs: LOOK_AGAIN_MS,
      giveUpMs: GIVE_UP_MS,
    },
  };
  const sweepDeps: SweepLedgerDeps = {
    iamport,
    cursors: createLedgerCursorRepository({ db, tableName: config.TABLE_NAME }),
    match: createLedgerMatcher({ orders: verifyDeps, billing: chargeDeps }),
    owed: verifyDeps,
    clock,
    logger,
    settings: {
      windowSeconds: config.LEDGER_SWEEP_WINDOW_HOURS * 3600,
      pageSize: config.LEDGER_SWEEP_PAGE_SIZE,
      maxPayments: config.LEDGER_SWEEP_MAX_PAYMENTS,
    },
  };
  return {
    config,
    logger,
    secrets,
    iamport,
    orders,
    clock,
    verifyDeps,
    refundDeps: { ...verifyDeps, iamport, refunds },
    reconcileDeps: {
      ...verifyDeps,
      settings: {
        batchSize: config.RECONCILE_BATCH_SIZE,
        maxOrders: config.RECONCILE_MAX_ORDERS,
        retryAfterMinutes: config.RECONCILE_RETRY_MINUTES,
      },
    },
    subscriptions,
    get createBillingKeyDeps(): CreateBillingKeyDeps {
      return {
        billingKeys,
        clock,
        settings: {
          ...billingMid,
          defaultRedirectUrl: requireSetting(config, "DEFAULT_RESULT_URL"),
          resultOrigins: config.RESULT_ORIGINS,
        },
      };
    },
    subscriptionDeps: {
      subscriptions,
      billingKeys,
      iamport,
      clock,
      logger,
      mode: config.IAMPORT_MODE,
      ...billingMid,
      policy,
      settings: { dispatchLeaseMs: DISPATCH_LEASE_MS },
    },
    chargeDeps,
    sweepDeps,
    dispatchDeps: {
      subscriptions,
      clock,
      logger,
      policy,
      settings: {
        pageSize: config.BILLING_DISPATCH_BATCH_SIZE,
        maxPerRun: config.BILLING_DISPATCH_MAX,
        leaseMs: DISPATCH_LEASE_MS,
      },
    },
    get createOrderDeps(): CreateOrderDeps {
      return {
        orders,
        iamport,
        clock,
        logger,
        settings: {
          pg: kiccPg(config.KICC_MID),
          mRedirectUrl: `${api()}/payments/complete/mobile`,
          ...noticeUrl,
          defaultVbankDueHours: config.VBANK_DUE_HOURS,
          resultOrigins: config.RESULT_ORIGINS,
          pendingMinutes: config.PENDING_ORDER_MINUTES,
        },
      };
    },
  };
}

let current: Container | undefined;

/** The container of this Lambda instance. */
export function container(): Container {
  current ??= buildContainer(loadConfig());
  return current;
}
