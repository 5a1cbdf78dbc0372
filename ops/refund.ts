/**
 * `refund <merchant_uid> [amount] [--reason …] [--key <Idempotency-Key>]`:
 * the merchant API's refund (lib/orders/use-cases/refund-order.ts, the same rules and
 * the same once-per-key record), with the body and key checked by the
 * route's own schemas. Without `--key` one is generated and printed, so a
 * retry after a timeout reuses it and refunds once. A virtual account's
 * refund takes the buyer's bank account (`--refund-holder`, `--refund-bank`,
 * `--refund-account`), and `--imp-uid` names a payment the order does not
 * keep (a refund owed that `needs-attention` lists as waiting for an account).
 */
import { randomUUID } from "node:crypto";
import { ValidationError } from "../lib/errors.js";
import { validate } from "../lib/http/validate.js";
import {
  idempotencyKeyHeaderSchema,
  merchantUidPathSchema,
  refundOrderBodySchema,
} from "../lib/orders/api-schemas.js";
import { refundResultView } from "../lib/orders/refund-views.js";
import { refundOrder } from "../lib/orders/use-cases/refund-order.js";
import type { OpsContext } from "./environment.js";
import { UsageError } from "./errors.js";
import { type CommandOutput, formatTable, krw } from "./output.js";

/** Sent to iamport as the cancel's reason when none is given. */
export const DEFAULT_REASON = "refund by support (ops CLI)";

export interface RefundArgs {
  merchantUid: string;
  amount?: string;
  reason?: string;
  key?: string;
  /** The route's optional body fields, from `--imp-uid`, `--refund-holder`, `--refund-bank`, `--refund-account`. */
  fields?: { imp_uid?: string; refund_holder?: string; refund_bank?: string; refund_account?: string };
}

function parse(args: RefundArgs) {
  if (args.amount !== undefined && !/^\d{1,12}$/.test(args.amount))
    throw new UsageError(`refund: amount must be a whole number of KRW, got "${args.amount.slice(0, 20)}"`);
  try {
    const { merchant_uid } = validate(
      merchantUidPathSchema,
      { merchant_uid: args.merchantUid },
      "merchant_uid.",
    );
    const key = validate(
      idempotencyKeyHeaderSchema,
      { "idempotency-key": args.key ?? randomUUID() },
      "--key.",
    );
    const request = validate(refundOrderBodySchema, {
      ...(args.amount !== undefined ? { amount: Number(args.amount) } : {}),
      reason: args.reason ?? DEFAULT_REASON,
      ...args.fields,
    });
    return { merchantUid: merchant_uid, idempotencyKey: key["idempotency-key"], request };
  } catch (error) {
    if (error instanceof ValidationError) throw new UsageError(`refund: ${error.message}`);
    throw error;
  }
}

/**
 * @throws UsageError for bad arguments; the use case's NotFoundError, ValidationError, ConflictError and
 * RetryLaterError pass through (main.ts says what each means)
 */
export async function refund(ctx: OpsContext, args: RefundArgs): Promise<CommandOutput> {
  const input = parse(args);
  const { result, replayed } = await refundOrder(ctx.container.refundDeps, input);
  const body = refundResultView(input.merchantUid, input.idempotencyKey, result);
  const rows = [
    ["merchant_uid", body.merchant_uid],
    [
      "idempotency key",
      `${body.idempotency_key}${args.key ? "" : "  (generated: reuse it with --key to retry)"}`,
    ],
    [
      "refunded",
      `${krw(body.refund.amount)}${replayed ? "  (replayed: refunded by an earlier request with this key)" : ""}`,
    ],
    ["cancellation", body.refund.cancellation_id ?? "-"],
    ["reason", body.refund.reason],
    [
      "order",
      `${body.order.status}, ${krw(body.order.refundable_amount)} refundable of ${krw(body.order.amount)}`,
    ],
  ];
  return { json: { ...body, replayed }, text: formatTable(["FIELD", "VALUE"], rows) };
}
