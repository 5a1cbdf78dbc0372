/**
 * errorResponder(): whatever a middleware or the handler throws becomes the
 * mapped status and JSON body, logged through the request's logger; nothing
 * thrown escapes as an invocation error.
 */
import middy from "@middy/core";
import { describe, expect, test } from "vitest";
import { ConflictError, NotFoundError, RetryLaterError, ValidationError } from "../../../lib/errors.js";
import { errorResponder } from "../../../lib/http/error-responder.js";
import type { HttpEvent } from "../../../lib/http/event.js";
import { requestLogger } from "../../../lib/http/request-logger.js";
import { type HttpResult, json } from "../../../lib/http/response.js";
import { IamportApiError } from "../../../lib/iamport/errors.js";
import { httpEvent, keptLogger, lambdaContext } from "./support.js";

function throwing(error: unknown) {
  const { lines, logger } = keptLogger();
  const log = requestLogger(() => logger);
  const fn = middy<HttpEvent, HttpResult>()
    .use(log)
    .use(errorResponder({ log: log.of }))
    .handler(async () => {
      throw error;
    });
  return { fn, lines };
}

const body = (res: HttpResult) => JSON.parse(res.body ?? "");

describe("errorResponder", () => {
  test("a thrown domain error: its status and JSON body", async () => {
    const cases: Array<[unknown, number, Record<string, unknown>]> = [
      [
        new ValidationError([{ field: "amount", reason: "must be positive" }]),
        400,
        { error: "invalid_request", issues: [{ field: "amount", reason: "must be positive" }] },
      ],
      [new NotFoundError("order m-1"), 404, { error: "not_found", message: "order m-1 not found" }],
      [
        new ConflictError("taken", "merchant_uid_taken", { status: "paid" }),
        409,
        { error: "merchant_uid_taken", message: "taken", status: "paid" },
      ],
      [new RetryLaterError("down"), 503, { error: "retry_later" }],
    ];
    for (const [error, status, expected] of cases) {
      const res = await throwing(error).fn(httpEvent("POST"), lambdaContext());
      expect(res.statusCode).toBe(status);
      expect(res.headers).toMatchObject({ "content-type": "application/json; charset=utf-8" });
      expect(body(res)).toMatchObject(expected);
    }
  });

  test("a refusal thrown by a before middleware is answered the same way, the handler never running", async () => {
    const { logger } = keptLogger();
    const log = requestLogger(() => logger);
    let ran = false;
    const fn = middy<HttpEvent, HttpResult>()
      .use(log)
      .use({
        before: () => {
          throw new NotFoundError("route");
        },
      })
      .use(errorResponder({ log: log.of }))
      .handler(async () => {
        ran = true;
        return json(200, {});
      });

    const res = await fn(httpEvent("GET"), lambdaContext());

    expect(res.statusCode).toBe(404);
    expect(ran).toBe(false);
  });

  test("an unknown error: a generic 500, its detail only in the request's log line", async () => {
    const { fn, lines } = throwing(new Error("db password is hunter2"));

    const res = await fn(httpEvent("POST", {}, "/orders"), lambdaContext("req-9"));

    expect(res.statusCode).toBe(500);
    expect(body(res)).toEqual({ error: "internal_error", message: "internal error" });
    expect(res.body).not.toContain("hunter2");
    expect(lines).toEqual([
      expect.objectContaining({
        level: "error",
        message: "unhandled error",
        request_id: "req-9",
        route: "POST /orders",
      }),
    ]);
  });

  test("iamport's refusal: 502, logged with its route on the request's logger", async () => {
    const refused = new IamportApiError({
      httpStatus: 200,
      code: 1,
      iamportMessage: "존재하지 않는 결제정보입니다.",
      route: "GET /payments/{imp_uid}",
    });
    const { fn, lines } = throwing(refused);

    const res = await fn(httpEvent("POST"), lambdaContext("req-3"));

    expect(res.statusCode).toBe(502);
    expect(body(res)).toEqual({ error: "iamport_refused", message: "존재하지 않는 결제정보입니다." });
    expect(lines[0]).toMatchObject({ request_id: "req-3", route: "GET /payments/{imp_uid}" });
  });
});
