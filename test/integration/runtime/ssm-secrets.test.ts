/**
 * Secrets from SSM in one round trip: a cold function asks for every
 * parameter it may read in one signed GetParameters call. The stand-in is a
 * real HTTP server on 127.0.0.1 that checks what AWS checks: the target, the
 * JSON content type, and a SigV4 signature for service `ssm` in the region,
 * recomputed from the request it received.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import { parseConfig } from "../../../lib/config.js";
import { createSecrets } from "../../../lib/runtime/secrets.js";
import { createGetParameters } from "../../../lib/runtime/ssm-parameters.js";
import { signatureOk as signedFor, testCredentials } from "../../support/sigv4-check.js";

const credentials = testCredentials;
const store = new Map<string, string>([
  ["/kicc/test/iamport", JSON.stringify({ imp_key: "k-123", imp_secret: "s-456" })],
  ["/kicc/test/api-keys", "key-a, key-b"],
]);
let server: Server;
let endpoint: string;
let calls: Array<{ target: string; names: string[]; signatureOk: boolean; decrypt: boolean }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const input = JSON.parse(body) as { Names: string[]; WithDecryption: boolean };
      const call = {
        target: String(req.headers["x-amz-target"]),
        names: input.Names,
        signatureOk: await signedFor("ssm", req, body),
        decrypt: input.WithDecryption,
      };
      calls.push(call);
      res.setHeader("content-type", "application/x-amz-json-1.1");
      if (!call.signatureOk || req.headers["content-type"] !== "application/x-amz-json-1.1") {
        res
          .writeHead(400)
          .end(JSON.stringify({ __type: "InvalidSignatureException", message: "bad signature" }));
        return;
      }
      res.end(
        JSON.stringify({
          Parameters: input.Names.filter((n) => store.has(n)).map((n) => ({ Name: n, Value: store.get(n) })),
          InvalidParameters: input.Names.filter((n) => !store.has(n)),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  calls = [];
});

// The Lambda runtime's way of handing a function its role's credentials, and the SDK's endpoint override.
const ENV = {
  AWS_ACCESS_KEY_ID: credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  AWS_SESSION_TOKEN: credentials.sessionToken,
};
const saved: Record<string, string | undefined> = {};
beforeAll(() => {
  for (const [k, v] of Object.entries({ ...ENV, AWS_ENDPOINT_URL_SSM: endpoint })) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
});
afterAll(() => {
  for (const [k, v] of Object.entries(saved))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
});

function secretsFor(env: Record<string, string>) {
  return createSecrets(
    parseConfig({
      STAGE: "prod",
      TABLE_NAME: "t",
      AWS_REGION: "ap-northeast-2",
      IAMPORT_API_URL: "https://api.iamport.kr",
      IAMPORT_MODE: "live",
      KICC_MID: "T5102001",
      PUBLIC_API_URL: "https://pay.example.com",
      RESULT_ORIGINS: "https://shop.example.com",
      DEFAULT_RESULT_URL: "https://shop.example.com/result",
      ...env,
    }),
  );
}

test("a cold function reads its API keys and the iamport credentials in one signed GetParameters call", async () => {
  const secrets = secretsFor({
    IAMPORT_CREDENTIALS_PARAM: "/kicc/test/iamport",
    MERCHANT_API_KEYS_PARAM: "/kicc/test/api-keys",
  });
  const [keys, creds] = await Promise.all([secrets.merchantApiKeys(), secrets.iamportCredentials()]);
  expect(keys).toEqual(["key-a", "key-b"]);
  expect(creds).toEqual({ impKey: "k-123", impSecret: "s-456" });
  // Warm: from the container's cache.
  await secrets.merchantApiKeys();
  await secrets.iamportCredentials();
  expect(calls).toEqual([
    {
      target: "AmazonSSM.GetParameters",
      names: ["/kicc/test/iamport", "/kicc/test/api-keys"],
      signatureOk: true,
      decrypt: true,
    },
  ]);
});

test("a function given one parameter asks for that one only", async () => {
  const secrets = secretsFor({ IAMPORT_CREDENTIALS_PARAM: "/kicc/test/iamport" });
  expect(await secrets.iamportCredentials()).toEqual({ impKey: "k-123", impSecret: "s-456" });
  expect(calls.map((c) => c.names)).toEqual([["/kicc/test/iamport"]]);
  await expect(secrets.merchantApiKeys()).rejects.toThrow(/MERCHANT_API_KEYS_PARAM is not set/);
});

test("a parameter SSM does not have is named, and a failed read is retried on the next call", async () => {
  const secrets = secretsFor({ IAMPORT_CREDENTIALS_PARAM: "/kicc/test/missing" });
  await expect(secrets.iamportCredentials()).rejects.toThrow(/no parameter \/kicc\/test\/missing/);
  await expect(secrets.iamportCredentials()).rejects.toThrow(/no parameter/);
  expect(calls).toHaveLength(2);
});

test("a request signed with other credentials is refused by the stand-in (the check can fail)", async () => {
  const get = createGetParameters({
    region: "ap-northeast-2",
    endpoint,
    credentials: async () => ({ ...credentials, secretAccessKey: "wrong" }),
  });
  await expect(get(["/kicc/test/iamport"])).rejects.toThrow(/InvalidSignatureException/);
  expect(calls[0]?.signatureOk).toBe(false);
});
