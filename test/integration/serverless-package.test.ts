/**
 * `osls package` builds the CloudFormation template offline; this asserts on
 * it: every function on nodejs22.x/arm64 with its route and its own role
 * holding only what its code does, the one table and its index, the charge
 * queue with its DLQ and capped consumer, an alarm for every alert kind and
 * AWS metric that matters, throttles per route, access logs without personal
 * data, and deploy parameters that cannot be forgotten. Then the template
 * against the current CloudFormation resource specification
 * (@aws-cdk/aws-service-spec), and the checker against planted mistakes.
 *
 * One package run for all of it: two `osls package` at once in this folder
 * would share serverless-esbuild's work folder.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { loadAwsServiceSpecSync } from "@aws-cdk/aws-service-spec";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import signals from "../../lib/observability/signals.json" with { type: "json" };
import { rateToMs, readServerlessFunctions, repoRoot, routeKey } from "../../local/serverless-routes.js";
import { checkTemplate } from "../../scripts/check-cloudformation.js";

const run = promisify(execFile);
type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: unknown };
let resources: Record<string, Resource>;
let templateText: string;
let outDir: string;

const env = { ...process.env, SLS_TELEMETRY_DISABLED: "1", SLS_NOTIFICATIONS_MODE: "off" };
const liveParams = [
  "--param=publicApiUrl=https://pay.example.com",
  "--param=resultOrigins=https://shop.example.com,https://m.shop.example.com",
  "--param=defaultResultUrl=https://shop.example.com/paid",
  "--param=kiccMid=T5102001",
];

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), "sls-package-"));
  await run("npx", ["osls", "package", "--stage", "ci", "--package", outDir, ...liveParams], {
    cwd: repoRoot,
    env,
    timeout: 120_000,
  });
  templateText = await readFile(join(outDir, "cloudformation-template-update-stack.json"), "utf8");
  resources = JSON.parse(templateText).Resources;
}, 150_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const lambda = (name: string) => resources[`${name[0]!.toUpperCase()}${name.slice(1)}LambdaFunction`]!;
const envOf = (name: string): Record<string, unknown> => lambda(name).Properties.Environment.Variables;
const table = { "Fn::GetAtt": ["PaymentsTable", "Arn"] };
const index = { "Fn::Join": ["/", [table, "index", "GSI1"]] };
const ssm = (name: string) => ({
  "Fn::Sub": `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/kicc-payments/ci/${name}`,
});
const queue = { "Fn::GetAtt": ["ChargeQueue", "Arn"] };

/** Every statement of a function's role, as `action → resources`. */
function grants(name: string): Record<string, unknown[]> {
  const roleRef = lambda(name).Properties.Role;
  expect(roleRef["Fn::GetAtt"]?.[1]).toBe("Arn");
  const role = resources[roleRef["Fn::GetAtt"][0]]!;
  expect(role.Type).toBe("AWS::IAM::Role");
  const out: Record<string, unknown[]> = {};
  for (const policy of role.Properties.Policies) {
    for (const s of policy.PolicyDocument.Statement) {
      expect(s.Effect).toBe("Allow");
      for (const action of [s.Action].flat()) out[action] = [...(out[action] ?? []), ...[s.Resource].flat()];
    }
  }
  return out;
}

const W = ["GetItem", "PutItem", "UpdateItem"];
const IAMPORT = "iamport-credentials";
const KEYS = "merchant-api-keys";
/** What each function's code does, and so all its role may do (besides its logs and X-Ray). */
const expected: Record<
  string,
  {
    table: string[];
    index?: string[];
    ssm?: string[];
    send?: boolean;
    consume?: boolean;
    public?: boolean;
    /** The table's stream read, PutEvents on the bus, the events DLQ sent to (the publisher). */
    publishes?: boolean;
  }
