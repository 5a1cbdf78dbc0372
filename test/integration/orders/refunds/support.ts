/**
 * Helpers for the money-after-checkout tests (refunds, virtual accounts,
 * escrow, reconciler): pay through the sandbox as the window would, call the
 * refund route, and run the reconciler (the real handler, or the use case
 * with a clock in the future).
 */
import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";
import { expect } from "vitest";
import { parseConfig } from "../../../../lib/config.js";
import { type ReconcileSummary, reconcileOrders } from "../../../../lib/orders/use-cases/reconcile-orders.js";
import { buildContainer } from "../../../../lib/runtime/container.js";
import type { TestStack } from "../../../support/stack.js";

export const control = (t: TestStack) => {
  const sandbox = t.stack.sandbox;
  if (!sandbox) throw new Error("these tests need the sandbox");
  return sandbox.control;
};

/** Creates an order, finishes the window with `approve` and waits for the webhooks. */
export async function checkout(
  t: TestStack,
  overrides: Record<string, unknown> = {},
  pay: Record<string, unknown> = {},
): Promise<{ merchantUid: string; impUid: string }> {
  const created = await t.createOrder(overrides);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const rsp = control(t).pay({ ...created.body.request_pay, outcome: "approve", ...pay });
  expect(rsp.success, JSON.stringify(rsp)).toBe(true);
  await control(t).flushWebhooks();
  return { merchantUid: created.body.merchant_uid as string, impUid: rsp.imp_uid as string };
}

/** A card order (12,000 unless overridden), paid. */
export async function paidOrder(t: TestStack, overrides: Record<string, unknown> = {}) {
  const ids = await checkout(t, overrides);
  expect((await order(t, ids.merchantUid)).status).toBe("paid");
  return ids;
}

export const refundAccount = {
  refund_holder: "홍길동",
  refund_bank: "088",
  refund_account: "110-123-456789",
};

/** `POST /orders/{merchant_uid}/refunds` with an Idempotency-Key (a fresh one unless given; `null` sends none). */
export function refund(t: TestStack, merchantUid: string, body: unknown, key: string | null = randomUUID()) {
  return t.api(`/orders/${merchantUid}/refunds`, {
    method: "POST",
    body,
    headers: key === null ? {} : { "idempotency-key": key },
  });
}

/** The merchant view of the order (with history). */
export async function order(t: TestStack, merchantUid: string) {
  const res = await t.api(`/orders/${merchantUid}`);
  expect(res.status).toBe(200);
  return res.body;
}

/** iamport's (the sandbox's) record. */
export function iamportPayment(t: TestStack, impUid: string) {
  const payment = control(t).payment(impUid);
  if (!payment) throw new Error(`no payment ${impUid}`);
  return payment;
}

/** Runs the deployed reconcile handler once, as EventBridge would. */
export async function runReconcileHandler(t: TestStack): Promise<ReconcileSummary> {
  const fn = t.stack.functions.find((f) => f.name === "reconcile");
  if (!fn) throw new Error("serverless.yml has no reconcile function");
  const event = {
    version: "0",
    id: randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: "000000000000",
    time: new Date().toISOString(),
    region: "ap-northeast-2",
    resources: [],
    detail: {},
  };
  const context = {
    awsRequestId: randomUUID(),
    getRemainingTimeInMillis: () => 300_000,
  } as unknown as Context;
  return (await fn.handler(event, context)) as ReconcileSummary;
}

/** Runs the reconcile use case with the stack's config but a clock `hours` ahead. */
export function reconcileAt(t: TestStack, hours: number): Promise<ReconcileSummary> {
  const future = () => new Date(Date.now() + hours * 3600_000);
  return reconcileOrders(buildContainer(parseConfig(t.stack.env), { clock: future }).reconcileDeps);
}
