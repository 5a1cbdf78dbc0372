import { expect, test } from "vitest";
import { buildEvent } from "../../../local/api-gateway.js";
import { rateToMs, readServerlessFunctions } from "../../../local/serverless-routes.js";

const route = {
  method: "GET",
  path: "/orders/{merchant_uid}/status",
  functionName: "getOrderStatus",
  handler: async () => ({}),
  pattern: /^\/orders\/([^/]+)\/status$/,
  names: ["merchant_uid"],
};

test("builds an API Gateway v2 event like AWS does", () => {
  const event = buildEvent(
    {
      method: "GET",
      url: "/orders/m-1/status?a=1&a=2&b=x",
      headers: { Host: "127.0.0.1:3000", "X-Api-Key": "k" },
      body: Buffer.alloc(0),
    },
    route,
    { merchant_uid: "m-1" },
  );

  expect(event).toMatchObject({
    version: "2.0",
    routeKey: "GET /orders/{merchant_uid}/status",
    rawPath: "/orders/m-1/status",
    rawQueryString: "a=1&a=2&b=x",
    headers: { host: "127.0.0.1:3000", "x-api-key": "k" },
    queryStringParameters: { a: "1,2", b: "x" },
    pathParameters: { merchant_uid: "m-1" },
    isBase64Encoded: false,
    requestContext: { http: { method: "GET", path: "/orders/m-1/status" }, stage: "$default" },
  });
  expect(event.body).toBeUndefined();
});

test("binary bodies are base64 encoded, text bodies are not", () => {
  const text = buildEvent(
    { method: "POST", url: "/x", headers: { "content-type": "application/json" }, body: Buffer.from("{}") },
    route,
    {},
  );
  const binary = buildEvent(
    {
      method: "POST",
      url: "/x",
      headers: { "content-type": "application/octet-stream" },
      body: Buffer.from([1, 2]),
    },
    route,
    {},
  );

  expect(text).toMatchObject({ body: "{}", isBase64Encoded: false });
  expect(binary).toMatchObject({ body: "AQI=", isBase64Encoded: true });
});

test("serverless.yml is the one list of routes", () => {
  const routes = readServerlessFunctions().flatMap((fn) => fn.routes.map((r) => `${r.method} ${r.path}`));

  expect(routes).toEqual(expect.arrayContaining(["POST /orders", "POST /webhooks/iamport"]));
});

test("EventBridge rates convert to milliseconds; cron is not run locally", () => {
  expect(rateToMs("rate(5 minutes)")).toBe(300_000);
  expect(rateToMs("rate(1 hour)")).toBe(3_600_000);
  expect(rateToMs("cron(0 * * * ? *)")).toBeNull();
});
