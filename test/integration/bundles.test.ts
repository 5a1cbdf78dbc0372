/**
 * The bundles as deployed (serverless.yml custom.esbuild, through
 * bench/build.ts): each stays under its size budget, loads in a fresh Node
 * process with the left-out credential sources absent, and a built handler
 * answers a real request against DynamoDB Local and the sandbox.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildFunction, deployedOptions } from "../../bench/build.js";
import { readServerlessFunctions } from "../../local/serverless-routes.js";
import { useStack } from "../support/stack.js";

const BUDGET_KB = 450;
const out = mkdtempSync(join(tmpdir(), "bundles-test-"));
const functions = readServerlessFunctions();
const ctx = useStack();

beforeAll(async () => {
  for (const fn of functions) await buildFunction(fn.file, join(out, `${fn.name}.mjs`));
}, 120_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("every function bundle", () => {
  test(`is at most ${BUDGET_KB} KB minified and carries no SSM client`, () => {
    for (const fn of functions) {
      const file = join(out, `${fn.name}.mjs`);
      expect(statSync(file).size / 1024, fn.name).toBeLessThanOrEqual(BUDGET_KB);
      expect(readFileSync(file, "utf8"), fn.name).not.toContain("com.amazonaws.ssm");
    }
  });

  test("loads in a fresh process, with the credential sources it leaves out not installed", async () => {
    // Copied away from the repository, nothing in node_modules can resolve: an import of a left-out
    // package at load time would fail here, as it would on Lambda.
    expect(deployedOptions().external?.length).toBeGreaterThan(0);
    const loader = join(out, "load.mjs");
    writeFileSync(loader, "for (const f of process.argv.slice(2)) await import(f);");
    await promisify(execFile)(
      process.execPath,
      [loader, ...functions.map((fn) => join(out, `${fn.name}.mjs`))],
      { env: { PATH: process.env.PATH ?? "", AWS_REGION: "ap-northeast-2" } },
    );
  });
});

test("a built handler answers a real request (getOrderStatus of a paid order)", async () => {
  const t = ctx();
  const created = await t.createOrder();
  expect(created.status).toBe(201);
  t.stack.sandbox?.control.pay({ ...created.body.request_pay, outcome: "approve" });
  await t.stack.sandbox?.control.flushWebhooks();
  const harness = join(out, "invoke.mjs");
  writeFileSync(
    harness,
    `const { handler } = await import(process.argv[2]);
const r = await handler({ version: "2.0", routeKey: "GET /orders/{merchant_uid}/status", headers: {},
  requestContext: { http: { method: "GET" } }, pathParameters: { merchant_uid: process.argv[3] } },
  { awsRequestId: "bundle-test", getRemainingTimeInMillis: () => 15000 });
console.log(JSON.stringify(r));`,
  );
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [harness, join(out, "getOrderStatus.mjs"), created.body.merchant_uid],
    { env: { PATH: process.env.PATH ?? "", ...t.stack.env, LOG_LEVEL: "silent" } },
  );
  const answer = JSON.parse(stdout.trim().split("\n").pop() ?? "{}");
  expect(answer.statusCode).toBe(200);
  expect(JSON.parse(answer.body)).toMatchObject({ status: "paid" });
});
