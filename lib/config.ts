/**
 * Configuration, parsed once at start-up. Nothing else in the project reads
 * `process.env`: a missing or malformed key fails the cold start with every
 * problem named, instead of a payment failing later.
 */
import { isIP } from "node:net";
import { AppError } from "./errors.js";
import * as z from "./validation/zod.js";

const csv = z.pipe(
  z.string(),
  z.transform((value) =>
    value
      .split(",")
      .map((part) => part.trim())
      .filter(Boolean),
  ),
);
const absoluteUrl = z.url({ protocol: /^https?$/, error: "must be an absolute http(s) URL" });
const flag = z.pipe(
  z.optional(z.enum(["true", "false"])),
  z.transform((value) => value === "true"),
);

/**
 * A KICC MID, or unset. An empty value counts as unset: serverless.yml passes
 * `${param:kiccMid}` and an unset parameter arrives as "".
 */
const kiccMid = z
  .pipe(
    z.optional(z.string()),
    z.transform((value) => value || undefined),
  )
  .check(z.refine((value) => value === undefined || /^[A-Za-z0-9]+$/.test(value), "letters and digits only"));

const envSchema = z.object({
  STAGE: z.string().check(z.minLength(1)),
  TABLE_NAME: z.string().check(z.minLength(1)),
  /** Only for DynamoDB Local; unset on AWS. */
  DYNAMODB_ENDPOINT: z.optional(absoluteUrl),
  AWS_REGION: z._default(z.string(), "ap-northeast-2"),
  /** Set by Lambda; the `function` dimension of the metrics (lib/observability/logger.ts). */
  AWS_LAMBDA_FUNCTION_NAME: z._default(z.string(), "local"),
  IAMPORT_API_URL: z._default(absoluteUrl, "https://api.iamport.kr"),
  /**
   * `live` refuses payments (and billing keys) made through a test channel (`sandbox: true`). Given
   * only to the functions that verify one (serverless.yml); unset is `live`, the strict mode, so a
   * verifier deployed without it refuses test payments instead of accepting them.
   */
  IAMPORT_MODE: z._default(z.enum(["live", "test"]), "live"),
  /** Where secrets come from: SSM Parameter Store on AWS; `env` only for the local stack and tests. */
  SECRETS_SOURCE: z._default(z.enum(["ssm", "env"]), "ssm"),
  /** SSM SecureString holding `{"imp_key": "...", "imp_secret": "..."}`. */
  IAMPORT_CREDENTIALS_PARAM: z.optional(z.string()),
  /** SSM SecureString holding a comma-separated list of merchant API keys. */
  MERCHANT_API_KEYS_PARAM: z.optional(z.string()),
  /** Local stack and tests only (SECRETS_SOURCE=env). */
  IAMPORT_IMP_KEY: z.optional(z.string()),
  IAMPORT_IMP_SECRET: z.optional(z.string()),
  MERCHANT_API_KEYS: z.optional(csv),
  /** KICC MID for `pg: "kicc.<MID>"`; unset → `pg: "kicc"` (the console's default channel). */
  KICC_MID: kiccMid,
  /** KICC's MID for non-authenticated (billing-key) payments, `pg: "kicc.<MID>"`; unset → no billing keys. */
  KICC_BILLING_MID: kiccMid,
  /**
   * Public base URL of this deployment's HTTP API (for `m_redirect_url` and `notice_url`). This and the
   * two below are given only to the functions that read them (serverless.yml); see {@link requireSetting}.
   */
  PUBLIC_API_URL: z.optional(absoluteUrl),
  /** Send `notice_url` with every payment (else the console's webhook URL is used). */
  SEND_NOTICE_URL: flag,
  /** Origins the mobile completion may redirect buyers to (and the browser routes answer CORS for). */
  RESULT_ORIGINS: z._default(csv, []),
  /**
   * iamport's webhook source addresses (the deploy parameter webhookSourceIps): when set, the webhook
   * route answers 403 to any other `requestContext.http.sourceIp`. Empty (the default): no check.
   */
  WEBHOOK_SOURCE_IPS: z._default(csv, []),
  /** Result page used when an order has none. */
  DEFAULT_RESULT_URL: z.optional(absoluteUrl),
  VBANK_DUE_HOURS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(24 * 14)), 72),
  /** Abandoned checkouts are looked up and closed after this many minutes. */
  PENDING_ORDER_MINUTES: z._default(z.coerce.number().check(z.int(), z.gte(5)), 60 * 24),
  /** Due orders read per index shard per page by the reconciler. */
  RECONCILE_BATCH_SIZE: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 25),
  /** Orders one reconciler run handles at most (the schedule's Lambda timeout bounds it too). */
  RECONCILE_MAX_ORDERS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(5000)), 200),
  /** How long the reconciler waits before looking again at an order it could not decide. */
  RECONCILE_RETRY_MINUTES: z._default(z.coerce.number().check(z.int(), z.gte(1)), 15),
  IAMPORT_TIMEOUT_MS: z._default(z.coerce.number().check(z.int(), z.gte(100)), 5000),
  /** The SQS queue subscription charges go through (serverless.yml sets it). */
  CHARGE_QUEUE_URL: z.optional(absoluteUrl),
  /** Only for the local SQS stand-in; unset on AWS. */
  SQS_ENDPOINT: z.optional(absoluteUrl),
  /** The stage's EventBridge bus the publisher puts domain events on (serverless.yml sets it for that function). */
  EVENT_BUS_NAME: z.optional(z.string().check(z.minLength(1))),
  /** Only for the local stack's in-memory bus; unset on AWS. */
  EVENTBRIDGE_ENDPOINT: z.optional(absoluteUrl),
  /** Soft-decline retries, days after the cycle's first failure; strictly increasing. */
  BILLING_RETRY_DAYS: z._default(
    z.pipe(
      csv,
      z.transform((days, ctx) => {
        const numbers = days.map(Number);
        const valid =
          numbers.length > 0 &&
          numbers.every(
            (day, i) => Number.isInteger(day) && day >= 1 && day <= 60 && day > (numbers[i - 1] ?? 0),
          );
        if (!valid)
          ctx.issues.push({
            code: "custom",
            input: days,
            message: "increasing whole days from 1 to 60, e.g. 1,3,5",
          });
        return numbers;
      }),
    ),
    [1, 3, 5],
  ),
  /** What a subscription becomes when dunning runs out. */
  BILLING_EXHAUSTED_ACTION: z._default(z.enum(["unpaid", "cancel"]), "unpaid"),
  /** Wait before retrying a charge iamport refused as a request (non-zero code). */
  BILLING_ERROR_RETRY_MINUTES: z._default(z.coerce.number().check(z.int(), z.gte(1)), 60),
  /** Refused requests per cycle before it waits for a person or a new card. */
  BILLING_MAX_REQUEST_ERRORS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(20)), 5),
  /**
   * How long after an `again` call with an unknown outcome "iamport has no record of it" is
   * believed (a slow approval may still land); only then is it sent again, under the same merchant_uid.
   */
  BILLING_UNKNOWN_SETTLE_SECONDS: z._default(z.coerce.number().check(z.gte(0)), 120),
  /** Due subscriptions read per index shard per page by the dispatcher. */
  BILLING_DISPATCH_BATCH_SIZE: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 25),
  /**
   * iamport calls one charge-queue batch has in flight at once; times the event source's
   * maximumConcurrency, the most iamport sees from the charge worker (serverless.yml sets both).
   */
  CHARGE_IAMPORT_CALLS_IN_FLIGHT: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(10)), 5),
  /** Days before a trial's end the trial-ending notice is recorded (create-subscription reads it). */
  BILLING_TRIAL_NOTICE_DAYS: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(30)), 3),
  /** Messages one dispatcher run queues at most; the rest wait for the next run. */
  BILLING_DISPATCH_MAX: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(10_000)), 2000),
  /** How far back each ledger sweep pass reads iamport's paid payments. */
  LEDGER_SWEEP_WINDOW_HOURS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(24 * 90)), 48),
  /** Payments one ledger sweep run matches at most (the cursor keeps the place). */
  LEDGER_SWEEP_MAX_PAYMENTS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100_000)), 3000),
  /** Payments per page of iamport's list (its limit is 1000). */
  LEDGER_SWEEP_PAGE_SIZE: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 100),
  LOG_LEVEL: z._default(z.enum(["debug", "info", "warn", "error", "silent"]), "info"),
});

