import { describe, expect, test } from "vitest";
import { ConfigError, parseConfig, requireSetting } from "../../../lib/config.js";
import { buildContainer } from "../../../lib/runtime/container.js";
import { createSecrets } from "../../../lib/runtime/secrets.js";

const local = {
  STAGE: "local",
  TABLE_NAME: "payments",
  IAMPORT_MODE: "test",
  SECRETS_SOURCE: "env",
  IAMPORT_IMP_KEY: "k",
  IAMPORT_IMP_SECRET: "s",
  MERCHANT_API_KEYS: "a, b",
  PUBLIC_API_URL: "http://127.0.0.1:3000",
  RESULT_ORIGINS: "http://127.0.0.1:3000",
  DEFAULT_RESULT_URL: "http://127.0.0.1:3000/shop/result.html",
};

describe("parseConfig", () => {
  test("a local configuration parses with defaults", () => {
    const config = parseConfig(local);

    expect(config).toMatchObject({
      IAMPORT_API_URL: "https://api.iamport.kr",
      MERCHANT_API_KEYS: ["a", "b"],
      VBANK_DUE_HOURS: 72,
      SEND_NOTICE_URL: false,
    });
  });

  test("every missing key is named in one error", () => {
    const error = (() => {
      try {
        parseConfig({});
      } catch (e) {
        return e as ConfigError;
      }
    })();

    expect(error).toBeInstanceOf(ConfigError);
    const fields = error?.problems.map((p) => p.split(":")[0]);
    expect(fields).toEqual(expect.arrayContaining(["STAGE", "TABLE_NAME"]));
  });

  test("IAMPORT_MODE unset (a function that verifies nothing is not given it) is live, the strict mode", () => {
    const { IAMPORT_MODE: _, ...withoutMode } = local;
    const config = parseConfig(withoutMode);

    expect(config.IAMPORT_MODE).toBe("live");
    // A verifier deployed without it by mistake refuses test-channel payments and keys; it never accepts them.
    const built = buildContainer(config);
    expect(built.verifyDeps.mode).toBe("live");
    expect(built.subscriptionDeps.mode).toBe("live");
    expect(() => parseConfig({ ...local, IAMPORT_MODE: "sandbox" })).toThrow(/IAMPORT_MODE/);
  });

  test("a function given only what it reads starts; a setting it lacks fails naming it, when it is needed", () => {
    // serverless.yml gives PUBLIC_API_URL and the result pages only to the functions that read them.
    const statusRoute = {
      STAGE: "prod",
      TABLE_NAME: "payments",
      IAMPORT_MODE: "live",
      SECRETS_SOURCE: "ssm",
      RESULT_ORIGINS: "https://shop.example.com",
    };
    const config = parseConfig(statusRoute);
    const built = buildContainer(config);

    expect(config.PUBLIC_API_URL).toBeUndefined();
    expect(built.orders).toBeDefined();
    expect(() => requireSetting(config, "PUBLIC_API_URL")).toThrow(
      /PUBLIC_API_URL: required by this function/,
    );
    expect(() => built.createOrderDeps).toThrow(ConfigError);
    expect(() => built.createBillingKeyDeps).toThrow(/DEFAULT_RESULT_URL/);
    expect(() => buildContainer(parseConfig({ ...statusRoute, SEND_NOTICE_URL: "true" }))).toThrow(
      /PUBLIC_API_URL/,
    );
    expect(
      buildContainer(parseConfig({ ...statusRoute, PUBLIC_API_URL: "https://pay.example.com" }))
        .createOrderDeps.settings.mRedirectUrl,
    ).toBe("https://pay.example.com/payments/complete/mobile");
  });

  test("secrets from the environment are refused outside local and test stages", () => {
    expect(() => parseConfig({ ...local, STAGE: "prod" })).toThrow(
      /only allowed for the local and test stages/,
    );
  });

  test("on AWS a function without a secret's parameter name starts, and refuses to read that secret", async () => {
    // serverless.yml gives each function only the names its role may read (the status route none).
    const config = parseConfig({ ...local, STAGE: "prod", SECRETS_SOURCE: "ssm" });
    const secrets = createSecrets(config);

    await expect(secrets.merchantApiKeys()).rejects.toThrow(/MERCHANT_API_KEYS_PARAM is not set/);
    await expect(secrets.iamportCredentials()).rejects.toThrow(/IAMPORT_CREDENTIALS_PARAM is not set/);
  });

  test("the default result page must be on an allowed origin", () => {
    expect(() => parseConfig({ ...local, DEFAULT_RESULT_URL: "https://elsewhere.example/r" })).toThrow(
      /DEFAULT_RESULT_URL/,
    );
  });

  test("a KICC MID with punctuation is refused", () => {
    expect(() => parseConfig({ ...local, KICC_MID: "T51/02" })).toThrow(/KICC_MID/);
  });

  test("an empty MID (an unset serverless.yml parameter) means unset, not a refused value", () => {
    const config = parseConfig({ ...local, KICC_MID: "", KICC_BILLING_MID: "" });

    expect(config.KICC_MID).toBeUndefined();
    expect(config.KICC_BILLING_MID).toBeUndefined();
  });

  test("the dunning schedule: 1, 3, 5 days by default; increasing whole days when set", () => {
    expect(parseConfig(local)).toMatchObject({
      BILLING_RETRY_DAYS: [1, 3, 5],
      BILLING_EXHAUSTED_ACTION: "unpaid",
    });
    expect(parseConfig({ ...local, BILLING_RETRY_DAYS: "2, 7" }).BILLING_RETRY_DAYS).toEqual([2, 7]);
    for (const bad of ["3,1", "0,2", "1.5", "x", "1,1"]) {
      expect(() => parseConfig({ ...local, BILLING_RETRY_DAYS: bad })).toThrow(/BILLING_RETRY_DAYS/);
    }
  });

  test("the webhook source allow-list is off by default and takes only IP addresses", () => {
    expect(parseConfig(local).WEBHOOK_SOURCE_IPS).toEqual([]);
    expect(parseConfig({ ...local, WEBHOOK_SOURCE_IPS: "" }).WEBHOOK_SOURCE_IPS).toEqual([]);
    expect(
      parseConfig({ ...local, WEBHOOK_SOURCE_IPS: "52.78.100.19, 52.78.48.223,52.78.5.241" })
        .WEBHOOK_SOURCE_IPS,
    ).toEqual(["52.78.100.19", "52.78.48.223", "52.78.5.241"]);
    expect(() => parseConfig({ ...local, WEBHOOK_SOURCE_IPS: "52.78.100.19,52.78.0.0/16" })).toThrow(
      /WEBHOOK_SOURCE_IPS: 52.78.0.0\/16 is not an IP address/,
    );
  });
});
