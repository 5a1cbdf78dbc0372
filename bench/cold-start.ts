/**
 * Cold and warm latency of the deployed bundles (bench/build.ts) against
 * DynamoDB Local and the sandbox, the way Lambda runs them: a fresh Node
 * process imports the bundle (init), then handles its first request (cold:
 * clients, config, first DynamoDB connection, first iamport token) and a
 * second one (warm). Each sample of `completePayment` completes an order paid
 * just before it, so every sample takes the first-completion path (a reused
 * order would measure the duplicate path from the second sample on). The
 * floor (a DynamoDB client, import plus one GetItem) alternates with each
 * function sample by sample; the ratio is the median of the paired ratios.
 *
 *   npx tsx bench/cold-start.ts [--runs 11]
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startDynamoDbLocal } from "../local/dynamodb/dynamodb-local.js";
import { LOCAL_API_KEY, type Stack, startStack } from "../local/stack.js";
import { buildFloor, buildFunction } from "./build.js";

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? 0;

interface Sample {
  status: number;
  init: number;
  cold: number;
  warm: number;
}

async function paidOrder(stack: Stack): Promise<{ merchantUid: string; impUid: string }> {
  const created = await fetch(`${stack.apiUrl}/orders`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": LOCAL_API_KEY },
    body: JSON.stringify({ name: "bench", amount: 1000, pay_method: "card", buyer_tel: "010-0000-0000" }),
  }).then((r) => r.json() as Promise<{ merchant_uid: string; request_pay: Record<string, unknown> }>);
  const paid = stack.sandbox?.control.pay({ ...created.request_pay, outcome: "approve" } as never);
  if (!paid?.imp_uid) throw new Error("the sandbox did not pay the bench order");
  return { merchantUid: created.merchant_uid, impUid: paid.imp_uid };
}

export async function benchColdStart(runs: number): Promise<string> {
  const ddb = await startDynamoDbLocal();
  const stack = await startStack({
    dynamoEndpoint: ddb.endpoint,
    // No webhooks: the bench's own completions are the first to reach each order.
    env: { LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "silent" },
    sandbox: { webhookUrl: "http://127.0.0.1:9/discard" },
  });
  const out = mkdtempSync(join(tmpdir(), "bench-cold-"));
  try {
    const harness = join(out, "harness.mjs");
    writeFileSync(
      harness,
      `const [bundle, event] = [process.argv[2], JSON.parse(process.argv[3])];
const t0 = performance.now();
const { handler } = await import(bundle);
const t1 = performance.now();
const ctx = () => ({ awsRequestId: crypto.randomUUID(), getRemainingTimeInMillis: () => 15000 });
const base = { version: "2.0", headers: {}, requestContext: { http: { method: "GET" } } };
const first = await handler({ ...base, ...event }, ctx());
const t2 = performance.now();
await handler({ ...base, ...event }, ctx());
const t3 = performance.now();
console.log(JSON.stringify({ status: first.statusCode, init: t1 - t0, cold: t2 - t1, warm: t3 - t2 }));`,
    );
    const run = async (bundle: string, event: unknown): Promise<Sample> => {
      // Async: the sandbox and the API run in this process and must keep answering.
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [harness, bundle, JSON.stringify(event)],
        {
          env: { ...process.env, ...stack.env, NODE_NO_WARNINGS: "1" },
        },
      );
      return JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as Sample;
    };
    const floor = join(out, "floor.mjs");
    await buildFloor(floor);
    const status = await paidOrder(stack);
    const cases = [
      {
        name: "getOrderStatus",
        file: "functions/get-order-status.ts",
        event: async () => ({
          routeKey: "GET /orders/{merchant_uid}/status",
          pathParameters: { merchant_uid: status.merchantUid },
        }),
      },
      {
        name: "completePayment (a fresh paid order each sample)",
        file: "functions/complete-payment.ts",
        event: async () => {
          const o = await paidOrder(stack);
          return {
            routeKey: "POST /payments/complete",
            requestContext: { http: { method: "POST" } },
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ imp_uid: o.impUid, merchant_uid: o.merchantUid }),
          };
        },
      },
    ];
    const lines = [
      `Cold start against DynamoDB Local and the sandbox (node ${process.version}; ${runs} paired fresh processes, medians)`,
      "",
      "| function | init | first request | second request | init + first ÷ floor's init + GetItem |",
      "|---|---|---|---|---|",
    ];
    const floorSamples: Sample[] = [];
    for (const c of cases) {
      const bundle = join(out, `${c.name.replace(/\W/g, "_")}.mjs`);
      await buildFunction(c.file, bundle);
      const samples: Sample[] = [];
      const ratios: number[] = [];
      for (let i = 0; i < runs; i++) {
        const f = await run(floor, {});
        const s = await run(bundle, await c.event());
        if (s.status >= 400) throw new Error(`${c.name} answered ${s.status}`);
        floorSamples.push(f);
        samples.push(s);
        ratios.push((s.init + s.cold) / (f.init + f.cold));
      }
      const m = (k: keyof Sample) => `${median(samples.map((s) => s[k])).toFixed(0)} ms`;
      lines.push(
        `| ${c.name} | ${m("init")} | ${m("cold")} | ${m("warm")} | ${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) |`,
      );
    }
    const fm = (k: keyof Sample) => `${median(floorSamples.map((s) => s[k])).toFixed(0)} ms`;
    lines.push(
      `| floor (DynamoDB client, one GetItem) | ${fm("init")} | ${fm("cold")} | ${fm("warm")} | 1.00× |`,
    );
    return lines.join("\n");
  } finally {
    rmSync(out, { recursive: true, force: true });
    await stack.close();
    await ddb.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 11;
  console.log(await benchColdStart(runs));
}
