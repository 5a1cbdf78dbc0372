/**
 * Where the CLI connects, as the environment lib/config.ts parses (the only
 * config parser): the flags are mapped to those variables here, and nothing
 * in ops/ reads process.env (the AWS SDK's credential chain reads its own
 * variables, as on Lambda).
 *
 * - No `--stage` (or `--stage local`): `npm start`'s stack (local/start.ts):
 *   DynamoDB Local on 127.0.0.1:8000, table `payments-local`, the sandbox on
 *   127.0.0.1:7701 with its fixed test credentials, the in-memory event bus
 *   behind the API on 127.0.0.1:3000. Tests pass their own stack's
 *   environment instead (`OpsIo.env`).
 * - `--stage <name>`: a deployed stage. serverless.yml lets CloudFormation name
 *   the table (`Ref: PaymentsTable`), so `--table` is required (the stack's
 *   `PaymentsTable` resource: `aws cloudformation describe-stack-resource
 *   --stack-name kicc-payments-<stage> --logical-resource-id PaymentsTable`);
 *   iamport credentials come from SSM, `/kicc-payments/<stage>/iamport-credentials`
 *   (infra/function-roles.cjs), read with the default AWS credential chain;
 *   the domain events' bus is the stage's `kicc-payments-<stage>-events`
 *   (serverless.yml's EventBus), with Source `kicc-iamport.<stage>`.
 *   `--region` (ap-northeast-2), `--iamport-mode` (live, as deployed;
 *   `test` for a stage deployed in test mode), `--kicc-mid` and
 *   `--kicc-billing-mid` (the stage's deploy parameters: without them a
 *   re-verification accepts any KICC MID).
 *
 * `--log-level` (silent): lib's JSON log lines, written to stdout.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type Config, ConfigError, parseConfig } from "../lib/config.js";
import type { PublishEventsDeps } from "../lib/events/publish-events.js";
import { buildContainer, type Container } from "../lib/runtime/container.js";
import { buildPublishDeps } from "../lib/runtime/event-publisher.js";
import { createDocumentClient } from "../lib/store/dynamo-client.js";
import { createOpsReads, type OpsReads } from "../lib/store/ops-reads.js";
import type { ParsedArgs } from "./args.js";
import { UsageError } from "./errors.js";

/** npm start's local stack (local/start.ts, local/stack.ts, local/dev-stack.ts). */
const LOCAL_STACK: Record<string, string> = {
  STAGE: "local",
  TABLE_NAME: "payments-local",
  DYNAMODB_ENDPOINT: "http://127.0.0.1:8000",
  AWS_REGION: "ap-northeast-2",
  IAMPORT_API_URL: "http://127.0.0.1:7701",
  IAMPORT_MODE: "test",
  SECRETS_SOURCE: "env",
  IAMPORT_IMP_KEY: "sandbox_key",
  IAMPORT_IMP_SECRET: "sandbox_secret",
  MERCHANT_API_KEYS: "local-dev-key",
  // local/stack.ts: the in-memory bus takes PutEvents behind the API stand-in (API_PORT 3000).
  EVENT_BUS_NAME: "local",
  EVENTBRIDGE_ENDPOINT: "http://127.0.0.1:3000/__local/eventbridge/",
};

/** serverless.yml's service name: the SSM path of a stage's secrets starts with it. */
const SERVICE = "kicc-payments";

export interface OpsContext {
  config: Config;
  container: Container;
  reads: OpsReads;
  /** The table's client, for the one bounded Scan no read of ops-reads.ts covers (backfill-audits.ts). */
  db: DynamoDBDocumentClient;
  /** The publisher's own bus and Source (lib/runtime/event-publisher.ts), built on first use. */
  publisher(): PublishEventsDeps;
  /** Where the CLI is connected, for messages ("DynamoDB Local at …, table …"). */
  target: string;
}

const text = (value: string | boolean | undefined): string | undefined =>
  typeof value === "string" ? value : undefined;

/** The environment lib/config.ts parses for these flags. */
export function environmentFor(
  flags: ParsedArgs["flags"],
  localEnv?: Record<string, string>,
): Record<string, string> {
  const stage = text(flags.stage);
  const set = (env: Record<string, string>, key: string, value: string | undefined) => {
    if (value !== undefined) env[key] = value;
  };
  let env: Record<string, string>;
  if (stage === undefined || stage === "local") {
    env = { ...(localEnv ?? LOCAL_STACK) };
  } else {
    if (!/^[A-Za-z0-9-]{1,40}$/.test(stage)) throw new UsageError("--stage must be letters, digits and -");
    const table = text(flags.table);
    if (!table)
      throw new UsageError(
        `--table is required with --stage ${stage} (the stack's PaymentsTableName output)`,
      );
    env = {
      STAGE: stage,
      TABLE_NAME: table,
      SECRETS_SOURCE: "ssm",
      IAMPORT_MODE: "live",
      IAMPORT_CREDENTIALS_PARAM: `/${SERVICE}/${stage}/iamport-credentials`,
      // serverless.yml's EventBus: `${self:service}-${sls:stage}-events`.
      EVENT_BUS_NAME: `${SERVICE}-${stage}-events`,
    };
  }
  set(env, "TABLE_NAME", text(flags.table));
  set(env, "AWS_REGION", text(flags.region));
  set(env, "IAMPORT_MODE", text(flags["iamport-mode"]));
  set(env, "KICC_MID", text(flags["kicc-mid"]));
  set(env, "KICC_BILLING_MID", text(flags["kicc-billing-mid"]));
  env.LOG_LEVEL = text(flags["log-level"]) ?? "silent";
  return env;
}

/**
 * The same container the functions use, built from that environment.
 * @throws UsageError when a flag makes the configuration invalid (every problem named)
 */
export function connect(flags: ParsedArgs["flags"], localEnv?: Record<string, string>): OpsContext {
  let config: Config;
  try {
    config = parseConfig(environmentFor(flags, localEnv));
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.problems.join("; "));
    throw error;
  }
  const container = buildContainer(config);
  const db = createDocumentClient({
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
  });
  const where = config.DYNAMODB_ENDPOINT
    ? `DynamoDB at ${config.DYNAMODB_ENDPOINT}`
    : `DynamoDB in ${config.AWS_REGION}`;
  let publisher: PublishEventsDeps | undefined;
  return {
    config,
    container,
    reads: createOpsReads({ db, tableName: config.TABLE_NAME }),
    db,
    publisher() {
      publisher ??= buildPublishDeps(config, container.logger);
      return publisher;
    },
    target: `${where}, table ${config.TABLE_NAME} (stage ${config.STAGE})`,
  };
}
