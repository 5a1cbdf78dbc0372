/**
 * The charge worker's throughput at its configured cap: N subscriptions due
 * at once, `again` slowed by the sandbox's latency fault, through the real
 * dispatcher (its messages held until the run ends, then sent through the
 * real SQS client), the SQS stand-in (batch size and maximum concurrency from
 * serverless.yml) and the deployed `chargeSubscription` handler, against
 * DynamoDB Local and the sandbox. The sandbox runs in its own process, as
 * iamport is not ours, so the heap measured after each cycle is the worker's
 * (and the stand-ins'), not the sandbox's growing ledger.
 *
 * Ideal = N × latency / calls in flight (maximumConcurrency × the batch's
 * iamport calls in flight): the time `again`'s latency alone takes at the cap.
 * A cycle fails loudly unless every subscription was charged exactly once.
 *
 *   npx tsx bench/charge-throughput.ts [--subscriptions 2000] [--cycles 3] [--latency-ms 200]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parse } from "yaml";
import type { ChargeMessage } from "../lib/billing/ports.js";
import { dispatchCharges } from "../lib/billing/use-cases/dispatch-charges.js";
import { parseConfig } from "../lib/config.js";
import { buildChargeQueue } from "../lib/runtime/charge-queue.js";
import { buildContainer } from "../lib/runtime/container.js";
import { startDynamoDbLocal } from "../local/dynamodb/dynamodb-local.js";
import { repoRoot } from "../local/serverless-routes.js";
import { LOCAL_API_KEY, type Stack, startStack } from "../local/stack.js";

const DAY = 24 * 3600_000;

interface Charger {
  /** The deployed shape: batches in flight and iamport calls per batch (records per batch before that). */
  maximumConcurrency: number;
  batchSize: number;
  callsPerBatch: number;
}

/** serverless.yml's shape of the worker. Before CHARGE_IAMPORT_CALLS_IN_FLIGHT, 3 records (and calls) per batch. */
function chargerShape(): Charger {
  const doc = parse(readFileSync(resolve(repoRoot, "serverless.yml"), "utf8"), { merge: true }) as {
    functions: Record<
      string,
      {
        environment?: Record<string, string>;
        events?: Array<{ sqs?: { batchSize: number; maximumConcurrency: number } }>;
      }
    >;
  };
  const fn = doc.functions.chargeSubscription;
  const sqs = fn?.events?.find((e) => e.sqs)?.sqs;
  if (!fn || !sqs) throw new Error("serverless.yml has no chargeSubscription SQS event");
  return {
    maximumConcurrency: sqs.maximumConcurrency,
    batchSize: sqs.batchSize,
    callsPerBatch: Number(fn.environment?.CHARGE_IAMPORT_CALLS_IN_FLIGHT ?? 3),
  };
}

async function startSandboxProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", resolve(repoRoot, "sandbox/main.ts")], {
    cwd: repoRoot,
    env: { ...process.env, SANDBOX_PORT: "0", SANDBOX_WEBHOOK_URL: "" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((ok, fail) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const found = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (found?.[1]) ok(found[1]);
    });
    child.once("exit", (code) => fail(new Error(`the sandbox exited (${code}) before listening`)));
  });
  child.stdout?.resume();
  return { url, child };
}

/** Runs `work` over `items`, `width` at a time. */
async function pool<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/**
 * Fails unless each of the `n` subscriptions was paid exactly once in `cycle`. A function of its own so
 * the sandbox's listing (every payment of every cycle, growing by `n` each time) is garbage before the
 * heap is measured: held in the loop, it was the 2.4 MB per cycle the heap seemed to grow.
 */
async function expectChargedOnce(
  control: (path: string) => Promise<Array<{ merchant_uid: string; status: string }>>,
  cycle: number,
  n: number,
): Promise<void> {
  const paid = new Map<string, number>();
  for (const p of await control("/payments"))
    if (p.status === "paid" && p.merchant_uid.endsWith(`_${cycle}_1`))
      paid.set(p.merchant_uid, (paid.get(p.merchant_uid) ?? 0) + 1);
  const twice = [...paid.values()].filter((c) => c > 1).length;
  if (paid.size !== n || twice > 0)
    throw new Error(`cycle ${cycle}: ${paid.size} of ${n} charged, ${twice} charged twice`);
}

function heapAfterGc(): number {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
  return process.memoryUsage().heapUsed;
}

