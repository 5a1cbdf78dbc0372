/**
 * The `$default` route's answers (functions/unmatched-route.ts through its
 * middy stack): a routed path asked with another method is a JSON 405 naming
 * the path's methods in `Allow`, anything else a JSON 404; browser-called
 * paths answer CORS for the result origins as their routes do, merchant paths
 * none. And the route table is serverless.yml's list of routes, exactly.
 */
import type { Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { HttpEvent } from "../../../lib/http/handler.js";
import { pathFits, ROUTE_TABLE } from "../../../lib/http/route-table.js";
import { isDefaultRoute, readServerlessFunctions, routeKey } from "../../../local/serverless-routes.js";

const SHOP = "https://shop.example.com";
let handler: (event: HttpEvent, context: Context) => Promise<any>;
const savedEnv = { ...process.env };

beforeAll(async () => {
  // What serverless.yml gives the function; its config is parsed on first use.
  Object.assign(process.env, {
    STAGE: "local",
    TABLE_NAME: "unused",
    IAMPORT_MODE: "test",
    SECRETS_SOURCE: "env",
    IAMPORT_IMP_KEY: "k",
    IAMPORT_IMP_SECRET: "s",
    MERCHANT_API_KEYS: "key",
    RESULT_ORIGINS: SHOP,
    LOG_LEVEL: "silent",
  });
  ({ handler } = await import("../../../functions/unmatched-route.js"));
});
afterAll(() => {
  // The worker's environment is shared with the next test file it runs.
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

const context = () => ({ awsRequestId: "r", getRemainingTimeInMillis: () => 5_000 }) as unknown as Context;

/** An event as API Gateway sends it to the `$default` route. */
function event(method: string, path: string, headers: Record<string, string> = {}): HttpEvent {
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: "",
    headers,
    requestContext: { routeKey: "$default", http: { method, path } },
    isBase64Encoded: false,
  } as unknown as HttpEvent;
}

describe("the route table", () => {
  test("is exactly serverless.yml's httpApi routes, besides the $default route itself", () => {
    const deployed = readServerlessFunctions().flatMap((fn) =>
      fn.routes.filter((r) => !isDefaultRoute(r)).map(routeKey),
    );

    expect(ROUTE_TABLE.map(routeKey).sort()).toEqual(deployed.sort());
    expect(
      readServerlessFunctions().flatMap((fn) => fn.routes.filter(isDefaultRoute).map(() => fn.name)),
    ).toEqual(["unmatchedRoute"]);
  });

  test("a parameter is one non-empty segment, as API Gateway matches it", () => {
    expect(pathFits("/orders/{merchant_uid}/status", "/orders/m-1/status")).toBe(true);
    expect(pathFits("/orders/{merchant_uid}/status", "/orders//status")).toBe(false);
    expect(pathFits("/orders/{merchant_uid}/status", "/orders/a/b/status")).toBe(false);
    expect(pathFits("/orders", "/orders/")).toBe(false);
  });
});

describe("a method the path has not", () => {
  test.each([
    ["DELETE", "/orders", "POST"],
    ["PUT", "/orders/m-1", "GET"],
    ["GET", "/webhooks/iamport", "POST"],
    ["POST", "/orders/m-1/status", "GET"],
    ["GET", "/payments/complete", "OPTIONS, POST"],
    ["PATCH", "/subscriptions/sub_1/plan", "POST"],
  ])("%s %s → 405, Allow: %s, a JSON error", async (method, path, allow) => {
    const res = await handler(event(method, path), context());

    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toEqual({
      error: "method_not_allowed",
      message: `${method} is not allowed here; use ${allow}`,
    });
  });
});

describe("a path nothing routes", () => {
  test.each([
    ["GET", "/"],
    ["GET", "/nothing-here"],
    ["POST", "/orders/"],
    ["GET", "/orders/m-1/status/extra"],
    ["DELETE", `/${"x".repeat(10_000)}`],
  ])("%s %s → a JSON 404 that does not echo the path", async (method, path) => {
    const res = await handler(event(method, path), context());

    expect(res.statusCode).toBe(404);
    expect(res.headers).not.toHaveProperty("allow");
    expect(JSON.parse(res.body)).toEqual({ error: "not_found", message: "route not found" });
  });
});

describe("CORS, as the routes of the path answer it", () => {
  test("a browser-called path: the result origin may read the refusal, another origin may not", async () => {
    const allowed = await handler(event("DELETE", "/orders/m-1/status", { origin: SHOP }), context());
    const other = await handler(
      event("DELETE", "/orders/m-1/status", { origin: "https://evil.example" }),
      context(),
    );

    expect(allowed.statusCode).toBe(405);
    expect(allowed.headers).toMatchObject({ "access-control-allow-origin": SHOP, vary: "origin" });
    expect(other.headers).not.toHaveProperty("access-control-allow-origin");
  });

  test("a preflight for a path with no OPTIONS route is refused (405), not answered as allowed", async () => {
    const res = await handler(
      event("OPTIONS", "/orders/m-1/status", { origin: SHOP, "access-control-request-method": "GET" }),
      context(),
    );

    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe("GET");
    expect(res.headers).not.toHaveProperty("access-control-allow-methods");
  });

  test("a merchant path and an unknown path answer no CORS at all", async () => {
    for (const path of ["/orders", "/subscriptions/sub_1", "/nothing-here"]) {
      const res = await handler(event("PUT", path, { origin: SHOP }), context());
      expect(res.headers, path).not.toHaveProperty("access-control-allow-origin");
      expect(res.headers, path).not.toHaveProperty("vary");
    }
  });
});
