/**
 * Completion under load: N orders paid in the sandbox, then every door hit
 * K times per order, all at once with a bounded concurrency, against the real
 * handlers, DynamoDB Local and the sandbox on 127.0.0.1. Reports latency
 * percentiles and throughput, and checks the money invariant afterwards:
 * every order paid with exactly one paid transition.
 *
 *   npx tsx bench/load.ts [--orders 100] [--per-door 3] [--concurrency 32]
 */
import { startDynamoDbLocal } from "../local/dynamodb/dynamodb-local.js";
import { LOCAL_API_KEY, startStack } from "../local/stack.js";

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const orders = Math.min(arg("orders", 100), 1000);
const perDoor = Math.min(arg("per-door", 3), 10);
const concurrency = Math.min(arg("concurrency", 32), 128);

const ddb = await startDynamoDbLocal();
const stack = await startStack({
  dynamoEndpoint: ddb.endpoint,
  env: { LOG_LEVEL: "silent" },
  // Webhooks are sent by this bench, so their count is known.
  sandbox: { webhookUrl: "http://127.0.0.1:9/unused" },
});
const api = stack.apiUrl;
const headers = { "content-type": "application/json", "x-api-key": LOCAL_API_KEY };

async function timed(fn: () => Promise<Response>, samples: number[], statuses: Map<number, number>) {
  const started = performance.now();
  const res = await fn();
  await res.arrayBuffer();
  samples.push(performance.now() - started);
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
}

async function pool<T>(items: T[], limit: number, run: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await run(item);
      }
    }),
  );
}

const pct = (v: number[], p: number) =>
  [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor((v.length * p) / 100))] ?? 0;

try {
  stack.sandbox?.control.setWebhookFault({ kind: "drop" });
  const createSamples: number[] = [];
  const createStatuses = new Map<number, number>();
  const created: Array<{ merchantUid: string; impUid: string }> = [];
  const createStart = performance.now();
  await pool(
    Array.from({ length: orders }, (_, i) => i),
    concurrency,
    async (i) => {
      let body: { merchant_uid: string; request_pay: Record<string, unknown> } | undefined;
      await timed(
        async () => {
          const res = await fetch(`${api}/orders`, {
            method: "POST",
            headers,
            body: JSON.stringify({
              name: `load ${i}`,
              amount: 1000 + i,
              pay_method: "card",
              buyer_tel: "010-0000-0000",
            }),
          });
          body = (await res.clone().json()) as typeof body;
          return res;
        },
        createSamples,
        createStatuses,
      );
      if (!body) return;
      const rsp = stack.sandbox?.control.pay({ ...body.request_pay, outcome: "approve" });
      created.push({ merchantUid: body.merchant_uid, impUid: rsp?.imp_uid ?? "" });
    },
  );
  const createSeconds = (performance.now() - createStart) / 1000;

  const requests = created.flatMap(({ merchantUid, impUid }) =>
    Array.from({ length: perDoor }, () => [
      () =>
        fetch(`${api}/payments/complete`, {
          method: "POST",
          headers,
          body: JSON.stringify({ imp_uid: impUid, merchant_uid: merchantUid }),
        }),
      () =>
        fetch(`${api}/payments/complete/mobile?imp_uid=${impUid}&merchant_uid=${merchantUid}`, {
          redirect: "manual",
        }),
      () =>
        fetch(`${api}/webhooks/iamport`, {
          method: "POST",
          headers,
          body: JSON.stringify({ imp_uid: impUid, merchant_uid: merchantUid, status: "paid" }),
        }),
    ]).flat(),
  );
  // Shuffle so the doors of one order race each other.
  for (let i = requests.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [requests[i], requests[j]] = [
      requests[j] as (typeof requests)[number],
      requests[i] as (typeof requests)[number],
    ];
  }
  const samples: number[] = [];
  const statuses = new Map<number, number>();
  const started = performance.now();
  await pool(requests, concurrency, (request) => timed(request, samples, statuses));
  const seconds = (performance.now() - started) / 1000;

  let wrong = 0;
  await pool(created, concurrency, async ({ merchantUid }) => {
    const order = (await fetch(`${api}/orders/${merchantUid}`, { headers }).then((r) => r.json())) as {
      status: string;
      history: Array<{ to: string }>;
    };
    const paidTransitions = order.history.filter((e) => e.to === "paid").length;
    if (order.status !== "paid" || paidTransitions !== 1) wrong++;
  });

  console.log(
    `${orders} orders, ${perDoor} hits per door per order, concurrency ${concurrency}, node ${process.version}\n`,
  );
  console.log("| step | requests | throughput | p50 | p95 | p99 | statuses |\n|---|---|---|---|---|---|---|");
  const row = (name: string, s: number[], secs: number, st: Map<number, number>) =>
    console.log(
      `| ${name} | ${s.length} | ${(s.length / secs).toFixed(0)}/s | ${pct(s, 50).toFixed(0)} ms | ${pct(s, 95).toFixed(0)} ms | ${pct(s, 99).toFixed(0)} ms | ${[...st].map(([k, v]) => `${k}×${v}`).join(" ")} |`,
    );
  row("create order", createSamples, createSeconds, createStatuses);
  row("completion (3 doors, shuffled)", samples, seconds, statuses);
  console.log(`\norders not paid exactly once: ${wrong} of ${created.length}`);
  if (wrong > 0) process.exitCode = 1;
} finally {
  await stack.close();
  await ddb.stop();
}