> = {
  createOrder: { table: ["GetItem", "PutItem"], ssm: [IAMPORT, KEYS] },
  getOrder: { table: ["GetItem", "Query"], ssm: [KEYS] },
  getOrderStatus: { table: ["GetItem"], public: true },
  completePayment: { table: W, ssm: [IAMPORT], public: true },
  completePaymentMobile: { table: W, ssm: [IAMPORT], public: true },
  iamportWebhook: { table: ["BatchGetItem", ...W], ssm: [IAMPORT], public: true },
  refundOrder: { table: ["GetItem", "PutItem", "Query"], ssm: [IAMPORT, KEYS] },
  reconcile: { table: W, index: ["Query"], ssm: [IAMPORT] },
  sweepLedger: { table: W, index: ["Query"], ssm: [IAMPORT] },
  createBillingKey: { table: W, ssm: [KEYS] },
  createSubscription: { table: W, ssm: [IAMPORT, KEYS], send: true },
  getSubscription: { table: ["GetItem", "Query"], ssm: [KEYS] },
  cancelSubscription: { table: W, ssm: [KEYS] },
  pauseSubscription: { table: W, ssm: [KEYS] },
  resumeSubscription: { table: W, ssm: [KEYS] },
  changeSubscriptionPlan: { table: W, ssm: [KEYS] },
  switchSubscriptionCard: { table: W, ssm: [IAMPORT, KEYS], send: true },
  dispatchCharges: { table: W, index: ["Query"], send: true },
  chargeSubscription: { table: [...W, "ConditionCheckItem"], ssm: [IAMPORT], consume: true },
  // The $default route: a 405 or 404 from the route table in its code, nothing read.
  unmatchedRoute: { table: [], public: true },
  // The publisher: the table's stream, never its items.
  publishEvents: { table: [], publishes: true },
};
const stream = { "Fn::GetAtt": ["PaymentsTable", "StreamArn"] };

describe("serverless.yml packaged offline", () => {
  test("one Lambda per function, Node 22 on arm64, each from its own bundle", () => {
    const functions = ofType("AWS::Lambda::Function");
    const names = readServerlessFunctions().map((fn) => fn.name);

    expect(functions).toHaveLength(names.length);
    expect(Object.keys(expected).sort()).toEqual([...names].sort());
    for (const [, fn] of functions) {
      expect(fn.Properties.Runtime).toBe("nodejs22.x");
      expect(fn.Properties.Architectures).toEqual(["arm64"]);
      expect(fn.Properties.Code.S3Key).toMatch(/\.zip$/);
    }
    expect(new Set(functions.map(([, fn]) => fn.Properties.Code.S3Key)).size).toBe(names.length);
  });

  test("every route in serverless.yml is an HTTP API route", () => {
    const routeKeys = ofType("AWS::ApiGatewayV2::Route").map(([, r]) => r.Properties.RouteKey);
    const expectedRoutes = readServerlessFunctions().flatMap((fn) => fn.routes.map(routeKey));

    expect(routeKeys.sort()).toEqual(expectedRoutes.sort());
  });

  test("what no route matches goes to the $default route's function, not API Gateway's plain 404", () => {
    const routes = ofType("AWS::ApiGatewayV2::Route").map(([, r]) => r.Properties);
    const integrations = Object.fromEntries(ofType("AWS::ApiGatewayV2::Integration"));
    const fallback = routes.filter((r) => r.RouteKey === "$default");

    expect(fallback).toHaveLength(1);
    const integration = integrations[fallback[0]!.Target["Fn::Join"][1][1].Ref]!;
    expect(integration.Properties.IntegrationUri).toEqual({
      "Fn::GetAtt": ["UnmatchedRouteLambdaFunction", "Arn"],
    });
  });

  test("one on-demand table with the sparse GSI1, TTL, point-in-time recovery and deletion protection", () => {
    const tables = ofType("AWS::DynamoDB::Table");

    expect(tables).toHaveLength(1);
    const [, resource] = tables[0]!;
    const props = resource.Properties;
    expect(props.BillingMode).toBe("PAY_PER_REQUEST");
    expect(props.GlobalSecondaryIndexes.map((i: { IndexName: string }) => i.IndexName)).toEqual(["GSI1"]);
    expect(props.TimeToLiveSpecification).toEqual({ AttributeName: "expiresAt", Enabled: true });
    expect(props.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled).toBe(true);
    expect(props.DeletionProtectionEnabled).toBe(true);
    expect(resources.PaymentsTable).toMatchObject({
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
    });
  });

  test("the stack outputs the table's name, which the ops CLI's --table needs for a stage", () => {
    expect(JSON.parse(templateText).Outputs.PaymentsTableName).toMatchObject({
      Value: { Ref: "PaymentsTable" },
    });
  });
});

