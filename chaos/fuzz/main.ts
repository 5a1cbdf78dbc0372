/**
 * `npm run fuzz -- [--cases N] [--seed S]`: N cases per route (default 10,000)
 * through the real handlers on the local stack. Prints the status histogram
 * per route and one JSON line; exits 1 on any violation, 2 on bad options.
 */
import { parseArgs } from "node:util";
import { startDynamoDbLocal } from "../../local/dynamodb/dynamodb-local.js";
import { startStack } from "../../local/stack.js";
import { startDynamoRecorder } from "../dynamo-recorder.js";
import { knownEntities } from "./known.js";
import { runFuzz } from "./run-fuzz.js";

const { values } = parseArgs({ options: { cases: { type: "string" }, seed: { type: "string" } } });
const cases = values.cases === undefined ? 10_000 : Number(values.cases);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isInteger(cases) || cases < 1 || cases > 1_000_000 || !Number.isInteger(seed) || seed < 0) {
  process.stderr.write("--cases must be a whole number from 1 to 1000000, --seed a whole number\n");
  process.exit(2);
}
const ddb = await startDynamoDbLocal();
const recorder = await startDynamoRecorder(ddb.endpoint);
const stack = await startStack({
  dynamoEndpoint: recorder.endpoint,
  env: { LOG_LEVEL: "error", IAMPORT_TIMEOUT_MS: "500" },
});
try {
  const known = await knownEntities(stack);
  const result = await runFuzz(stack, { casesPerRoute: cases, seed, known, writes: recorder.writes });
  for (const [route, histogram] of Object.entries(result.histogram))
    process.stderr.write(`${route.padEnd(40)} ${JSON.stringify(histogram)}\n`);
  for (const v of result.violations.slice(0, 30))
    process.stderr.write(`VIOLATION ${v.route}: ${v.problem}\n  ${v.request}\n`);
  const { histogram: _h, violations, ...figures } = result;
  process.stdout.write(`${JSON.stringify({ ...figures, violations: violations.length })}\n`);
  process.exitCode = violations.length > 0 ? 1 : 0;
} finally {
  await stack.close();
  await recorder.close();
  await ddb.stop();
}
