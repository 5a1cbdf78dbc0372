import { IamportApiError } from "../core/errors.js";
import type { Reply } from "../http/router.js";

/** `{code: 0, message: null, response}`: iamport's success envelope. */
export function ok(response: unknown, status = 200): Reply {
  return { status, body: { code: 0, message: null, response } };
}

export function errorReply(status: number, code: number, message: string): Reply {
  return { status, body: { code, message, response: null } };
}

export function fromError(err: IamportApiError): Reply {
  return errorReply(err.httpStatus, err.code, err.message);
}

/** Missing or malformed params: HTTP 400 with code -1. */
export function badRequest(message: string): never {
  throw new IamportApiError(400, -1, message);
}

export function notFound(message: string): never {
  throw new IamportApiError(404, -1, message);
}

/** A business refusal: HTTP 200 with code 1 (fact sheet §2). */
export function refused(message: string): never {
  throw new IamportApiError(200, 1, message);
}
