/**
 * The roles are enough: every DynamoDB action each function performs, through
 * the real handlers on the local stack, is one its role grants
 * (serverless.yml custom.access), on the table or on GSI1 as granted. The
 * template test proves the roles hold nothing more; this proves they hold
 * nothing less, so a tightened role or a new code path cannot fail only on AWS.
 *
 * Calls are attributed to a function by the invocation they run in
 * (lib/deadline.ts keeps it across async calls, background work included):
 * a header is added where Node's HTTP agent takes the request, and a proxy in
 * front of DynamoDB Local records it.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import http, { type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { afterAll, describe, expect, inject, test } from "vitest";
import { parse } from "yaml";
import { currentInvocation } from "../../lib/deadline.js";
import { createDocumentClient } from "../../lib/store/dynamo-client.js";
import { createOrdersRepository } from "../../lib/store/orders-repository.js";
import { createSubscriptionsRepository } from "../../lib/store/subscriptions-repository.js";
import { lambdaContext } from "../../local/lambda-context.js";
import { repoRoot } from "../../local/serverless-routes.js";
import { useStack } from "../support/stack.js";
import { issueKey, plan, settle } from "./billing/support.js";

const ACTOR = "x-test-function";
/** `function → "dynamodb:Action on table|GSI1"` as performed. */
const performed = new Map<string, Set<string>>();

// Taken where Node's agent receives a request: still inside the caller's async context.
type AddRequest = (this: http.Agent, req: http.ClientRequest, ...rest: unknown[]) => unknown;
const agent = http.Agent.prototype as unknown as { addRequest: AddRequest };
const addRequest = agent.addRequest;
agent.addRequest = function (req, ...rest) {
  const name = currentInvocation()?.functionName;
  if (name && !req.headersSent) req.setHeader(ACTOR, name);
  return addRequest.call(this, req, ...rest);
};

const target = new URL(inject("dynamoEndpoint"));
const TRANSACT_ACTIONS: Record<string, string> = {
  Put: "PutItem",
  Update: "UpdateItem",
  Delete: "DeleteItem",
  ConditionCheck: "ConditionCheckItem",
  Get: "GetItem",
};

function record(actor: string | undefined, operation: string, body: Record<string, any>) {
  const name = actor ?? "(outside any invocation)";
  const set = performed.get(name) ?? new Set<string>();
  performed.set(name, set);
  const on = (action: string, index?: string) => set.add(`dynamodb:${action} on ${index ? index : "table"}`);
  if (operation === "TransactWriteItems" || operation === "TransactGetItems") {
    for (const item of body.TransactItems ?? [])
      for (const kind of Object.keys(item)) on(TRANSACT_ACTIONS[kind] ?? kind);
  } else on(operation, body.IndexName);
}

const proxy = http.createServer((req: IncomingMessage, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const operation = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "?";
    const actor = req.headers[ACTOR] as string | undefined;
    try {
      record(actor, operation, JSON.parse(body.toString("utf8") || "{}"));
    } catch {
      record(actor, operation, {});
    }
    const headers = { ...req.headers };
    delete headers[ACTOR];
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.writeHead(502).end());
    upstream.end(body);
  });
});
await new Promise<void>((ok) => proxy.listen(0, "127.0.0.1", ok));
const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
afterAll(async () => {
  // The agent is Node's own, shared with whatever runs next in this worker.
  agent.addRequest = addRequest;
  await new Promise<void>((ok) => proxy.close(() => ok()));
});

const ctx = useStack({ env: { DYNAMODB_ENDPOINT: proxyUrl } });

/** What custom.access grants each function, as `"dynamodb:Action on table|GSI1"`. */
function granted(): Record<string, Set<string>> {
  const doc = parse(readFileSync(resolve(repoRoot, "serverless.yml"), "utf8"), { merge: true }) as {
    custom: { access: Record<string, { table?: string[]; index?: string[] }> };
  };
  return Object.fromEntries(
    Object.entries(doc.custom.access).map(([name, access]) => [
      name,
      new Set([
        ...(access.table ?? []).map((a) => `dynamodb:${a} on table`),
        ...(access.index ?? []).map((a) => `dynamodb:${a} on GSI1`),
      ]),
    ]),
  );
}

const scheduled = {
  version: "0",
  id: "x",
  "detail-type": "Scheduled Event",
  source: "aws.events",
  detail: {},
};

