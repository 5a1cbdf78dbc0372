/**
 * The request every HTTP function is given (API Gateway HTTP API, payload 2.0),
 * and how a header is read from it. Its own module so the middlewares and
 * helpers of lib/http import it without importing the stack that uses them.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";

export type HttpEvent = APIGatewayProxyEventV2;

/** The header `name` (given in lower case), however the request spelled it. */
export function headerOf(event: HttpEvent, name: string): string | undefined {
  const headers = event.headers ?? {};
  return headers[name] ?? Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
}
