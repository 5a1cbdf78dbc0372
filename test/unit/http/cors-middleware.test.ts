/**
 * cors(): the preflight is answered before anything else runs (the handler,
 * the auth after it), and every other answer, a refusal included, carries the
 * CORS headers an allowed origin gets.
 */
import middy from "@middy/core";
import { describe, expect, test } from "vitest";
import { ValidationError } from "../../../lib/errors.js";
import { apiKeyAuth } from "../../../lib/http/api-key-auth.js";
import { cors } from "../../../lib/http/cors.js";
import { errorResponder } from "../../../lib/http/error-responder.js";
import type { HttpEvent } from "../../../lib/http/event.js";
import { type HttpResult, json } from "../../../lib/http/response.js";
import { createLogger } from "../../../lib/observability/logger.js";
import { httpEvent, lambdaContext } from "./support.js";

const SHOP = "https://shop.example.com";

function handler() {
  const calls: string[] = [];
  const fn = middy<HttpEvent, HttpResult>()
    .use(cors({ origins: () => [SHOP], method: "POST" }))
    .use({
      before: () => {
        calls.push("before");
      },
    })
    .use(errorResponder({ log: () => createLogger({ level: "silent" }) }))
    .handler(async (event) => {
      calls.push("handler");
      if (event.headers?.fail) throw new ValidationError([{ field: "imp_uid", reason: "bad" }]);
      return json(200, { ok: true });
    });
  return { fn, calls };
}

const preflightAsk = {
  origin: SHOP,
  "access-control-request-method": "POST",
  "access-control-request-headers": "content-type",
};

describe("cors", () => {
  test("a preflight is answered 204 before the middlewares after it and the handler run", async () => {
    const { fn, calls } = handler();

    const res = await fn(httpEvent("OPTIONS", preflightAsk, "/payments/complete"), lambdaContext());

    expect(res.statusCode).toBe(204);
    expect(res.headers).toMatchObject({
      "access-control-allow-origin": SHOP,
      "access-control-allow-methods": "POST",
      "access-control-allow-headers": "content-type",
    });
    expect(calls).toEqual([]);
  });

  test("a preflight needs no API key: it is answered before the auth runs", async () => {
    const fn = middy<HttpEvent, HttpResult>()
      .use(cors({ origins: () => [SHOP], method: "POST" }))
      .use(apiKeyAuth(async () => ["key"]))
      .use(errorResponder({ log: () => createLogger({ level: "silent" }) }))
      .handler(async () => json(200, {}));

    const res = await fn(httpEvent("OPTIONS", preflightAsk, "/payments/complete"), lambdaContext());

    expect(res.statusCode).toBe(204);
  });

  test("a refused preflight is 403 JSON without the allow-origin header, and the handler never runs", async () => {
    const { fn, calls } = handler();

    const res = await fn(
      httpEvent("OPTIONS", { ...preflightAsk, origin: "https://evil.example" }, "/payments/complete"),
      lambdaContext(),
    );

    expect(res.statusCode).toBe(403);
    expect(JSON.parse(res.body ?? "")).toMatchObject({ error: "cors_refused" });
    expect(res.headers).not.toHaveProperty("access-control-allow-origin");
    expect(calls).toEqual([]);
  });

  test("an answer and an error's answer both carry the allowed origin, after the handler ran", async () => {
    const { fn, calls } = handler();

    const ok = await fn(httpEvent("POST", { origin: SHOP }, "/payments/complete"), lambdaContext());
    const bad = await fn(
      httpEvent("POST", { origin: SHOP, fail: "1" }, "/payments/complete"),
      lambdaContext(),
    );

    expect(calls).toEqual(["before", "handler", "before", "handler"]);
    expect(ok.statusCode).toBe(200);
    expect(ok.headers).toMatchObject({ "access-control-allow-origin": SHOP, vary: "origin" });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers).toMatchObject({ "access-control-allow-origin": SHOP, vary: "origin" });
  });

  test("another origin gets `vary: origin` only", async () => {
    const { fn } = handler();

    const res = await fn(httpEvent("POST", { origin: "https://evil.example" }), lambdaContext());

    expect(res.statusCode).toBe(200);
    expect(res.headers).not.toHaveProperty("access-control-allow-origin");
    expect(res.headers).toMatchObject({ vary: "origin" });
  });
});