describe("every DynamoDB action a function performs is one its role grants", () => {
  test("through every route, the scheduled jobs and the charge consumer", async () => {
    const t = ctx();
    const control = t.stack.sandbox!.control;
    const run = async (name: string) => {
      const fn = t.stack.functions.find((f) => f.name === name)!;
      await fn.handler({ ...scheduled, id: randomUUID() }, lambdaContext(name, 120_000));
    };

    // Orders: create, pay, the three doors, read, refund.
    const order = await t.createOrder({ amount: 10_000 });
    const merchantUid = order.body.merchant_uid as string;
    const paid = control.pay({ ...order.body.request_pay, outcome: "approve" });
    await t.api("/payments/complete", {
      key: null,
      body: { imp_uid: paid.imp_uid, merchant_uid: merchantUid },
    });
    await t.api(`/payments/complete/mobile?imp_uid=${paid.imp_uid}&merchant_uid=${merchantUid}`, {
      key: null,
    });
    await control.flushWebhooks();
    await t.api(`/orders/${merchantUid}/status`, { key: null });
    await t.api(`/orders/${merchantUid}`);
    const refund = await t.api(`/orders/${merchantUid}/refunds`, {
      body: { amount: 1_000, reason: "test" },
      headers: { "idempotency-key": randomUUID() },
    });
    expect(refund.status, JSON.stringify(refund.body)).toBe(201);
    // A forged amount: the webhook decides a refund owed, which the reconciler and the sweep carry on with.
    const forged = await t.createOrder({ amount: 20_000 });
    control.pay({ ...forged.body.request_pay, amount: 100, outcome: "approve" });
    await control.flushWebhooks();

    // Subscriptions: key, subscribe (the consumer charges), read, pause, resume, plan change, switch card, cancel.
    const customerUid = await issueKey(t);
    const sub = await t.api("/subscriptions", {
      body: { plan, customer_uid: customerUid },
      headers: { "idempotency-key": randomUUID() },
    });
    expect(sub.status, JSON.stringify(sub.body)).toBe(201);
    await settle(t);
    const id = sub.body.id as string;
    await t.api(`/subscriptions/${id}`);
    await t.api(`/subscriptions/${id}/pause`, { body: {} });
    await t.api(`/subscriptions/${id}/resume`, { body: {} });
    const planChange = await t.api(`/subscriptions/${id}/plan`, {
      body: { name: "Basic", amount: 4_900, effective: "next_cycle" },
      headers: { "idempotency-key": randomUUID() },
    });
    expect(planChange.status, JSON.stringify(planChange.body)).toBe(200);
    const newKey = await issueKey(t);
    await t.api(`/subscriptions/${id}/card`, { body: { customer_uid: newKey } });
    await settle(t);
    await t.api(`/subscriptions/${id}/cancel`, { body: { at: "now" } });

    // The $default route: a wrong method on a routed path, and a path nothing routes.
    const wrongMethod = await fetch(`${t.stack.apiUrl}/orders/${merchantUid}`, { method: "DELETE" });
    const nowhere = await fetch(`${t.stack.apiUrl}/nowhere`);
    expect([wrongMethod.status, nowhere.status]).toEqual([405, 404]);

    // The partly refunded order's held-payment audit made due (as a day later), written around the
    // proxy: the reconciler reads it at iamport and moves its audit on.
    const direct = createOrdersRepository({
      db: createDocumentClient({ region: "ap-northeast-2", endpoint: target.toString() }),
      tableName: t.stack.tableName,
    });
    const held = await direct.get(merchantUid);
    expect(held?.status).toBe("partially_refunded");
    const due = new Date(Date.now() - 60_000).toISOString();
    expect(await direct.markAudited(held!, due)).toBe(true);

    // The first cycle's kept charge refunded in part at the console, its webhook lost, and its
    // kept-charge audit made due: the reconciler records the refund with its event.
    const subs = createSubscriptionsRepository({
      db: createDocumentClient({ region: "ap-northeast-2", endpoint: target.toString() }),
      tableName: t.stack.tableName,
    });
    const kept = await subs.getAttempt(id, 1, 1);
    expect(kept?.status).toBe("paid");
    control.setWebhookFault({ kind: "drop", times: 1 });
    control.cancelFromConsole(kept!.impUid!, { amount: 1_000, reason: "부분 환불" });
    await control.flushWebhooks();
    expect(await subs.markAttemptAudited(kept!, due)).toBe(true);

    // The scheduled jobs, as EventBridge runs them.
    await run("reconcile");
    expect((await direct.get(merchantUid))?.auditAfter).not.toBe(due);
    expect((await subs.getAttempt(id, 1, 1))?.cancelled?.amount).toBe(1_000);
    await run("sweepLedger");
    await run("dispatchCharges");
    await settle(t);

    const grants = granted();
    const observed = [...performed.keys()];
    // Every function with a table grant ran, so the comparison covers all of them; one without (the
    // $default route) ran above and must not have touched the table at all.
    const readers = Object.keys(grants).filter((name) => grants[name]!.size > 0);
    expect(observed.filter((name) => !readers.includes(name))).toEqual([]);
    expect(readers.filter((name) => !performed.has(name))).toEqual([]);
    // The publisher holds no table action either: it reads the table's stream (its role's stream grant).
    expect(Object.keys(grants).filter((name) => grants[name]!.size === 0)).toEqual([
      "publishEvents",
      "unmatchedRoute",
    ]);
    if (process.env.SHOW_GRANTS) console.log(Object.fromEntries([...performed].map(([k, v]) => [k, [...v]])));
    for (const [name, actions] of performed) {
      expect(
        [...actions].filter((action) => !grants[name]!.has(action)),
        name,
      ).toEqual([]);
    }
  }, 120_000);
});
