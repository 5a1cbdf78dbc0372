/**
 * apiKeyAuth(): a request without one of the configured keys in `x-api-key`
 * is answered 401 JSON and never reaches the handler; the comparison is
 * constant-time (node:crypto's timingSafeEqual).
 */
import { timingSafeEqual } from "node:crypto";
import middy from "@middy/core";
import { beforeEach, describe, expect, test, vi } from "vitest";
import { apiKeyAuth } from "../../../lib/http/api-key-auth.js";
import { errorResponder } from "../../../lib/http/error-responder.js";
import type { HttpEvent } from "../../../lib/http/event.js";
import { type HttpResult, json } from "../../../lib/http/response.js";
import { createLogger } from "../../../lib/observability/logger.js";
import { httpEvent, lambdaContext } from "./support.js";

vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:crypto")>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const KEYS = ["key-one", "key-two"];

function handler() {
  const calls: string[] = [];
  const fn = middy<HttpEvent, HttpResult>()
    .use(apiKeyAuth(async () => KEYS))
    .use(errorResponder({ log: () => createLogger({ level: "silent" }) }))
    .handler(async () => {
      calls.push("handler");
      return json(200, { ok: true });
    });
  return { fn, calls };
}

beforeEach(() => {
  vi.mocked(timingSafeEqual).mockClear();
});

describe("apiKeyAuth", () => {
  test("a configured key (any of them, header name in any case) reaches the handler", async () => {
    const { fn, calls } = handler();

    const first = await fn(httpEvent("POST", { "x-api-key": "key-one" }), lambdaContext());
    const second = await fn(httpEvent("POST", { "X-Api-Key": "key-two" }), lambdaContext());

    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(calls).toEqual(["handler", "handler"]);
  });

  test("a wrong key, a missing key or an empty one: 401 JSON, and the handler never runs", async () => {
    const { fn, calls } = handler();

    const asks: Array<Record<string, string>> = [
      { "x-api-key": "key-three" },
      {},
      { "x-api-key": "" },
      { "x-api-key": "key-on" },
    ];
    for (const headers of asks) {
      const res = await fn(httpEvent("POST", headers), lambdaContext());
      expect(res.statusCode).toBe(401);
      expect(res.headers).toMatchObject({ "content-type": "application/json; charset=utf-8" });
      expect(JSON.parse(res.body ?? "")).toEqual({
        error: "unauthorized",
        message: "a valid API key is required in the x-api-key header",
      });
    }
    expect(calls).toEqual([]);
  });

  test("keys of the given length are compared in constant time, every one of them", async () => {
    const { fn } = handler();

    // "key-one" and "key-two" are both 7 bytes: both are compared, the first match does not stop it.
    await fn(httpEvent("POST", { "x-api-key": "key-one" }), lambdaContext());
    expect(timingSafeEqual).toHaveBeenCalledTimes(2);

    vi.mocked(timingSafeEqual).mockClear();
    await fn(httpEvent("POST", { "x-api-key": "key-xxx" }), lambdaContext());
    expect(timingSafeEqual).toHaveBeenCalledTimes(2);
  });
});