export type Config = z.infer<typeof envSchema>;

export class ConfigError extends AppError {
  override readonly name: string = "ConfigError";

  constructor(
    readonly problems: string[],
    options?: ErrorOptions,
  ) {
    super(`invalid configuration: ${problems.join("; ")}`, options);
  }
}

/** Parses and cross-checks the environment; throws one ConfigError naming every problem. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`));
  }
  const config = result.data;
  const problems: string[] = [];
  // With ssm, each parameter name is given only to the functions whose role may read it
  // (serverless.yml custom.access); lib/runtime/secrets.ts refuses to read one that is not set.
  if (config.SECRETS_SOURCE === "env") {
    if (config.STAGE !== "local" && config.STAGE !== "test") {
      problems.push("SECRETS_SOURCE: env is only allowed for the local and test stages");
    }
    if (!config.IAMPORT_IMP_KEY) problems.push("IAMPORT_IMP_KEY: required with SECRETS_SOURCE=env");
    if (!config.IAMPORT_IMP_SECRET) problems.push("IAMPORT_IMP_SECRET: required with SECRETS_SOURCE=env");
    if (!config.MERCHANT_API_KEYS?.length)
      problems.push("MERCHANT_API_KEYS: required with SECRETS_SOURCE=env");
  }
  for (const origin of config.RESULT_ORIGINS) {
    if (!/^https?:\/\/[^/]+$/.test(origin)) problems.push(`RESULT_ORIGINS: ${origin} is not an origin`);
  }
  for (const ip of config.WEBHOOK_SOURCE_IPS) {
    if (!isIP(ip)) problems.push(`WEBHOOK_SOURCE_IPS: ${ip} is not an IP address`);
  }
  if (
    config.DEFAULT_RESULT_URL &&
    !config.RESULT_ORIGINS.includes(new URL(config.DEFAULT_RESULT_URL).origin)
  ) {
    problems.push("DEFAULT_RESULT_URL: its origin must be listed in RESULT_ORIGINS");
  }
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/**
 * A setting only some functions are given (serverless.yml gives each function only what it reads):
 * its value, or a ConfigError naming it when this function was deployed without it.
 */
export function requireSetting<K extends "PUBLIC_API_URL" | "DEFAULT_RESULT_URL">(
  config: Config,
  key: K,
): NonNullable<Config[K]> {
  const value = config[key];
  if (!value) throw new ConfigError([`${key}: required by this function but not set`]);
  return value as NonNullable<Config[K]>;
}

let cached: Config | undefined;

/** The container's configuration, parsed on first use. */
export function loadConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
