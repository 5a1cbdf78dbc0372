/**
 * The fuzzer at CI size: a few hundred cases per route through the real
 * handlers (the full run is `npm run fuzz`, 10,000 per route). Its histogram
 * is printed; any 5xx, error without a JSON body or field, write, alert or
 * iamport call for a refused request fails the test with the case that did it.
 */
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { type DynamoRecorder, startDynamoRecorder } from "../../chaos/dynamo-recorder.js";
import { knownEntities } from "../../chaos/fuzz/known.js";
import { runFuzz } from "../../chaos/fuzz/run-fuzz.js";
import { type Stack, startStack } from "../../local/stack.js";

let recorder: DynamoRecorder;
let stack: Stack;
beforeAll(async () => {
  recorder = await startDynamoRecorder(inject("dynamoEndpoint"));
  stack = await startStack({
    dynamoEndpoint: recorder.endpoint,
    env: { LOG_LEVEL: "error", IAMPORT_TIMEOUT_MS: "500" },
    sqsVisibilityTimeoutMs: 500,
  });
});
afterAll(async () => {
  await stack?.close();
  await recorder?.close();
});

test("every route answers fuzzed input with a 4xx naming the field or a valid success, and changes nothing when it refuses", async () => {
  const seed = Math.floor(Math.random() * 2 ** 31);
  const known = await knownEntities(stack);
  const result = await runFuzz(stack, { casesPerRoute: 200, seed, known, writes: recorder.writes });
  process.stderr.write(`fuzz seed ${seed}: ${result.cases} cases in ${result.seconds} s\n`);
  for (const [route, histogram] of Object.entries(result.histogram))
    process.stderr.write(`  ${route.padEnd(40)} ${JSON.stringify(histogram)}\n`);
  expect(result.violations.slice(0, 5)).toEqual([]);
  expect(result.cases).toBe(200 * Object.keys(result.histogram).length);
}, 400_000);
