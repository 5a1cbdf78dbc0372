/**
 * The middy stack every HTTP function uses, composed of the named middlewares
 * beside this file: a per-request logger (request-logger.ts), CORS and the
 * preflight where asked (cors.ts), API-key auth where asked (api-key-auth.ts),
 * and one error-to-response mapping (error-responder.ts). Handlers stay plain
 * async functions of (event, log) → result.
 *
 * Only HTTP functions use middy. The SQS, stream and scheduled functions are
 * plain async handlers with no middy at all: they have no caller to
 * authenticate and no response to shape, an error must reach Lambda as
 * thrown (Lambda retries the batch or the run), and they log nothing of their
 * own (their use cases log through the container's logger). An empty middy
 * stack would add nothing but a wrapper.
 */
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { withInvocationDeadline } from "../deadline.js";
import type { Logger } from "../observability/logger.js";
import { apiKeyAuth } from "./api-key-auth.js";
import { type CorsOptions, cors } from "./cors.js";
import { errorResponder } from "./error-responder.js";
import type { HttpEvent } from "./event.js";
import { requestLogger } from "./request-logger.js";
import type { HttpResult } from "./response.js";

// Where the functions import httpHandler from, they find the event type and the header lookup too.
export { type HttpEvent, headerOf } from "./event.js";

export type HttpFunction = (event: HttpEvent, context: Context) => Promise<HttpResult>;

export interface HttpHandlerOptions {
  logger: () => Logger;
  /** When set, requests need one of these keys in `x-api-key`. */
  apiKeys?: () => Promise<readonly string[]>;
  /**
   * Browser-called public routes only: answer CORS for these origins (the result pages'), and the
   * preflight (`OPTIONS` on the same path, routed to the same function) for `method`.
   */
  cors?: CorsOptions;
}

export function httpHandler(
  fn: (event: HttpEvent, log: Logger) => Promise<HttpResult>,
  options: HttpHandlerOptions,
) {
  const log = requestLogger(options.logger);
  // The order is middy's: `before` in this order (the preflight before auth: a browser sends no key
  // with it), `after` and `onError` in the reverse one (the error becomes a response before CORS
  // headers go on it).
  return (
    middy<HttpEvent, HttpResult>()
      .use(log)
      .use(options.cors ? [cors(options.cors)] : [])
      .use(options.apiKeys ? [apiKeyAuth(options.apiKeys)] : [])
      .use(errorResponder({ log: log.of }))
      // Every iamport call is bounded by the time Lambda leaves, less a margin to answer in.
      .handler(async (event, context) =>
        withInvocationDeadline(context, () => fn(event, log.of(event, context))),
      )
  );
}
