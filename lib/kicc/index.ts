/**
 * KICC parameter rules for iamport V1: pure, no I/O.
 */
export { CARD_CODES, isKnownCardCode } from "./card-codes.js";
export { ALL_CARDS, type CardOptions, MAX_INSTALLMENT_MONTHS } from "./card-options.js";
export {
  type CreateOrderFields,
  KICC_PAY_METHODS,
  type KiccPayMethod,
  MAX_MERCHANT_UID_LENGTH,
} from "./create-order-fields.js";
export { type CreateOrderRequest, createOrderRequestSchema } from "./create-order-request.js";
export {
  findOrderRuleViolations,
  MIN_INSTALLMENT_AMOUNT,
  type OrderRuleViolation,
} from "./create-order-rules.js";
export { InvalidKiccMidError, kiccPg } from "./pg.js";
export {
  buildRequestPayParams,
  type KiccProduct,
  type RequestPayContext,
  type RequestPayParams,
} from "./request-pay.js";
export {
  defaultVbankDue,
  formatVbankDue,
  isVbankDueInFuture,
  parseVbankDue,
  VBANK_DUE_FORMATS,
} from "./vbank-due.js";
