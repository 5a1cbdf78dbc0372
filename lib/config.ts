/**
 * Configuration, parsed once at start-up. Nothing else in the project reads
 * `process.env`: a missing or malformed key fails the cold start with every
 * problem named, instead of a payment failing later.
 */
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

const envSchema = z.object({
  STAGE: z.string().check(z.minLength(1)),
  TABLE_NAME: z.string().check(z.minLength(1)),
  /** Only for DynamoDB Local; unset on AWS. */
  DYNAMODB_ENDPOINT: z.optional(absoluteUrl),
  AWS_REGION: z._default(z.string(), "ap-northeast-2"),
  IAMPORT_API_URL: z._default(absoluteUrl, "https://api.iamport.kr"),
  /** `live` refuses payments made through a test channel (`sandbox: true`). */
  IAMPORT_MODE: z.enum(["live", "test"]),
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
  KICC_MID: z.optional(z.string().check(z.regex(/^[A-Za-z0-9]+$/, "letters and digits only"))),
  KICC_BILLING_MID: z.optional(z.string().check(z.regex(/^[A-Za-z0-9]+$/, "letters and digits only"))),
  /** Public base URL of this deployment's HTTP API (for `m_redirect_url` and `notice_url`). */
  PUBLIC_API_URL: absoluteUrl,
  /** Send `notice_url` with every payment (else the console's webhook URL is used). */
  SEND_NOTICE_URL: flag,
  /** Origins the mobile completion may redirect buyers to. */
  RESULT_ORIGINS: csv,
  /** Result page used when an order has none. */
  DEFAULT_RESULT_URL: absoluteUrl,
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
  LOG_LEVEL: z._default(z.enum(["debug", "info", "warn", "error", "silent"]), "info"),
});

export type Config = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join("; ")}`);
    this.name = "ConfigError";
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
  if (config.SECRETS_SOURCE === "ssm") {
    if (!config.IAMPORT_CREDENTIALS_PARAM) problems.push("IAMPORT_CREDENTIALS_PARAM: required with ssm");
    if (!config.MERCHANT_API_KEYS_PARAM) problems.push("MERCHANT_API_KEYS_PARAM: required with ssm");
  } else {
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
  if (!config.RESULT_ORIGINS.includes(new URL(config.DEFAULT_RESULT_URL).origin)) {
    problems.push("DEFAULT_RESULT_URL: its origin must be listed in RESULT_ORIGINS");
  }
  if (problems.length) throw new ConfigError(problems);
  return config;
}

let cached: Config | undefined;

/** The container's configuration, parsed on first use. */
export function loadConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
