/**
 * The packaged template against the current CloudFormation resource
 * specification (@aws-cdk/aws-service-spec): property names, required
 * properties, types, Ref / GetAtt / Sub targets. And the checker catches each
 * kind of mistake when one is planted.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { loadAwsServiceSpecSync } from "@aws-cdk/aws-service-spec";
import { beforeAll, describe, expect, test } from "vitest";
import { repoRoot } from "../../local/serverless-routes.js";
import { checkTemplate } from "../../scripts/check-cloudformation.js";

const run = promisify(execFile);
let template: any;
const db = loadAwsServiceSpecSync();

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "sls-spec-"));
  try {
    await run(
      "npx",
      [
        "osls",
        "package",
        "--stage",
        "prod",
        "--package",
        dir,
        "--param=publicApiUrl=https://pay.example.com",
        "--param=resultOrigins=https://shop.example.com",
        "--param=defaultResultUrl=https://shop.example.com/paid",
        "--param=kiccMid=T5102001",
        "--param=kiccBillingMid=T5102002",
      ],
      {
        cwd: repoRoot,
        env: { ...process.env, SLS_TELEMETRY_DISABLED: "1", SLS_NOTIFICATIONS_MODE: "off" },
        timeout: 120_000,
      },
    );
    template = JSON.parse(await readFile(join(dir, "cloudformation-template-update-stack.json"), "utf8"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 150_000);

/** A copy of the packaged template with one mistake planted. */
function planted(edit: (resources: Record<string, any>) => void) {
  const copy = structuredClone(template);
  edit(copy.Resources);
  return checkTemplate(copy, db);
}

describe("the packaged template and the CloudFormation specification", () => {
  test("every resource, property, type and reference is one the specification knows", () => {
    expect(Object.keys(template.Resources).length).toBeGreaterThan(80);
    expect(checkTemplate(template, db)).toEqual([]);
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
