/**
 * CORS only where asked (the browser-called public routes), only for the
 * configured origins; a preflight never reaches the handler.
 */
import type { Context } from "aws-lambda";
import { describe, expect, test } from "vitest";
import { ValidationError } from "../../../lib/errors.js";
import { type HttpEvent, httpHandler } from "../../../lib/http/handler.js";
import { json } from "../../../lib/http/response.js";
import { createLogger } from "../../../lib/observability/logger.js";

const SHOP = "https://shop.example.com";
const logger = () => createLogger({ level: "silent" });
const context = () => ({ awsRequestId: "r", getRemainingTimeInMillis: () => 10_000 }) as unknown as Context;

function event(method: string, headers: Record<string, string> = {}): HttpEvent {
  return {
    version: "2.0",
    routeKey: `${method} /payments/complete`,
    rawPath: "/payments/complete",
    rawQueryString: "",
    headers,
    requestContext: { http: { method, path: "/payments/complete" } },
    isBase64Encoded: false,
  } as unknown as HttpEvent;
}

function handlers() {
  const calls: string[] = [];
  const withCors = httpHandler(
    async (e) => {
      calls.push(e.requestContext.http.method);
      if (e.headers?.fail) throw new ValidationError([{ field: "imp_uid", reason: "bad" }]);
      return json(200, { ok: true });
    },
    { logger, cors: { origins: () => [SHOP], method: "POST" } },
  );
  const merchant = httpHandler(async () => json(200, { ok: true }), { logger });
  return { calls, withCors, merchant };
}

describe("CORS for the browser-called public routes", () => {
  test("an allowed origin gets its own origin back, on success and on an error", async () => {
    const { withCors } = handlers();

    const ok = await withCors(event("POST", { origin: SHOP }), context());
    const bad = await withCors(event("POST", { origin: SHOP, fail: "1" }), context());

    expect(ok.headers).toMatchObject({ "access-control-allow-origin": SHOP, vary: "origin" });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers).toMatchObject({ "access-control-allow-origin": SHOP });
  });

  test("another origin gets no CORS header (the browser keeps the answer from its page)", async () => {
    const { withCors } = handlers();

    const res = await withCors(event("POST", { origin: "https://evil.example" }), context());

    expect(res.statusCode).toBe(200);
    expect(res.headers).not.toHaveProperty("access-control-allow-origin");
    expect(res.headers).toMatchObject({ vary: "origin" });
  });

  test("a preflight from an allowed origin: 204 with the route's method, and the handler never runs", async () => {
    const { withCors, calls } = handlers();

    const res = await withCors(
      event("OPTIONS", {
        origin: SHOP,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      }),
      context(),
    );

    expect(res.statusCode).toBe(204);
    expect(res.headers).toMatchObject({
      "access-control-allow-origin": SHOP,
      "access-control-allow-methods": "POST",
      "access-control-allow-headers": "content-type",
    });
    expect(calls).toEqual([]);
  });

  test("a preflight from another origin, for another method or with other headers: 403 JSON", async () => {
    const { withCors, calls } = handlers();
    const asks: Array<Record<string, string>> = [
      { origin: "https://evil.example", "access-control-request-method": "POST" },
      { origin: SHOP, "access-control-request-method": "DELETE" },
      {
        origin: SHOP,
        "access-control-request-method": "POST",
        "access-control-request-headers": "x-api-key",
      },
    ];

    for (const headers of asks) {
      const res = await withCors(event("OPTIONS", headers), context());
      expect(res.statusCode).toBe(403);
      expect(JSON.parse(res.body!)).toMatchObject({ error: "cors_refused" });
      expect(res.headers).not.toHaveProperty("access-control-allow-origin");
    }
    expect(calls).toEqual([]);
  });

  test("a route without CORS (every merchant route) answers none, even to a result-page origin", async () => {
    const { merchant } = handlers();

    const res = await merchant(event("POST", { origin: SHOP }), context());

    expect(res.headers).not.toHaveProperty("access-control-allow-origin");
  });
});
