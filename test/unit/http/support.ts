/** An HTTP API event, a Lambda context and a logger that keeps its lines, for driving one middleware. */
import type { Context } from "aws-lambda";
import type { HttpEvent } from "../../../lib/http/event.js";
import { createLogger } from "../../../lib/observability/logger.js";

export function httpEvent(method: string, headers: Record<string, string> = {}, path = "/orders"): HttpEvent {
  return {
    version: "2.0",
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: "",
    headers,
    requestContext: { http: { method, path } },
    isBase64Encoded: false,
  } as unknown as HttpEvent;
}

export const lambdaContext = (awsRequestId = "req-1") =>
  ({ awsRequestId, getRemainingTimeInMillis: () => 10_000 }) as unknown as Context;

/** A logger whose lines are parsed into `lines`. */
export function keptLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: "debug", write: (line) => lines.push(JSON.parse(line)) });
  return { lines, logger };
}
