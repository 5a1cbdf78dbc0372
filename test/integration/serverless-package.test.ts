/**
 * `osls package` builds the CloudFormation template offline; this asserts on
 * it: every function on nodejs22.x/arm64 with its route, the one table and its
 * index, the charge queue with its DLQ and capped consumer, and IAM limited to
 * that table, that queue and this stage's SSM parameters.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readServerlessFunctions, repoRoot } from "../../local/serverless-routes.js";

const run = promisify(execFile);
type Resource = { Type: string; Properties: Record<string, any> };
let resources: Record<string, Resource>;
let outDir: string;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), "sls-package-"));
  await run("npx", ["osls", "package", "--stage", "ci", "--package", outDir], {
    cwd: repoRoot,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: "1", SLS_NOTIFICATIONS_MODE: "off" },
    timeout: 120_000,
  });
  const template = JSON.parse(
    await readFile(join(outDir, "cloudformation-template-update-stack.json"), "utf8"),
  );
  resources = template.Resources;
}, 150_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe("serverless.yml packaged offline", () => {
  test("one Lambda per function, Node 22 on arm64, each from its own bundle", () => {
    const functions = ofType("AWS::Lambda::Function");
    const expected = readServerlessFunctions();

    expect(functions).toHaveLength(expected.length);
    for (const [, fn] of functions) {
      expect(fn.Properties.Runtime).toBe("nodejs22.x");
      expect(fn.Properties.Architectures).toEqual(["arm64"]);
      expect(fn.Properties.Code.S3Key).toMatch(/\.zip$/);
    }
    expect(new Set(functions.map(([, fn]) => fn.Properties.Code.S3Key)).size).toBe(expected.length);
  });

  test("every route in serverless.yml is an HTTP API route", () => {
    const routeKeys = ofType("AWS::ApiGatewayV2::Route").map(([, r]) => r.Properties.RouteKey);
    const expected = readServerlessFunctions().flatMap((fn) => fn.routes.map((r) => `${r.method} ${r.path}`));

    expect(routeKeys.sort()).toEqual(expected.sort());
  });

  test("one on-demand table with the sparse GSI1, TTL and point-in-time recovery", () => {
    const tables = ofType("AWS::DynamoDB::Table");

    expect(tables).toHaveLength(1);
    const table = tables[0]![1].Properties;
    expect(table.BillingMode).toBe("PAY_PER_REQUEST");
    expect(table.GlobalSecondaryIndexes.map((i: { IndexName: string }) => i.IndexName)).toEqual(["GSI1"]);
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: "expiresAt", Enabled: true });
    expect(table.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled).toBe(true);
  });

  test("IAM reaches only this table, its index and this stage's SSM parameters; no Scan", () => {
    const role = ofType("AWS::IAM::Role")[0]![1];
    const statements = role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
    const dynamo = statements.filter((s: any) =>
      [s.Action].flat().some((a: string) => a.startsWith("dynamodb:")),
    );
    const ssm = statements.filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith("ssm:")));

    expect(dynamo).toHaveLength(1);
    expect(dynamo[0].Action).not.toContain("dynamodb:Scan");
    expect(JSON.stringify(dynamo[0].Resource)).toContain("PaymentsTable");
    expect(JSON.stringify(dynamo[0].Resource)).not.toMatch(/"\*"/);
    expect(ssm).toHaveLength(1);
    expect(ssm[0].Action).toEqual(["ssm:GetParameter"]);
    expect(JSON.stringify(ssm[0].Resource)).toContain(":parameter/kicc-payments/ci/*");
  });

  test("IAM reaches SQS only for the charge queue: send for the producers, receive/delete for its consumer", () => {
    const role = ofType("AWS::IAM::Role")[0]![1];
    const statements = role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
    const sqs = statements.filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith("sqs:")));
    const actions = sqs.flatMap((s: any) => [s.Action].flat()).sort();

    expect(actions).toEqual(
      expect.arrayContaining([
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ReceiveMessage",
        "sqs:SendMessage",
      ]),
    );
    expect(
      actions.filter(
        (a: string) => !a.match(/^sqs:(SendMessage|ReceiveMessage|DeleteMessage|GetQueueAttributes)$/),
      ),
    ).toEqual([]);
    for (const statement of sqs) {
      for (const resource of [statement.Resource].flat()) {
        expect(resource).toEqual({ "Fn::GetAtt": ["ChargeQueue", "Arn"] });
      }
    }
  });

  test("the charge queue redrives to its DLQ after 5 receives, with a visibility timeout of 6× the consumer's timeout", () => {
    const queue = resources.ChargeQueue!.Properties;
    const dlq = resources.ChargeDeadLetterQueue!;
    const consumer = ofType("AWS::Lambda::Function").find(
      ([id]) => id === "ChargeSubscriptionLambdaFunction",
    )![1];

    expect(resources.ChargeQueue!.Type).toBe("AWS::SQS::Queue");
    expect(dlq.Type).toBe("AWS::SQS::Queue");
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { "Fn::GetAtt": ["ChargeDeadLetterQueue", "Arn"] },
      maxReceiveCount: 5,
    });
    expect(queue.VisibilityTimeout).toBe(6 * consumer.Properties.Timeout);
    expect(dlq.Properties.MessageRetentionPeriod).toBeGreaterThan(queue.MessageRetentionPeriod);
  });

  test("the consumer takes batches of 10 with partial batch failures, capped in concurrency to protect iamport", () => {
    const mappings = ofType("AWS::Lambda::EventSourceMapping").map(([, m]) => m.Properties);
    const consumer = ofType("AWS::Lambda::Function").find(
      ([id]) => id === "ChargeSubscriptionLambdaFunction",
    )![1];

    expect(mappings).toHaveLength(1);
    expect(mappings[0]).toMatchObject({
      EventSourceArn: { "Fn::GetAtt": ["ChargeQueue", "Arn"] },
      FunctionName: { "Fn::GetAtt": ["ChargeSubscriptionLambdaFunction", "Arn"] },
      BatchSize: 10,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    // Reserved concurrency at least the mapping's maximum: SQS never hands a batch to a throttled function.
    expect(consumer.Properties.ReservedConcurrentExecutions).toBeGreaterThanOrEqual(5);
    for (const [, fn] of ofType("AWS::Lambda::Function")) {
      expect(fn.Properties.Environment.Variables.CHARGE_QUEUE_URL).toEqual({ Ref: "ChargeQueue" });
    }
  });

  test("secrets are referenced by SSM name, never placed in the environment", () => {
    for (const [, fn] of ofType("AWS::Lambda::Function")) {
      const env = fn.Properties.Environment.Variables;
      expect(env.SECRETS_SOURCE).toBe("ssm");
      expect(env.IAMPORT_CREDENTIALS_PARAM).toBe("/kicc-payments/ci/iamport-credentials");
      expect(env).not.toHaveProperty("IAMPORT_IMP_SECRET");
      expect(env).not.toHaveProperty("MERCHANT_API_KEYS");
    }
  });

  test("ALERT log lines and iamport outages reach an alarm on an SNS topic", () => {
    const filters = ofType("AWS::Logs::MetricFilter").map(([, f]) => f.Properties);
    const alarms = ofType("AWS::CloudWatch::Alarm").map(([, a]) => a.Properties);
    const alertFilters = filters.filter((f) => f.FilterPattern === "{ $.alert = * }");

    for (const fn of [
      "IamportWebhook",
      "CompletePayment",
      "CompletePaymentMobile",
      "RefundOrder",
      "Reconcile",
      "SweepLedger",
      "ChargeSubscription",
      "CreateSubscription",
      "SwitchSubscriptionCard",
    ]) {
      expect(alertFilters.map((f) => f.LogGroupName.Ref)).toContain(`${fn}LogGroup`);
      expect(resources).toHaveProperty(`${fn}LogGroup`);
    }
    expect(alarms.map((a) => a.MetricName).sort()).toEqual([
      "ApproximateNumberOfMessagesVisible",
      "Errors",
      "Errors",
      "Errors",
      "IamportUnavailable",
      "LedgerSweepFindings",
      "PaymentAlerts",
    ]);
    const dlqAlarm = alarms.find((a) => a.Namespace === "AWS/SQS");
    expect(dlqAlarm?.Dimensions).toEqual([
      { Name: "QueueName", Value: { "Fn::GetAtt": ["ChargeDeadLetterQueue", "QueueName"] } },
    ]);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: "AlarmTopic" }]);
    expect(resources.AlarmTopic?.Type).toBe("AWS::SNS::Topic");
  });

  test("the ledger sweep runs every 15 minutes, one at a time, with the table's IAM, an alarm on findings and one on errors", () => {
    const fn = resources.SweepLedgerLambdaFunction!;
    const rules = ofType("AWS::Events::Rule").map(([, r]) => r.Properties);
    const schedule = rules.find((r) =>
      r.Targets.some((target: any) => JSON.stringify(target.Arn).includes("SweepLedgerLambdaFunction")),
    );
    const alarms = ofType("AWS::CloudWatch::Alarm").map(([, a]) => a.Properties);
    const filters = ofType("AWS::Logs::MetricFilter").map(([, f]) => f.Properties);

    expect(fn.Properties.ReservedConcurrentExecutions).toBe(1);
    expect(fn.Properties.Timeout).toBe(300);
    expect(schedule?.ScheduleExpression).toBe("rate(15 minutes)");
    // The role it runs with reaches the table (read the order, write refunds owed) and the iamport credentials.
    expect(JSON.stringify(fn.Properties.Role)).toContain("IamRoleLambdaExecution");
    const statements = resources.IamRoleLambdaExecution!.Properties.Policies.flatMap(
      (p: any) => p.PolicyDocument.Statement,
    );
    const dynamo = statements.find((s: any) => [s.Action].flat().includes("dynamodb:Query"));
    expect(dynamo.Action).toEqual(
      expect.arrayContaining([
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:ConditionCheckItem",
      ]),
    );
    expect(filters).toContainEqual(
      expect.objectContaining({
        LogGroupName: { Ref: "SweepLedgerLogGroup" },
        FilterPattern: '{ $.alert = "ledger_sweep_findings" }',
      }),
    );
    expect(alarms).toContainEqual(
      expect.objectContaining({ MetricName: "LedgerSweepFindings", Threshold: 1 }),
    );
    expect(alarms).toContainEqual(
      expect.objectContaining({
        MetricName: "Errors",
        Dimensions: [{ Name: "FunctionName", Value: { Ref: "SweepLedgerLambdaFunction" } }],
      }),
    );
  });

  test("the public API is throttled at the stage", () => {
    expect(resources.HttpApiStage?.Properties.DefaultRouteSettings).toEqual({
      ThrottlingBurstLimit: 200,
      ThrottlingRateLimit: 100,
    });
  });
});
