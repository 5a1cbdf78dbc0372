/**
 * The fuzzer at CI size: a few hundred cases per route through the real
 * handlers (the full run is `npm run fuzz`, 10,000 per route). Its histogram
 * is printed; any 5xx, error without a JSON body or field, write, alert or
 * iamport call for a refused request fails the test with the case that did it.
 */
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { knownEntities } from "../../chaos/fuzz/known.js";
import { runFuzz } from "../../chaos/fuzz/run-fuzz.js";
import { startWriteCounter, type WriteCounter } from "../../chaos/fuzz/write-counter.js";
import { type Stack, startStack } from "../../local/stack.js";

let counter: WriteCounter;
let stack: Stack;
beforeAll(async () => {
  counter = await startWriteCounter(inject("dynamoEndpoint"));
  stack = await startStack({
    dynamoEndpoint: counter.endpoint,
    env: { LOG_LEVEL: "error", IAMPORT_TIMEOUT_MS: "500" },
    sqsVisibilityTimeoutMs: 500,
  });
});
afterAll(async () => {
  await stack?.close();
  await counter?.close();
});

test("every route answers fuzzed input with a 4xx naming the field or a valid success, and changes nothing when it refuses", async () => {
  const seed = Math.floor(Math.random() * 2 ** 31);
  const known = await knownEntities(stack);
  const result = await runFuzz(stack, { casesPerRoute: 200, seed, known, writes: counter.writes });
  process.stderr.write(`fuzz seed ${seed}: ${result.cases} cases in ${result.seconds} s\n`);
  for (const [route, histogram] of Object.entries(result.histogram))
    process.stderr.write(`  ${route.padEnd(40)} ${JSON.stringify(histogram)}\n`);
  expect(result.violations.slice(0, 5)).toEqual([]);
  expect(result.cases).toBe(200 * Object.keys(result.histogram).length);
}, 400_000);
