/**
 * Round trips per operation, warm container and token cached: the DynamoDB
 * requests each operation makes (chaos/dynamo-recorder.ts, a recording proxy
 * in front of DynamoDB Local) and its iamport requests (the sandbox's own
 * count), for the operations test/integration/orders/round-trips.test.ts and
 * test/integration/billing/round-trips.test.ts pin. The counts are
 * deterministic; the tests hold them, this prints them. Webhooks are off (no
 * notice_url, the sandbox's own URL goes nowhere), so nothing arrives behind
 * an operation's back. Fails loudly if an operation does not succeed.
 *
 *   npx tsx bench/round-trips.ts
 */
import { randomUUID } from "node:crypto";
import { startDynamoRecorder } from "../chaos/dynamo-recorder.js";
import type { ChargeMessage } from "../lib/billing/ports.js";
import { newClaim } from "../lib/billing/rules/charge-attempt-machine.js";
import { dispatchCharges } from "../lib/billing/use-cases/dispatch-charges.js";
import { parseConfig } from "../lib/config.js";
import { buildContainer } from "../lib/runtime/container.js";
import { startDynamoDbLocal } from "../local/dynamodb/dynamodb-local.js";
import { lambdaContext } from "../local/lambda-context.js";
import { LOCAL_API_KEY, type Stack, startStack } from "../local/stack.js";

const DAY = 24 * 3600_000;
const plan = { name: "Pro plan", amount: 9_900, interval: "month" };

interface Row {
  operation: string;
  dynamo: string[];
  iamport: number;
}

type Answer = { status: number; body: any };

