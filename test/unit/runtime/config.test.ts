import { describe, expect, test } from "vitest";
import { ConfigError, parseConfig } from "../../../lib/config.js";

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
    expect(fields).toEqual(
      expect.arrayContaining(["STAGE", "TABLE_NAME", "IAMPORT_MODE", "PUBLIC_API_URL", "RESULT_ORIGINS"]),
    );
  });

  test("secrets from the environment are refused outside local and test stages", () => {
    expect(() => parseConfig({ ...local, STAGE: "prod" })).toThrow(
      /only allowed for the local and test stages/,
    );
  });

  test("on AWS the SSM parameter names are required", () => {
    expect(() => parseConfig({ ...local, STAGE: "prod", SECRETS_SOURCE: "ssm" })).toThrow(
      /IAMPORT_CREDENTIALS_PARAM.*MERCHANT_API_KEYS_PARAM/,
    );
  });

  test("the default result page must be on an allowed origin", () => {
    expect(() => parseConfig({ ...local, DEFAULT_RESULT_URL: "https://elsewhere.example/r" })).toThrow(
      /DEFAULT_RESULT_URL/,
    );
  });

  test("a KICC MID with punctuation is refused", () => {
    expect(() => parseConfig({ ...local, KICC_MID: "T51/02" })).toThrow(/KICC_MID/);
  });
});
