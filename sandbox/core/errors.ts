/**
 * An answer in iamport's error envelope. Business failures are often HTTP 200 with a
 * non-zero code (cancel, again), lookups are 404 with code -1: each throw site picks both.
 */
export class IamportApiError extends Error {
  override readonly name = "IamportApiError";
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** A bad call to the sandbox's own control API (not part of iamport). */
export class ControlError extends Error {
  override readonly name = "ControlError";
  constructor(
    message: string,
    readonly httpStatus = 400,
  ) {
    super(message);
  }
}

/** A payment window request refused before a payment exists (imp_uid null in the rsp). */
export class CheckoutRefusal extends Error {
  override readonly name = "CheckoutRefusal";
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

/** Canonical iamport lookup miss. */
export const NOT_FOUND_PAYMENT = "존재하지 않는 결제정보입니다.";