describe("least privilege, per function", () => {
  test("no shared role: every function has its own, and nothing else is a role", () => {
    const roles = ofType("AWS::IAM::Role").map(([id]) => id);
    const used = ofType("AWS::Lambda::Function").map(([, fn]) => fn.Properties.Role["Fn::GetAtt"][0]);

    expect(resources).not.toHaveProperty("IamRoleLambdaExecution");
    expect(new Set(used).size).toBe(used.length);
    expect(roles.sort()).toEqual([...used].sort());
  });

  test.each(Object.entries(expected))("%s: exactly the actions and resources its code uses", (name, want) => {
    const logGroup = `${name[0]!.toUpperCase()}${name.slice(1)}LogGroup`;
    const expectedGrants: Record<string, unknown[]> = {
      "logs:CreateLogStream": [{ "Fn::GetAtt": [logGroup, "Arn"] }],
      "logs:PutLogEvents": [{ "Fn::GetAtt": [logGroup, "Arn"] }],
      "xray:PutTraceSegments": ["*"],
      "xray:PutTelemetryRecords": ["*"],
    };
    const grant = (action: string, resource: unknown) => {
      expectedGrants[action] = [...(expectedGrants[action] ?? []), resource];
    };
    for (const action of want.table) grant(`dynamodb:${action}`, table);
    for (const action of want.index ?? []) grant(`dynamodb:${action}`, index);
    if (want.ssm) expectedGrants["ssm:GetParameters"] = want.ssm.map(ssm);
    if (want.send) expectedGrants["sqs:SendMessage"] = [queue];
    if (want.consume) {
      for (const action of ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"])
        expectedGrants[action] = [queue];
    }
    if (want.publishes) {
      for (const action of ["DescribeStream", "GetRecords", "GetShardIterator", "ListStreams"])
        grant(`dynamodb:${action}`, stream);
      grant("events:PutEvents", { "Fn::GetAtt": ["EventBus", "Arn"] });
      grant("sqs:SendMessage", { "Fn::GetAtt": ["EventsDeadLetterQueue", "Arn"] });
    }

    expect(grants(name)).toEqual(expectedGrants);
  });

  test("no public function can touch the queue or the merchant API keys, nor sees their names", () => {
    const publicFunctions = readServerlessFunctions().filter((fn) => expected[fn.name]?.public);

    expect(publicFunctions.map((fn) => fn.name).sort()).toEqual(
      [
        "completePayment",
        "completePaymentMobile",
        "getOrderStatus",
        "iamportWebhook",
        "unmatchedRoute",
      ].sort(),
    );
    for (const { name } of publicFunctions) {
      const granted = grants(name);
      expect(Object.keys(granted).filter((a) => a.startsWith("sqs:"))).toEqual([]);
      expect(JSON.stringify(granted)).not.toContain(KEYS);
      expect(envOf(name)).not.toHaveProperty("MERCHANT_API_KEYS_PARAM");
      expect(envOf(name)).not.toHaveProperty("CHARGE_QUEUE_URL");
    }
    // The status route reads one order: nothing else, not even the iamport credentials.
    expect(Object.keys(grants("getOrderStatus")).filter((a) => !/^(logs|xray):/.test(a))).toEqual([
      "dynamodb:GetItem",
    ]);
    expect(envOf("getOrderStatus")).not.toHaveProperty("IAMPORT_CREDENTIALS_PARAM");
    // The $default route reads nothing at all: its logs and X-Ray only.
    expect(Object.keys(grants("unmatchedRoute")).filter((a) => !/^(logs|xray):/.test(a))).toEqual([]);
    expect(envOf("unmatchedRoute")).not.toHaveProperty("IAMPORT_CREDENTIALS_PARAM");
  });

  test("nothing can Scan, delete or reach another table, queue or parameter; no wildcard but X-Ray's", () => {
    for (const name of Object.keys(expected)) {
      for (const [action, targets] of Object.entries(grants(name))) {
        expect(action).not.toMatch(/Scan|Delete(Item|Table)|BatchWrite|\*/);
        if (!action.startsWith("xray:")) expect(targets).not.toContain("*");
      }
    }
  });

  test("every ARN the template writes out names the partition (arn:${AWS::Partition}), never arn:aws", () => {
    const compact = JSON.stringify(JSON.parse(templateText));
    // Written whole in a Fn::Sub, or as the framework joins them: "arn:", { Ref: AWS::Partition }, …
    const written = [...compact.matchAll(/"arn:([^"]*)/g)].map((m) => m[1]!);
    const joined = compact.split('"arn:",{"Ref":"AWS::Partition"}').length - 1;

    expect(compact).not.toMatch(/arn:aws(-[a-z]+)?:/);
    expect(written.filter((rest) => rest !== "" && !rest.startsWith("${AWS::Partition}:"))).toEqual([]);
    expect(written.filter((rest) => rest === "")).toHaveLength(joined);
    expect(written.filter((rest) => rest.startsWith("${AWS::Partition}:ssm:")).length).toBeGreaterThan(10);
  });

  test("a function gets a secret's name or the queue URL only with the permission for it", () => {
    for (const [name, want] of Object.entries(expected)) {
      const variables = envOf(name);
      expect(variables.IAMPORT_CREDENTIALS_PARAM).toBe(
        want.ssm?.includes(IAMPORT) ? "/kicc-payments/ci/iamport-credentials" : undefined,
      );
      expect(variables.MERCHANT_API_KEYS_PARAM).toBe(
        want.ssm?.includes(KEYS) ? "/kicc-payments/ci/merchant-api-keys" : undefined,
      );
      expect(variables.CHARGE_QUEUE_URL).toEqual(want.send ? { Ref: "ChargeQueue" } : undefined);
      expect(variables.SECRETS_SOURCE).toBe("ssm");
      expect(variables).not.toHaveProperty("IAMPORT_IMP_SECRET");
      expect(variables).not.toHaveProperty("MERCHANT_API_KEYS");
    }
  });

  test("each function is given only the variables it reads", () => {
    const common = ["SECRETS_SOURCE", "STAGE", "TABLE_NAME"];
    // IAMPORT_MODE only where a payment or billing key is verified (unset is live: lib/config.ts).
    const mids = ["KICC_BILLING_MID", "KICC_MID", "IAMPORT_MODE"];
    const verifies = [...mids, "IAMPORT_CREDENTIALS_PARAM"];
    const keys = "MERCHANT_API_KEYS_PARAM";
    const variables: Record<string, string[]> = {
      createOrder: [
        "KICC_MID",
        "IAMPORT_CREDENTIALS_PARAM",
        keys,
        "PUBLIC_API_URL",
        "RESULT_ORIGINS",
        "SEND_NOTICE_URL",
      ],
      getOrder: [keys],
      getOrderStatus: ["RESULT_ORIGINS"],
      completePayment: [...verifies, "RESULT_ORIGINS"],
      completePaymentMobile: [...verifies, "RESULT_ORIGINS", "DEFAULT_RESULT_URL"],
      iamportWebhook: [...verifies, "WEBHOOK_SOURCE_IPS"],
      refundOrder: [...verifies, keys],
      reconcile: verifies,
      sweepLedger: verifies,
      createBillingKey: ["KICC_BILLING_MID", keys, "RESULT_ORIGINS", "DEFAULT_RESULT_URL"],
      createSubscription: [
        "KICC_BILLING_MID",
        "IAMPORT_MODE",
        "IAMPORT_CREDENTIALS_PARAM",
        keys,
        "CHARGE_QUEUE_URL",
        "BILLING_TRIAL_NOTICE_DAYS",
      ],
      getSubscription: [keys],
      cancelSubscription: [keys],
      pauseSubscription: [keys],
      resumeSubscription: [keys],
      changeSubscriptionPlan: [keys],
      switchSubscriptionCard: [
        "KICC_BILLING_MID",
        "IAMPORT_MODE",
        "IAMPORT_CREDENTIALS_PARAM",
        keys,
        "CHARGE_QUEUE_URL",
      ],
      dispatchCharges: ["CHARGE_QUEUE_URL"],
      chargeSubscription: [
        ...verifies,
        "PUBLIC_API_URL",
        "SEND_NOTICE_URL",
        "CHARGE_IAMPORT_CALLS_IN_FLIGHT",
      ],
      // CORS on the browser-called paths' refusals.
      unmatchedRoute: ["RESULT_ORIGINS"],
      publishEvents: ["EVENT_BUS_NAME"],
    };

    expect(Object.keys(variables).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, own] of Object.entries(variables)) {
      expect(Object.keys(envOf(name)).sort(), name).toEqual([...common, ...own].sort());
    }
    expect(envOf("createOrder")).toMatchObject({ KICC_MID: "T5102001", SEND_NOTICE_URL: "true" });
    for (const name of ["completePayment", "iamportWebhook", "createSubscription", "chargeSubscription"])
      expect(envOf(name), name).toMatchObject({ IAMPORT_MODE: "live" });
    // The webhook source allow-list is off unless the webhookSourceIps parameter is given.
    expect(envOf("iamportWebhook")).toMatchObject({ WEBHOOK_SOURCE_IPS: "" });
    expect(envOf("completePaymentMobile")).toMatchObject({
      RESULT_ORIGINS: "https://shop.example.com,https://m.shop.example.com",
      DEFAULT_RESULT_URL: "https://shop.example.com/paid",
    });
  });
});

