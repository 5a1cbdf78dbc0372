/**
 * Helpers for the subscription tests: issue a billing key through the
 * sandbox's window as a buyer would, subscribe, wait for the charge queue,
 * and run the dispatcher (the deployed handler for "now", the use case with
 * a clock ahead for later cycles and dunning).
 */
import { randomUUID } from "node:crypto";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { Context } from "aws-lambda";
import { expect } from "vitest";
import { newClaim } from "../../../lib/billing/rules/charge-attempt-machine.js";
import { type DispatchSummary, dispatchCharges } from "../../../lib/billing/use-cases/dispatch-charges.js";
import { parseConfig } from "../../../lib/config.js";
import { buildChargeQueue } from "../../../lib/runtime/charge-queue.js";
import { buildContainer } from "../../../lib/runtime/container.js";
import { createDocumentClient } from "../../../lib/store/dynamo-client.js";
import type { TestStack } from "../../support/stack.js";
import { control } from "../orders/refunds/support.js";

export { control };

export const DAY = 24 * 60 * 60_000;

/** POST /billing-keys, then the buyer approves the window: a fresh verified-able key. */
export async function issueKey(
  t: TestStack,
  pay: Record<string, unknown> = {},
  body: Record<string, unknown> = {},
): Promise<string> {
  const res = await t.api("/billing-keys", {
    body: { buyer_name: "홍길동", buyer_tel: "010-1234-5678", ...body },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const rsp = control(t).pay({ ...res.body.request_pay, outcome: "approve", ...pay });
  expect(rsp.success, JSON.stringify(rsp)).toBe(true);
  return res.body.customer_uid as string;
}

export const plan = { name: "Pro plan", amount: 9_900, interval: "month" };

/** POST /subscriptions with a fresh Idempotency-Key (unless given). */
export function subscribe(t: TestStack, body: Record<string, unknown>, key: string | null = randomUUID()) {
  return t.api("/subscriptions", {
    body: { plan, ...body },
    headers: key === null ? {} : { "idempotency-key": key },
  });
}

/** Issues a key, subscribes (charged now) and waits until the first charge settled. */
export async function subscribed(t: TestStack, body: Record<string, unknown> = {}) {
  const customerUid = await issueKey(t);
  const res = await subscribe(t, { customer_uid: customerUid, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await settle(t);
  return { id: res.body.id as string, customerUid };
}

/** The merchant view, with cycles and attempts. */
export async function view(t: TestStack, id: string) {
  const res = await t.api(`/subscriptions/${id}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** Waits until the charge queue is empty and the sandbox's webhooks were delivered. */
export async function settle(t: TestStack): Promise<void> {
  await t.stack.sqs.idle();
  await control(t).flushWebhooks();
  await t.stack.sqs.idle();
}

/** iamport's (the sandbox's) `again` payments of a billing key. */
export function chargesOf(t: TestStack, customerUid: string) {
  return control(t)
    .payments()
    .filter((p) => p.customer_uid === customerUid && p.customer_uid_usage === "payment");
}

/** Runs the dispatcher use case `ms` ahead of now (real queue, real consumer), then waits for the queue. */
export async function dispatchAt(t: TestStack, ms: number): Promise<DispatchSummary> {
  const config = parseConfig(t.stack.env);
  const deps = buildContainer(config, { clock: () => new Date(Date.now() + ms) });
  const summary = await dispatchCharges({
    ...deps.dispatchDeps,
    queue: buildChargeQueue(config, deps.logger),
  });
  await settle(t);
  return summary;
}

/** Runs the deployed dispatch-charges handler once, as EventBridge would. */
export async function runDispatchHandler(t: TestStack): Promise<DispatchSummary> {
  const fn = t.stack.functions.find((f) => f.name === "dispatchCharges");
  if (!fn) throw new Error("serverless.yml has no dispatchCharges function");
  const event = {
    version: "0",
    id: randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    detail: {},
  };
  const context = {
    awsRequestId: randomUUID(),
    getRemainingTimeInMillis: () => 120_000,
  } as unknown as Context;
  const summary = (await fn.handler(event, context)) as DispatchSummary;
  await settle(t);
  return summary;
}

/** Every item of the test's table (a Scan is fine in a test, never in the product). */
export async function tableItems(t: TestStack): Promise<Record<string, unknown>[]> {
  const db = createDocumentClient({
    region: "ap-northeast-2",
    endpoint: t.stack.env.DYNAMODB_ENDPOINT ?? "",
  });
  const out = await db.send(new ScanCommand({ TableName: t.stack.tableName }));
  return (out.Items ?? []) as Record<string, unknown>[];
}

/** What the PG did behind a refused answer: charges `merchantUid` through the sandbox's REST API. */
export async function chargeBehindOurBack(
  t: TestStack,
  merchantUid: string,
  customerUid: string,
  notice?: string,
) {
  const base = t.stack.sandbox?.url ?? "";
  const token = await (
    await fetch(`${base}/users/getToken`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        imp_key: t.stack.env.IAMPORT_IMP_KEY,
        imp_secret: t.stack.env.IAMPORT_IMP_SECRET,
      }),
    })
  ).json();
  const res = await fetch(`${base}/subscribe/payments/again`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token.response.access_token}` },
    body: JSON.stringify({
      customer_uid: customerUid,
      merchant_uid: merchantUid,
      amount: 9_900,
      name: "Pro plan",
      ...(notice ? { notice_url: notice } : {}),
    }),
  });
  const body = await res.json();
  expect(body.response?.status, JSON.stringify(body)).toBe("paid");
  return body.response as { imp_uid: string };
}

/** Subscribes with attempt 1 refused (non-zero code): the subscription waits on attempt 2. */
export async function refusedFirstAttempt(t: TestStack) {
  control(t).addFault({
    method: "POST",
    path: "/subscribe/payments/again",
    kind: "status",
    status: 400,
    times: 1,
  });
  const customerUid = await issueKey(t);
  const created = await subscribe(t, { customer_uid: customerUid });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await settle(t);
  const id = created.body.id as string;
  expect(await view(t, id)).toMatchObject({
    next_attempt: 2,
    cycles: [{ attempts: [{ status: "error" }] }],
  });
  return { id, customerUid };
}

/**
 * Writes a claim for (cycle, attempt) of `id` as a worker would just before `again` (and then dies,
 * or is still waiting for iamport's answer): an attempt in flight for the test to race against.
 */
export async function claimInFlight(
  t: TestStack,
  input: { id: string; cycle: number; attempt: number; customerUid: string; at?: Date },
) {
  const { subscriptions } = buildContainer(
    parseConfig(t.stack.env),
    input.at ? { clock: () => input.at as Date } : {},
  );
  const sub = await subscriptions.get(input.id);
  if (!sub) throw new Error(`no subscription ${input.id}`);
  const claim = newClaim(
    {
      subscriptionId: input.id,
      cycle: input.cycle,
      attempt: input.attempt,
      merchantUid: `${input.id}_${input.cycle}_${input.attempt}`,
      customerUid: input.customerUid,
      amount: 9_900,
      name: "Pro plan",
    },
    input.at ?? new Date(),
    120_000,
  );
  expect((await subscriptions.claim(sub, claim)).claimed).toBe(true);
  return claim;
}