export async function benchRoundTrips(): Promise<string> {
  const ddb = await startDynamoDbLocal();
  let recorder: Awaited<ReturnType<typeof startDynamoRecorder>> | undefined;
  let stack: Stack | undefined;
  try {
    recorder = await startDynamoRecorder(ddb.endpoint);
    const rec = recorder;
    // As test/support/round-trips.ts: the handlers go through the recorder, the stream reader does not.
    stack = await startStack({
      dynamoEndpoint: ddb.endpoint,
      env: {
        DYNAMODB_ENDPOINT: rec.endpoint,
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "error",
        SEND_NOTICE_URL: "false",
      },
      sandbox: { webhookUrl: "http://127.0.0.1:9/nowhere" },
      // A charge the consumer hands back comes again after half a second, as in the tests.
      sqsVisibilityTimeoutMs: 500,
    });
    const s = stack;
    const control = s.sandbox?.control;
    if (!control) throw new Error("the round-trip bench needs the sandbox");

    /** DynamoDB operations in order of arrival, and iamport requests, made while `work` ran. */
    const measure = async <T>(work: () => Promise<T>) => {
      rec.reset();
      const before = control.restRequests();
      const value = await work();
      return { value, dynamo: rec.calls(), iamport: control.restRequests() - before };
    };

    const api = async (
      path: string,
      init: { body?: unknown; headers?: Record<string, string>; key?: boolean } = {},
    ): Promise<Answer> => {
      const res = await fetch(`${s.apiUrl}${path}`, {
        method: init.body === undefined ? "GET" : "POST",
        headers: {
          "content-type": "application/json",
          ...(init.key === false ? {} : { "x-api-key": LOCAL_API_KEY }),
          ...init.headers,
        },
        redirect: "manual",
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {}
      return { status: res.status, body };
    };
    const expectStatus = (what: string, answer: Answer, status: number): Answer => {
      if (answer.status !== status)
        throw new Error(`${what} answered ${answer.status}, not ${status}: ${JSON.stringify(answer.body)}`);
      return answer;
    };

    let counter = 0;
    const uid = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;
    const createOrder = () =>
      api("/orders", {
        body: {
          merchant_uid: uid("rt"),
          name: "Blue mug",
          amount: 12_000,
          pay_method: "card",
          buyer_name: "홍길동",
          buyer_email: "buyer@example.com",
          buyer_tel: "010-1234-5678",
        },
      });
    const created = async () => {
      const answer = expectStatus("POST /orders", await createOrder(), 201);
      return answer.body as { merchant_uid: string; request_pay: Record<string, unknown> };
    };
    const pay = (order: { request_pay: Record<string, unknown> }): string => {
      const rsp = control.pay({ ...order.request_pay, outcome: "approve" } as never);
      if (!rsp?.imp_uid) throw new Error("the sandbox did not pay the order");
      return rsp.imp_uid;
    };
    const complete = async (impUid: string, merchantUid: string) =>
      expectStatus(
        "POST /payments/complete",
        await api("/payments/complete", { body: { imp_uid: impUid, merchant_uid: merchantUid }, key: false }),
        200,
      );
    const webhook = async (impUid: string, merchantUid: string) =>
      expectStatus(
        "POST /webhooks/iamport",
        await api("/webhooks/iamport", {
          body: { imp_uid: impUid, merchant_uid: merchantUid, status: "paid" },
          key: false,
        }),
        200,
      );

    const rows: Row[] = [];
    /** The order paths' operations sorted, as their test pins them: a note and the order are written at once. */
    const orderRow = (operation: string, m: { dynamo: string[]; iamport: number }) =>
      rows.push({ operation, dynamo: [...m.dynamo].sort(), iamport: m.iamport });

    // Warm-up: the token is cached before anything is counted.
    {
      const order = await created();
      await complete(pay(order), order.merchant_uid);
    }

    orderRow(
      "create order",
      await measure(async () => expectStatus("POST /orders", await createOrder(), 201)),
    );
    {
      const order = await created();
      const impUid = pay(order);
      orderRow(
        "first completion of a paid payment",
        await measure(() => complete(impUid, order.merchant_uid)),
      );
    }
    {
      const order = await created();
      const impUid = pay(order);
      orderRow("first webhook of a paid payment", await measure(() => webhook(impUid, order.merchant_uid)));
    }
    {
      const order = await created();
      const impUid = pay(order);
      await complete(impUid, order.merchant_uid);
      await webhook(impUid, order.merchant_uid);
      orderRow(
        "the same webhook again (the payment already settled)",
        await measure(() => webhook(impUid, order.merchant_uid)),
      );
    }
    {
      const order = await created();
      const impUid = pay(order);
      await complete(impUid, order.merchant_uid);
      orderRow(
        "a full refund",
        await measure(async () =>
          expectStatus(
            "POST /orders/:id/refunds",
            await api(`/orders/${order.merchant_uid}/refunds`, {
              body: { reason: "rt" },
              headers: { "idempotency-key": uid("rt-key") },
            }),
            201,
          ),
        ),
      );
    }

    // The charge worker: the deployed consumer, handed one record as Lambda's SQS event source would.
    const worker = s.functions.find((f) => f.name === "chargeSubscription");
    if (!worker) throw new Error("serverless.yml has no chargeSubscription function");
    const deliver = async (message: ChargeMessage, receiveCount = 1) => {
      const event = {
        Records: [
          {
            messageId: randomUUID(),
            body: JSON.stringify(message),
            attributes: { ApproximateReceiveCount: String(receiveCount) },
          },
        ],
      };
      return (await worker.handler(event, lambdaContext("chargeSubscription", 60_000))) as {
        batchItemFailures: Array<{ itemIdentifier: string }>;
      };
    };
    const charges = (customerUid: string) =>
      control.payments().filter((p) => p.customer_uid === customerUid && p.customer_uid_usage === "payment")
        .length;
    /** A billing key issued through the sandbox's window, a subscription on it, its first charge settled. */
    const subscribed = async () => {
      const key = expectStatus(
        "POST /billing-keys",
        await api("/billing-keys", { body: { buyer_name: "홍길동", buyer_tel: "010-1234-5678" } }),
        201,
      );
      const rsp = control.pay({ ...key.body.request_pay, outcome: "approve" });
      if (!rsp.success) throw new Error(`the sandbox did not issue the billing key: ${JSON.stringify(rsp)}`);
      const customerUid = key.body.customer_uid as string;
      const sub = expectStatus(
        "POST /subscriptions",
        await api("/subscriptions", {
          body: { plan, customer_uid: customerUid },
          headers: { "idempotency-key": randomUUID() },
        }),
        201,
      );
      await s.sqs.idle();
      await control.flushWebhooks();
      await s.sqs.idle();
      if (charges(customerUid) !== 1) throw new Error(`the first cycle of ${sub.body.id} was not charged`);
      return { id: sub.body.id as string, customerUid };
    };
    const config = parseConfig(s.env);
    const expectFailures = (what: string, got: { batchItemFailures: unknown[] }, n: number) => {
      if (got.batchItemFailures.length !== n)
        throw new Error(`${what}: ${got.batchItemFailures.length} records handed back, not ${n}`);
    };

    // A subscription whose cycle 2 is due: the dispatcher's message for it, held instead of sent (its
    // first charge, through the worker, is the worker's warm-up).
    const due = await subscribed();
    const held: ChargeMessage[] = [];
    await dispatchCharges({
      ...buildContainer(config, { clock: () => new Date(Date.now() + 32 * DAY) }).dispatchDeps,
      queue: {
        send: async (messages) => {
          held.push(...messages);
          return { failed: [] };
        },
      },
    });
    const message = held.find((m) => m.subscriptionId === due.id);
    if (!message) throw new Error(`cycle 2 of ${due.id} was not dispatched`);

    {
      const m = await measure(() => deliver(message));
      expectFailures("one charge", m.value, 0);
      if (charges(due.customerUid) !== 2) throw new Error(`cycle 2 of ${due.id} was not charged once`);
      rows.push({ operation: "one charge in the worker", dynamo: m.dynamo, iamport: m.iamport });
    }
    {
      const m = await measure(() => deliver(message, 2));
      expectFailures("the redelivered charge", m.value, 0);
      if (charges(due.customerUid) !== 2) throw new Error(`the redelivery charged ${due.id} again`);
      rows.push({
        operation: "a redelivered charge message (the attempt paid)",
        dynamo: m.dynamo,
        iamport: m.iamport,
      });
    }
    {
      const sub = await subscribed();
      // Another worker's claim on cycle 2 attempt 1, as one would write it just before `again`.
      const { subscriptions } = buildContainer(config);
      const current = await subscriptions.get(sub.id);
      if (!current) throw new Error(`no subscription ${sub.id}`);
      const claim = newClaim(
        {
          subscriptionId: sub.id,
          cycle: 2,
          attempt: 1,
          merchantUid: `${sub.id}_2_1`,
          customerUid: sub.customerUid,
          amount: plan.amount,
          name: plan.name,
        },
        new Date(),
        120_000,
      );
      if (!(await subscriptions.claim(current, claim)).claimed)
        throw new Error(`the in-flight claim on ${sub.id} was refused`);
      const m = await measure(() => deliver({ subscriptionId: sub.id, cycle: 2, attempt: 1 }));
      expectFailures("the duplicate", m.value, 1);
      rows.push({
        operation: "a duplicate while another worker holds the claim",
        dynamo: m.dynamo,
        iamport: m.iamport,
      });
    }

    return [
      `Round trips per operation (node ${process.version}; warm container, token cached, webhooks off; one operation each; ` +
        "DynamoDB through a recording proxy in front of DynamoDB Local, the order paths' operations sorted, " +
        "the worker's in order of arrival; iamport = requests the sandbox served)",
      "",
      "| operation | DynamoDB round trips | iamport requests |",
      "|---|---|---|",
      ...rows.map(
        (r) =>
          `| ${r.operation} | ${r.dynamo.length}${r.dynamo.length ? ` (${r.dynamo.join(", ")})` : ""} | ${r.iamport} |`,
      ),
    ].join("\n");
  } finally {
    await stack?.close();
    await recorder?.close();
    await ddb.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchRoundTrips());
}