describe("the charge queue", () => {
  test("redrives to its DLQ after 5 receives, with a visibility timeout of 6× the consumer's timeout", () => {
    const props = resources.ChargeQueue!.Properties;
    const dlq = resources.ChargeDeadLetterQueue!;

    expect(dlq.Type).toBe("AWS::SQS::Queue");
    expect(props.RedrivePolicy).toEqual({
      deadLetterTargetArn: { "Fn::GetAtt": ["ChargeDeadLetterQueue", "Arn"] },
      maxReceiveCount: 5,
    });
    expect(props.VisibilityTimeout).toBe(6 * lambda("chargeSubscription").Properties.Timeout);
    expect(dlq.Properties.MessageRetentionPeriod).toBeGreaterThan(props.MessageRetentionPeriod);
  });

  test("the consumer takes batches of 30 (a batching window, as Lambda needs above 10) with partial batch failures, capped in concurrency", () => {
    const mappings = ofType("AWS::Lambda::EventSourceMapping")
      .map(([, m]) => m.Properties)
      .filter((m) => JSON.stringify(m.EventSourceArn) === JSON.stringify(queue));

    expect(mappings).toHaveLength(1);
    expect(mappings[0]).toMatchObject({
      EventSourceArn: queue,
      FunctionName: { "Fn::GetAtt": ["ChargeSubscriptionLambdaFunction", "Arn"] },
      BatchSize: 30,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: 3 },
    });
    // Reserved concurrency at least the mapping's maximum: SQS never hands a batch to a throttled function.
    expect(lambda("chargeSubscription").Properties.ReservedConcurrentExecutions).toBeGreaterThanOrEqual(3);
  });

  test("iamport sees at most 15 calls in flight from the charge worker, and a batch is whole rounds of them", () => {
    const mapping = ofType("AWS::Lambda::EventSourceMapping")
      .map(([, m]) => m.Properties)
      .find((m) => JSON.stringify(m.EventSourceArn) === JSON.stringify(queue))!;
    const perBatch = Number(
      lambda("chargeSubscription").Properties.Environment.Variables.CHARGE_IAMPORT_CALLS_IN_FLIGHT,
    );

    expect(mapping.ScalingConfig.MaximumConcurrency * perBatch).toBe(15);
    // A last round with fewer records than places leaves the cap unused (10 at 3: 4 rounds for 3⅓).
    expect(mapping.BatchSize % perBatch).toBe(0);
  });
});

