/**
 * Cold and warm latency of real bundles against DynamoDB Local and the
 * sandbox, the way Lambda runs them: a fresh Node process imports the bundle
 * (init), then handles its first request (cold: clients, config, first
 * DynamoDB connection, first iamport token) and a second one (warm).
 *
 *   npx tsx bench/cold-start.ts [--runs 7]
 *
 * Medians of N fresh processes; compare rows within one run (this machine is
 * shared and noisy).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { startDynamoDbLocal } from "../local/dynamodb/dynamodb-local.js";
import { repoRoot } from "../local/serverless-routes.js";
import { LOCAL_API_KEY, startStack } from "../local/stack.js";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 7;
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? 0;

const ddb = await startDynamoDbLocal();
const stack = await startStack({
  dynamoEndpoint: ddb.endpoint,
  env: { LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "silent" },
});
const out = mkdtempSync(join(tmpdir(), "bench-cold-"));
try {
  const created = await fetch(`${stack.apiUrl}/orders`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": LOCAL_API_KEY },
    body: JSON.stringify({ name: "bench", amount: 1000, pay_method: "card", buyer_tel: "010-0000-0000" }),
  }).then((r) => r.json() as Promise<{ merchant_uid: string; request_pay: Record<string, unknown> }>);
  const paid = stack.sandbox?.control.pay({ ...created.request_pay, outcome: "approve" });
  const cases = [
    {
      file: "functions/get-order-status.ts",
      event: {
        routeKey: "GET /orders/{merchant_uid}/status",
        pathParameters: { merchant_uid: created.merchant_uid },
      },
    },
    {
      file: "functions/complete-payment.ts",
      event: {
        routeKey: "POST /payments/complete",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ imp_uid: paid?.imp_uid, merchant_uid: created.merchant_uid }),
      },
    },
  ];
  const harness = join(out, "harness.mjs");
  writeFileSync(
    harness,
    `const [bundle, event] = [process.argv[2], JSON.parse(process.argv[3])];
const t0 = performance.now();
const { handler } = await import(bundle);
const t1 = performance.now();
const ctx = () => ({ awsRequestId: crypto.randomUUID(), getRemainingTimeInMillis: () => 15000 });
const first = await handler({ version: "2.0", headers: {}, requestContext: { http: { method: "GET" } }, ...event }, ctx());
const t2 = performance.now();
await handler({ version: "2.0", headers: {}, requestContext: { http: { method: "GET" } }, ...event }, ctx());
const t3 = performance.now();
console.log(JSON.stringify({ status: first.statusCode, init: t1 - t0, cold: t2 - t1, warm: t3 - t2 }));`,
  );
  console.log(`node ${process.version}, ${runs} fresh processes per function (medians)\n`);
  console.log("| function | init (import) | first request | second request |\n|---|---|---|---|");
  for (const c of cases) {
    const bundle = join(out, `${c.file.replace(/\W/g, "_")}.mjs`);
    await build({
      entryPoints: [resolve(repoRoot, c.file)],
      bundle: true,
      minify: true,
      platform: "node",
      format: "esm",
      target: "node22",
      outfile: bundle,
      logLevel: "error",
      banner: {
        js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
      },
    });
    const samples: Array<{ status: number; init: number; cold: number; warm: number }> = [];
    for (let i = 0; i < runs; i++) {
      // Async: the sandbox and the API run in this process and must keep answering.
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [harness, bundle, JSON.stringify(c.event)],
        {
          env: { ...process.env, ...stack.env, NODE_NO_WARNINGS: "1" },
        },
      );
      samples.push(JSON.parse(stdout.trim().split("\n").pop() ?? "{}"));
    }
    if (samples.some((s) => s.status >= 400)) throw new Error(`${c.file} answered ${samples[0]?.status}`);
    const row = (k: "init" | "cold" | "warm") => `${median(samples.map((s) => s[k])).toFixed(0)} ms`;
    console.log(`| ${c.file} | ${row("init")} | ${row("cold")} | ${row("warm")} |`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
  await stack.close();
  await ddb.stop();
}
