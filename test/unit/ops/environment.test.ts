/** The flags → environment mapping the ops CLI hands to lib/config.ts (pure). */
import { describe, expect, test } from "vitest";
import { parseConfig } from "../../../lib/config.js";
import { environmentFor } from "../../../ops/environment.js";
import { UsageError } from "../../../ops/errors.js";

describe("ops environment", () => {
  test("no --stage: npm start's local stack, which lib/config.ts accepts", () => {
    const config = parseConfig(environmentFor({}));

    expect(config).toMatchObject({
      STAGE: "local",
      TABLE_NAME: "payments-local",
      DYNAMODB_ENDPOINT: "http://127.0.0.1:8000",
      IAMPORT_API_URL: "http://127.0.0.1:7701",
      SECRETS_SOURCE: "env",
      LOG_LEVEL: "silent",
    });
  });

  test("--stage: the named table, SSM secrets under the stage's path, live mode unless told", () => {
    const env = environmentFor({
      stage: "prod",
      table: "kicc-payments-prod-PaymentsTable-1X",
      region: "ap-northeast-1",
    });
    const config = parseConfig(env);

    expect(config).toMatchObject({
      STAGE: "prod",
      TABLE_NAME: "kicc-payments-prod-PaymentsTable-1X",
      AWS_REGION: "ap-northeast-1",
      SECRETS_SOURCE: "ssm",
      IAMPORT_MODE: "live",
      IAMPORT_CREDENTIALS_PARAM: "/kicc-payments/prod/iamport-credentials",
    });
    expect(config.DYNAMODB_ENDPOINT).toBeUndefined();
    expect(
      parseConfig(environmentFor({ stage: "dev", table: "t", "iamport-mode": "test" })).IAMPORT_MODE,
    ).toBe("test");
  });

  test("--stage without --table, or a stage name that is not one, is a usage error", () => {
    expect(() => environmentFor({ stage: "prod" })).toThrow(UsageError);
    expect(() => environmentFor({ stage: "prod" })).toThrow(/--table is required/);
    expect(() => environmentFor({ stage: "../x", table: "t" })).toThrow(/--stage must be/);
  });
});
