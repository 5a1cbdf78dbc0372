/**
 * Bad input gets a JSON error everywhere: a method no route has (405 with
 * `Allow`, from the `$default` route's function, functions/unmatched-route.ts,
 * as on AWS), a body or headers too large (413, 431), and a refused value of
 * 100 KB is named, not echoed back whole. The API stand-in with the real
 * handlers, DynamoDB Local and the sandbox.
 */
import { request } from "node:http";
import { describe, expect, test } from "vitest";
import { ROUTE_TABLE } from "../../../lib/http/route-table.js";
import { useStack } from "../../support/stack.js";

const ctx = useStack();

/** A raw request (fetch refuses some of these headers), answered as status, headers and parsed body. */
function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body = "",
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  text: string;
}> {
  const url = new URL(path, ctx().stack.apiUrl);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...headers, connection: "close" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {}
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, text });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("JSON errors for what no handler sees", () => {
  test.each([
    ["DELETE", "/orders", "POST"],
    ["PUT", "/orders/m-1", "GET"],
    ["GET", "/webhooks/iamport", "POST"],
    ["POST", "/orders/m-1/status", "GET"],
  ])("%s %s → 405 with Allow: %s and a JSON body", async (method, path, allow) => {
    const res = await raw(method, path, { "x-api-key": ctx().stack.apiKey });

    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.body).toMatchObject({ error: "method_not_allowed", message: expect.stringContaining(allow) });
  });

  test("a path no route has is a JSON 404 from the $default route's function, as on AWS", async () => {
    const res = await raw("DELETE", "/nothing-here");

    expect(res.status).toBe(404);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error: "not_found", message: "route not found" });
  });

  test("the route table's CORS marks are the routes that answer CORS themselves", async () => {
    const origin = ctx().stack.env.RESULT_ORIGINS!.split(",")[0]!;
    const answering: string[] = [];
    for (const route of ROUTE_TABLE) {
      const path = route.path.replace(/\{\w+\}/g, "x");
      const preflight: Record<string, string> =
        route.method === "OPTIONS" ? { "access-control-request-method": "POST" } : {};
      const res = await raw(route.method, path, { origin, ...preflight });
      if (res.headers["access-control-allow-origin"] === origin)
        answering.push(`${route.method} ${route.path}`);
    }

    // The $default route answers CORS on exactly these paths (lib/http/unmatched-route.ts).
    expect(answering).toEqual(ROUTE_TABLE.filter((r) => r.cors).map((r) => `${r.method} ${r.path}`));
    expect(answering.length).toBeGreaterThan(0);
    const refused = await raw("DELETE", "/payments/complete", { origin });
    expect(refused.status).toBe(405);
    expect(refused.headers["access-control-allow-origin"]).toBe(origin);
  });

  test("a body over the limit → 413 with a JSON body", async () => {
    const res = await raw("POST", "/orders", { "content-type": "application/json" }, "x".repeat(1_100_000));

    expect(res.status).toBe(413);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.body).toEqual({ message: "Request Entity Too Large" });
  });

  test("headers over the limit → 431 with a JSON body", async () => {
    const res = await raw("GET", "/orders/m-1/status", { "x-filler": "a".repeat(40_000) });

    expect(res.status).toBe(431);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.body).toEqual({ message: "Request Header Fields Too Large" });
  });
});

describe("a 100 KB bad value is named, not echoed back whole", () => {
  const big = "9".repeat(100_000);
  test.each([
    ["POST /orders vbank_due", "/orders", { vbank_due: big }, "vbank_due"],
    ["POST /orders an unknown key of 100 KB", "/orders", { [big]: 1 }, "body"],
    ["POST /orders custom_data key", "/orders", { custom_data: { [big]: 1 } }, "custom_data"],
    ["POST /orders name", "/orders", { name: big }, "name"],
    [
      "POST /orders/{id}/refunds refund_account",
      "/orders/m-1/refunds",
      { reason: "r", refund_account: big },
      "refund_account",
    ],
    [
      "POST /payments/complete imp_uid",
      "/payments/complete",
      { imp_uid: big, merchant_uid: "m-1" },
      "imp_uid",
    ],
  ])("%s", async (_name, path, fields, field) => {
    const t = ctx();
    const base = path === "/orders" ? (await import("../../support/stack.js")).cardOrder() : {};
    const res = await t.api(path, {
      body: { ...base, ...fields },
      headers: { "idempotency-key": `k-${Date.now()}` },
    });

    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(JSON.stringify(res.body).length).toBeLessThan(3_000);
    expect(JSON.stringify(res.body.issues ?? [])).toContain(field);
  });

  test("many bad fields at once: the answer stays small", async () => {
    const t = ctx();
    const body = Object.fromEntries(
      Array.from({ length: 2_000 }, (_, i) => [`unknown_${i}_${"z".repeat(40)}`, i]),
    );

    const res = await t.api("/orders", { body });

    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body).length).toBeLessThan(6_000);
  });
});