describe("domain events", () => {
  test("the table's stream (new images) feeds the publisher, filtered to new outbox items, with partial batch failures", () => {
    const mappings = ofType("AWS::Lambda::EventSourceMapping")
      .map(([, m]) => m.Properties)
      .filter((m) => JSON.stringify(m.EventSourceArn) === JSON.stringify(stream));

    expect(resources.PaymentsTable!.Properties.StreamSpecification).toEqual({ StreamViewType: "NEW_IMAGE" });
    expect(mappings).toHaveLength(1);
    const mapping = mappings[0]!;
    expect(mapping).toMatchObject({
      FunctionName: { "Fn::GetAtt": ["PublishEventsLambdaFunction", "Arn"] },
      StartingPosition: "TRIM_HORIZON",
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": ["EventsDeadLetterQueue", "Arn"] } } },
    });
    // Bounded retries: a record the bus keeps refusing goes to the DLQ instead of holding its shard for 24 hours.
    expect(mapping.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(mapping.MaximumRetryAttempts).toBeLessThanOrEqual(10);
    expect(mapping.MaximumRecordAgeInSeconds).toBeLessThan(24 * 3600);
    // Whole PutEvents calls of 10.
    expect(mapping.BatchSize % 10).toBe(0);
    expect(mapping.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern))).toEqual([
      { eventName: ["INSERT"], dynamodb: { NewImage: { type: { S: ["outbox"] } } } },
    ]);
  });

  test("one bus per stage, the publisher told its name, and an alarm on the events DLQ", () => {
    expect(resources.EventBus).toMatchObject({
      Type: "AWS::Events::EventBus",
      Properties: { Name: "kicc-payments-ci-events" },
    });
    expect(envOf("publishEvents").EVENT_BUS_NAME).toEqual({ Ref: "EventBus" });
    expect(resources.EventsDeadLetterQueue!.Properties.MessageRetentionPeriod).toBe(1_209_600);
    const alarm = Object.values(resources).find(
      (r) =>
        r.Type === "AWS::CloudWatch::Alarm" &&
        JSON.stringify(r.Properties.Dimensions) ===
          JSON.stringify([
            { Name: "QueueName", Value: { "Fn::GetAtt": ["EventsDeadLetterQueue", "QueueName"] } },
          ]),
    );
    expect(alarm?.Properties).toMatchObject({
      MetricName: "ApproximateNumberOfMessagesVisible",
      Threshold: 1,
      AlarmActions: [{ Ref: "AlarmTopic" }],
      OKActions: [{ Ref: "AlarmTopic" }],
    });
  });
});

