/**
 * Everything a function needs, built once per Lambda container on first use
 * and shared by every invocation: config, logger, DynamoDB, the iamport client
 * (one token cache per container), repositories.
 */
import { type Config, loadConfig } from "../config.js";
import { createIamportClient } from "../iamport/client.js";
import type { IamportClient } from "../iamport/types.js";
import { kiccPg } from "../kicc/pg.js";
import { createLogger, type Logger } from "../observability/logger.js";
import type { CreateOrderDeps } from "../orders/create-order.js";
import type { ReconcileOrdersDeps } from "../orders/reconcile-orders.js";
import type { RefundOrderDeps } from "../orders/refund-order.js";
import type { VerifyPaymentDeps } from "../orders/verify-payment.js";
import { createDocumentClient } from "../store/dynamo-client.js";
import { createOrdersRepository, type OrdersRepository } from "../store/orders-repository.js";
import { createRefundRequestsRepository } from "../store/refund-requests-repository.js";
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
}

/** Builds a container from a config; tests call this with their own config. */
export function buildContainer(config: Config, overrides: Partial<Pick<Container, "clock">> = {}): Container {
  const logger = createLogger({ level: config.LOG_LEVEL, base: { stage: config.STAGE } });
  const secrets = createSecrets(config);
  const clock = overrides.clock ?? (() => new Date());
  const iamport = createIamportClient({
    baseUrl: config.IAMPORT_API_URL,
    credentials: () => secrets.iamportCredentials(),
    timeoutMs: config.IAMPORT_TIMEOUT_MS,
    logger,
  });
  const db = createDocumentClient({
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
  });
  const orders = createOrdersRepository({ db, tableName: config.TABLE_NAME });
  const refunds = createRefundRequestsRepository({ db, tableName: config.TABLE_NAME });
  const api = config.PUBLIC_API_URL.replace(/\/$/, "");
  const pgIds = [config.KICC_MID, config.KICC_BILLING_MID].filter((mid): mid is string => Boolean(mid));
  const verifyDeps: VerifyPaymentDeps = { iamport, orders, clock, mode: config.IAMPORT_MODE, logger, pgIds };
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
    createOrderDeps: {
      orders,
      iamport,
      clock,
      logger,
      settings: {
        pg: kiccPg(config.KICC_MID),
        mRedirectUrl: `${api}/payments/complete/mobile`,
        ...(config.SEND_NOTICE_URL ? { noticeUrl: `${api}/webhooks/iamport` } : {}),
        defaultVbankDueHours: config.VBANK_DUE_HOURS,
        resultOrigins: config.RESULT_ORIGINS,
        pendingMinutes: config.PENDING_ORDER_MINUTES,
      },
    },
  };
}

let current: Container | undefined;

/** The container of this Lambda instance. */
export function container(): Container {
  current ??= buildContainer(loadConfig());
  return current;
}
