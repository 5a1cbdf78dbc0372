/**
 * requestLogger(): one child logger per invocation, carrying the request id
 * and the route, and the same child for every part of the stack that asks.
 */
import middy from "@middy/core";
import { describe, expect, test } from "vitest";
import type { HttpEvent } from "../../../lib/http/event.js";
import { requestLogger } from "../../../lib/http/request-logger.js";
import { type HttpResult, json } from "../../../lib/http/response.js";
import type { Logger } from "../../../lib/observability/logger.js";
import { httpEvent, keptLogger, lambdaContext } from "./support.js";

describe("requestLogger", () => {
  test("the handler's logger is a child carrying the request id and the route", async () => {
    const { lines, logger } = keptLogger();
    const log = requestLogger(() => logger);
    const handler = middy<HttpEvent, HttpResult>()
      .use(log)
      .handler(async (event, context) => {
        log.of(event, context).info("in the handler", { extra: 1 });
        return json(200, {});
      });

    await handler(httpEvent("POST", {}, "/orders"), lambdaContext("req-42"));

    expect(lines).toEqual([
      expect.objectContaining({
        message: "in the handler",
        request_id: "req-42",
        route: "POST /orders",
        extra: 1,
      }),
    ]);
  });

  test("before makes the child; the handler and a later middleware get that same one", async () => {
    let made = 0;
    const { logger } = keptLogger();
    const log = requestLogger(() => {
      made += 1;
      return logger;
    });
    const seen: Logger[] = [];
    const handler = middy<HttpEvent, HttpResult>()
      .use(log)
      .use({
        before: (request) => {
          seen.push(log.of(request.event, request.context));
        },
      })
      .handler(async (event, context) => {
        seen.push(log.of(event, context));
        return json(200, {});
      });

    await handler(httpEvent("GET"), lambdaContext());

    expect(made).toBe(1);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(seen[1]);
  });

  test("each invocation gets its own child (two at once in one process, as the local stack runs them)", async () => {
    const { lines, logger } = keptLogger();
    const log = requestLogger(() => logger);
    const handler = middy<HttpEvent, HttpResult>()
      .use(log)
      .handler(async (event, context) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.of(event, context).info("done");
        return json(200, {});
      });

    await Promise.all([
      handler(httpEvent("GET", {}, "/a"), lambdaContext("one")),
      handler(httpEvent("POST", {}, "/b"), lambdaContext("two")),
    ]);

    expect(lines.map((line) => [line.request_id, line.route]).sort()).toEqual([
      ["one", "GET /a"],
      ["two", "POST /b"],
    ]);
  });
});