describe("scheduled functions", () => {
  test("the next tick is the retry: no async retries, a maximum event age, a timeout shorter than the rate", () => {
    const scheduled = readServerlessFunctions().filter((fn) => fn.schedules.length > 0);
    const configs = ofType("AWS::Lambda::EventInvokeConfig").map(([, c]) => c.Properties);

    expect(scheduled.map((fn) => fn.name).sort()).toEqual(["dispatchCharges", "reconcile", "sweepLedger"]);
    for (const fn of scheduled) {
      const rateMs = Math.min(...fn.schedules.map((s) => rateToMs(s.rate) ?? 0));
      const id = `${fn.name[0]!.toUpperCase()}${fn.name.slice(1)}LambdaFunction`;
      const config = configs.find((c) => c.FunctionName?.Ref === id);
      expect(config, fn.name).toMatchObject({ MaximumRetryAttempts: 0 });
      expect(config!.MaximumEventAgeInSeconds * 1000).toBeLessThan(rateMs);
      expect(lambda(fn.name).Properties.Timeout * 1000).toBeLessThan(rateMs);
      expect(lambda(fn.name).Properties.ReservedConcurrentExecutions).toBe(1);
    }
  });
});

describe("alarms that mean something", () => {
  const alarms = (): Array<Record<string, any>> =>
    ofType("AWS::CloudWatch::Alarm").map(([id, a]) => ({ id, ...a.Properties }));

  test("no log metric filter is left: the metrics come from the code", () => {
    expect(ofType("AWS::Logs::MetricFilter")).toEqual([]);
  });

  test("every alert kind in signals.json has its PaymentAlerts alarm, at one occurrence", () => {
    const byKind = alarms().filter((a) => a.MetricName === "PaymentAlerts");

    expect(byKind.map((a) => a.Dimensions[0].Value).sort()).toEqual(Object.keys(signals.alerts).sort());
    for (const alarm of byKind) {
      expect(alarm).toMatchObject({
        Namespace: "KiccPayments/ci",
        Statistic: "Sum",
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        TreatMissingData: "notBreaching",
      });
      expect(alarm.Dimensions).toEqual([{ Name: "alert", Value: expect.any(String) }]);
    }
  });

  test("a spoofed imp_uid is a rate alarm on Signals, never an alert of one", () => {
    const spoof = alarms().find(
      (a) => a.MetricName === "Signals" && a.Dimensions[0].Value === "spoofed_imp_uid",
    );

    expect(spoof).toBeDefined();
    expect(spoof!.Threshold).toBeGreaterThan(1);
    expect(Object.keys(signals.alerts)).not.toContain("spoofed_imp_uid");
    expect(
      alarms()
        .filter((a) => a.MetricName === "Signals")
        .map((a) => a.Dimensions[0].Value)
        .sort(),
    ).toEqual(Object.keys(signals.counters).sort());
  });

  test("AWS's own metrics: the charge worker's errors and throttles, the queue's age, the DLQ, API 5xx, DynamoDB throttles, the scheduled jobs' failures", () => {
    const on = (namespace: string, metric: string, dimension: unknown) =>
      alarms().find(
        (a) =>
          a.Namespace === namespace &&
          a.MetricName === metric &&
          JSON.stringify(a.Dimensions) === JSON.stringify(dimension),
      );
    const fn = (name: string) => [{ Name: "FunctionName", Value: { Ref: `${name}LambdaFunction` } }];

    expect(on("AWS/Lambda", "Errors", fn("ChargeSubscription"))).toBeDefined();
    expect(on("AWS/Lambda", "Throttles", fn("ChargeSubscription"))).toBeDefined();
    expect(on("AWS/Lambda", "Errors", fn("Reconcile"))).toBeDefined();
    expect(on("AWS/Lambda", "Errors", fn("SweepLedger"))).toBeDefined();
    expect(on("AWS/Lambda", "Errors", fn("DispatchCharges"))).toBeDefined();
    expect(
      on("AWS/SQS", "ApproximateAgeOfOldestMessage", [
        { Name: "QueueName", Value: { "Fn::GetAtt": ["ChargeQueue", "QueueName"] } },
      ]),
    ).toBeDefined();
    expect(
      on("AWS/SQS", "ApproximateNumberOfMessagesVisible", [
        { Name: "QueueName", Value: { "Fn::GetAtt": ["ChargeDeadLetterQueue", "QueueName"] } },
      ]),
    ).toBeDefined();
    expect(on("AWS/ApiGateway", "5xx", [{ Name: "ApiId", Value: { Ref: "HttpApi" } }])).toBeDefined();
    for (const metric of ["ReadThrottleEvents", "WriteThrottleEvents"])
      expect(
        on("AWS/DynamoDB", metric, [{ Name: "TableName", Value: { Ref: "PaymentsTable" } }]),
      ).toBeDefined();
  });

  test("every alarm notifies the topic when it fires and when it is OK again", () => {
    expect(alarms().length).toBeGreaterThan(Object.keys(signals.alerts).length);
    for (const alarm of alarms()) {
      expect(alarm.AlarmActions, alarm.id).toEqual([{ Ref: "AlarmTopic" }]);
      expect(alarm.OKActions, alarm.id).toEqual([{ Ref: "AlarmTopic" }]);
    }
    expect(resources.AlarmTopic?.Type).toBe("AWS::SNS::Topic");
  });
});