export async function benchChargeThroughput(
  options: { subscriptions?: number; cycles?: number; latencyMs?: number } = {},
): Promise<string> {
  const n = options.subscriptions ?? 2000;
  const cycles = options.cycles ?? 3;
  const latencyMs = options.latencyMs ?? 200;
  const shape = chargerShape();
  const cap = shape.maximumConcurrency * shape.callsPerBatch;
  const ddb = await startDynamoDbLocal();
  const sandbox = await startSandboxProcess();
  const control = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await fetch(`${sandbox.url}/__sandbox${path}`, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: { "content-type": "application/json" },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    if (!res.ok) throw new Error(`sandbox ${path} answered ${res.status}: ${await res.text()}`);
    return res.json() as Promise<any>;
  };
  const info = await control("/info");
  let stack: Stack | undefined;
  try {
    stack = await startStack({
      dynamoEndpoint: ddb.endpoint,
      realIamport: { apiUrl: sandbox.url, impKey: "sandbox_key", impSecret: "sandbox_secret" },
      env: {
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "silent",
        // Only the worker is measured: no paid webhooks racing it for the two cores.
        SEND_NOTICE_URL: "false",
        KICC_BILLING_MID: info.billingMid,
        // serverless.yml's per-function value (the stand-in shares one environment).
        CHARGE_IAMPORT_CALLS_IN_FLIGHT: String(shape.callsPerBatch),
      },
    });
    const s = stack;
    const api = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${s.apiUrl}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": LOCAL_API_KEY, ...headers },
        body: JSON.stringify(body),
      });
      const answer = (await res.json()) as any;
      if (res.status >= 300) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(answer)}`);
      return answer;
    };

    // N subscriptions, each with its own billing key; cycle 1 is charged at creation (no latency yet).
    const ids: string[] = [];
    await pool(
      Array.from({ length: n }, (_, i) => i),
      16,
      async (i) => {
        const key = await api("/billing-keys", { buyer_name: "벤치", buyer_tel: "010-1234-5678" });
        await control("/pay", { body: { ...key.request_pay, outcome: "approve" } });
        const sub = await api(
          "/subscriptions",
          { customer_uid: key.customer_uid, plan: { name: "Bench plan", amount: 9_900, interval: "month" } },
          { "idempotency-key": `bench-${i}-${Date.now()}` },
        );
        ids.push(sub.id);
      },
    );
    await s.sqs.idle(600_000);

    const config = parseConfig(s.env);
    const rows: string[] = [];
    const heaps: number[] = [heapAfterGc()];
    await control("/faults", {
      body: { method: "POST", path: "/subscribe/payments/again", kind: "latency", ms: latencyMs },
    });
    // One dispatcher container for every cycle (its clock a month further each time), so the heap
    // measured after a cycle holds no clients the bench itself left behind.
    let ahead = 0;
    const container = buildContainer(config, { clock: () => new Date(Date.now() + ahead) });
    const queue = buildChargeQueue(config, container.logger);
    for (let cycle = 2; cycle <= cycles + 1; cycle++) {
      ahead = (cycle - 1) * 32 * DAY;
      const held: ChargeMessage[] = [];
      await dispatchCharges({
        ...container.dispatchDeps,
        queue: {
          send: async (messages) => {
            held.push(...messages);
            return { failed: [] };
          },
        },
      });
      if (held.length !== n) throw new Error(`cycle ${cycle}: ${held.length} of ${n} dispatched`);
      const started = performance.now();
      const { failed } = await queue.send(held);
      if (failed.length) throw new Error(`cycle ${cycle}: SQS refused ${failed.length} messages`);
      await s.sqs.idle(600_000);
      const seconds = (performance.now() - started) / 1000;

      await expectChargedOnce(control, cycle, n);
      const ideal = (n * latencyMs) / 1000 / cap;
      heaps.push(heapAfterGc());
      rows.push(
        `| ${cycle} | ${n} | ${seconds.toFixed(1)} s | ${(n / seconds).toFixed(1)}/s | ${ideal.toFixed(1)} s | ${((100 * ideal) / seconds).toFixed(1)} % | ${(heaps.at(-1)! / 2 ** 20).toFixed(1)} MB |`,
      );
    }
    await control("/faults", { method: "DELETE" });
    return [
      `Charge worker throughput (node ${process.version}; ${n} due subscriptions, ${latencyMs} ms on \`again\`; ` +
        `${shape.maximumConcurrency} batches of ${shape.batchSize} × ${shape.callsPerBatch} iamport calls = ${cap} in flight; ` +
        `heap after GC, ${(heaps[0]! / 2 ** 20).toFixed(1)} MB before the first measured cycle)`,
      "",
      "| cycle | charged | time | throughput | ideal | of ideal | heap after |",
      "|---|---|---|---|---|---|---|",
      ...rows,
    ].join("\n");
  } finally {
    await stack?.close();
    sandbox.child.kill("SIGTERM");
    await ddb.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => Number(process.argv[process.argv.indexOf(name) + 1]) || undefined;
  console.log(
    await benchChargeThroughput({
      subscriptions: arg("--subscriptions"),
      cycles: arg("--cycles"),
      latencyMs: arg("--latency-ms"),
    } as never),
  );
}