describe("the HTTP API", () => {
  test("each merchant route its default bucket, each public route a smaller one of its own", () => {
    const stage = resources.HttpApiStage!.Properties;
    const publicRoutes = readServerlessFunctions()
      .filter((fn) => expected[fn.name]?.public)
      .flatMap((fn) => fn.routes.map(routeKey));

    expect(publicRoutes).toContain("$default");
    expect(stage.DefaultRouteSettings).toEqual({ ThrottlingBurstLimit: 200, ThrottlingRateLimit: 100 });
    expect(Object.keys(stage.RouteSettings).sort()).toEqual(publicRoutes.sort());
    for (const route of publicRoutes) {
      expect(stage.RouteSettings[route].ThrottlingRateLimit).toBeLessThan(100);
      expect(stage.RouteSettings[route].ThrottlingBurstLimit).toBeLessThan(200);
    }
  });

  test("the stage is created after every route its RouteSettings name (a new stack fails otherwise)", () => {
    const stage = resources.HttpApiStage!;
    const byKey = Object.fromEntries(
      ofType("AWS::ApiGatewayV2::Route").map(([id, r]) => [r.Properties.RouteKey as string, id]),
    );
    const named = Object.keys(stage.Properties.RouteSettings);

    expect(named.filter((key) => !byKey[key])).toEqual([]);
    expect(stage.DependsOn).toEqual(expect.arrayContaining(named.map((key) => byKey[key])));
  });

  test("access logs, without personal data: the route template, no path, query, source IP or user agent", () => {
    const settings = resources.HttpApiStage!.Properties.AccessLogSettings;
    const format = JSON.parse(settings.Format) as Record<string, string>;

    expect(settings.DestinationArn).toEqual({ "Fn::GetAtt": ["HttpApiLogGroup", "Arn"] });
    expect(format).toMatchObject({ route: "$context.routeKey", status: "$context.status" });
    expect(settings.Format).not.toMatch(/identity|\$context\.path|querystring|\$request/i);
    expect(resources.HttpApiLogGroup?.Properties.RetentionInDays).toBe(90);
  });

  test("no CORS at the API: only the browser-called public routes answer it, themselves", () => {
    expect(resources.HttpApi!.Properties).not.toHaveProperty("CorsConfiguration");
  });
});

describe("bundles", () => {
  test("no source map in any zip (kept out: see the README's Measurements)", async () => {
    for (const fn of readServerlessFunctions()) {
      const zip = await readFile(join(outDir, `${fn.name}.zip`));
      // Names are stored uncompressed in a zip's headers.
      expect(zip.includes(Buffer.from(".mjs")), fn.name).toBe(true);
      expect(zip.includes(Buffer.from(".map")), fn.name).toBe(false);
    }
  });
});

describe("deploy parameters", () => {
  const packageFails = async (stage: string, params: string[] = []) => {
    const dir = await mkdtemp(join(tmpdir(), "sls-missing-"));
    try {
      await run("npx", ["osls", "package", "--stage", stage, "--package", dir, ...params], {
        cwd: repoRoot,
        env,
        timeout: 120_000,
      });
      return null;
    } catch (error) {
      const { stdout, stderr } = error as { stdout: string; stderr: string };
      return `${stdout}\n${stderr}`;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  test("a live stage without them: one message naming each missing one", async () => {
    const output = await packageFails("prod");

    expect(output).not.toBeNull();
    const line = output!.split("\n").find((l) => l.includes("missing deploy parameters"));
    expect(line).toContain(
      "missing deploy parameters for stage prod: publicApiUrl, resultOrigins, defaultResultUrl, kiccMid",
    );
  }, 150_000);

  test("only the ones missing are named; kiccMid is not needed in test mode", async () => {
    const output = await packageFails("staging", [
      "--param=iamportMode=test",
      "--param=publicApiUrl=https://pay.example.com",
    ]);

    const line = output!.split("\n").find((l) => l.includes("missing deploy parameters"));
    expect(line).toContain("missing deploy parameters for stage staging: resultOrigins, defaultResultUrl (");
  }, 150_000);

  test("the local and test stages resolve with their own values", async () => {
    for (const stage of ["local", "test"]) {
      const { stdout } = await run("npx", ["osls", "print", "--stage", stage, "--format", "json"], {
        cwd: repoRoot,
        env,
        timeout: 120_000,
      });
      const config = JSON.parse(stdout);
      expect(config.provider.environment).not.toHaveProperty("IAMPORT_MODE");
      expect(config.functions.completePayment.environment).toMatchObject({ IAMPORT_MODE: "test" });
      expect(config.functions.switchSubscriptionCard.environment).toMatchObject({ IAMPORT_MODE: "test" });
      expect(config.functions.createOrder.environment).toMatchObject({
        PUBLIC_API_URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1/),
        RESULT_ORIGINS: expect.stringMatching(/^http:\/\/127\.0\.0\.1/),
      });
    }
  }, 150_000);
});

const db = loadAwsServiceSpecSync();

/** A copy of the packaged template with one mistake planted. */
function planted(edit: (resources: Record<string, any>) => void) {
  const copy = structuredClone(JSON.parse(templateText));
  edit(copy.Resources);
  return checkTemplate(copy, db);
}

describe("the packaged template and the CloudFormation specification", () => {
  test("every resource, property, type and reference is one the specification knows", () => {
    expect(Object.keys(resources).length).toBeGreaterThan(80);
    expect(checkTemplate(JSON.parse(templateText), db)).toEqual([]);
  });

  test.each([
    [
      "a misspelled property",
      (r: any) => {
        r.GetOrderStatusLambdaFunction.Properties.RunTime = "nodejs22.x";
      },
      "GetOrderStatusLambdaFunction.Properties.RunTime: no such property",
    ],
    [
      "a required property missing",
      (r: any) => {
        delete r.GetOrderStatusLambdaFunction.Properties.Role;
      },
      "GetOrderStatusLambdaFunction.Properties.Role: required property missing",
    ],
    [
      "a value of the wrong type",
      (r: any) => {
        r.GetOrderStatusLambdaFunction.Properties.MemorySize = "lots";
      },
      "GetOrderStatusLambdaFunction.Properties.MemorySize: expected an integer",
    ],
    [
      "a misspelled property of a nested type",
      (r: any) => {
        r.HttpApiStage.Properties.AccessLogSettings.Fromat = "x";
      },
      "HttpApiStage.Properties.AccessLogSettings.Fromat: no such property",
    ],
    [
      "a list where an object belongs",
      (r: any) => {
        r.GetOrderStatusLambdaFunction.Properties.Environment = [1];
      },
      "GetOrderStatusLambdaFunction.Properties.Environment: expected an object",
    ],
    [
      "a Ref to nothing",
      (r: any) => {
        r.AlarmTopic.Properties.TopicName = { Ref: "NoSuchThing" };
      },
      "Ref to NoSuchThing, which does not exist",
    ],
    [
      "a GetAtt of an attribute the type lacks",
      (r: any) => {
        r.ChargeQueue.Properties.RedrivePolicy.deadLetterTargetArn = {
          "Fn::GetAtt": ["ChargeDeadLetterQueue", "Nope"],
        };
      },
      "Fn::GetAtt ChargeDeadLetterQueue.Nope: AWS::SQS::Queue has no such attribute",
    ],
    [
      "a Sub variable naming nothing",
      (r: any) => {
        r.AlarmTopic.Properties.TopicName = { "Fn::Sub": "${Nope}-alarms" };
      },
      "Fn::Sub names ${Nope}, which does not exist",
    ],
    [
      "a resource type that does not exist",
      (r: any) => {
        r.AlarmTopic.Type = "AWS::SNS::Topik";
      },
      "AlarmTopic: AWS::SNS::Topik is not a resource type of the specification",
    ],
  ])("finds %s", (_what, edit, message) => {
    const problems = planted(edit);

    expect(
      problems.some((p) => p.includes(message)),
      problems.join("\n"),
    ).toBe(true);
  });
});
