/** The table `npm start` prints: what runs where, what to open, the routes and schedules. */
import type { DevStack } from "./dev-stack.js";

export interface BannerInput {
  dev: DevStack;
  dynamoEndpoint: string;
  /** Real iamport's API URL when the stack talks to it instead of the sandbox. */
  realIamportUrl: string | null;
  startedInMs: number;
  /** Whether the stack serves /openapi.json. */
  openApi: boolean;
}

export function formatBanner(input: BannerInput): string {
  const { stack, scheduler } = input.dev;
  const api = stack.apiUrl;
  const rows: Array<[string, string]> = [
    ["Storefront", `${api}/shop/`],
    ["Sandbox panel", stack.sandbox ? `${api}/shop/sandbox.html` : "(off: real iamport)"],
    ["Merchant API", `${api}  (header x-api-key: ${stack.apiKey})`],
  ];
  if (input.openApi) rows.push(["OpenAPI", `${api}/openapi.json`]);
  rows.push(
    [
      "iamport",
      stack.sandbox
        ? `${stack.sandbox.url}  (sandbox, in memory)`
        : `${input.realIamportUrl}  (REAL iamport, test credentials)`,
    ],
    ["DynamoDB Local", `${input.dynamoEndpoint}  (in memory, table ${stack.tableName})`],
    ["SQS", `${stack.sqs.url}  (stand-in, in memory)`],
    ["Domain events", `${api}/__local/events  (the table's stream → publishEvents → an in-memory bus)`],
  );
  const width = Math.max(...rows.map(([name]) => name.length));
  // Columns as wide as their longest entry, so `OPTIONS` (the preflights) lines up with `GET` and `POST`.
  const routes = stack.functions.flatMap((fn) => fn.routes.map((route) => ({ ...route, fn: fn.name })));
  const methodWidth = Math.max(0, ...routes.map((route) => route.method.length));
  const pathWidth = Math.max(0, ...routes.map((route) => route.path.length));
  const lines = [
    "",
    `  kicc-iamport local stack ready in ${(input.startedInMs / 1000).toFixed(1)} s`,
    "",
    ...rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`),
    "",
    "  Routes (from serverless.yml):",
    ...routes.map(
      (route) => `    ${route.method.padEnd(methodWidth)} ${route.path.padEnd(pathWidth)} ${route.fn}`,
    ),
    "",
    "  Scheduled functions (on their timers, or run now):",
  ];
  const jobs = scheduler.jobs();
  if (jobs.length === 0) lines.push("    (none in serverless.yml yet)");
  for (const job of jobs) {
    lines.push(
      `    ${job.functionName.padEnd(20)} ${job.rates.join(", ").padEnd(18)} curl -XPOST -H 'content-type: application/json' ${api}/__local/run/${job.functionName}`,
    );
  }
  if (jobs.some((job) => job.functionName === "dispatchCharges")) {
    lines.push(
      `    (a month ahead, so the next cycle is charged today: curl -XPOST -H 'content-type: application/json' -d '{"ahead_seconds":2764800}' ${api}/__local/dispatch-charges)`,
    );
  }
  const consumers = stack.functions.flatMap((fn) => fn.queues.map((queue) => ({ fn: fn.name, ...queue })));
  if (consumers.length > 0) lines.push("", "  Queue consumers (SQS stand-in, from serverless.yml):");
  for (const c of consumers) {
    lines.push(
      `    ${c.fn.padEnd(20)} ${c.queue.padEnd(18)} batches of ${c.batchSize}, ${c.maximumConcurrency} at once`,
    );
  }
  lines.push("", "  Open the storefront and pay, or subscribe. Ctrl-C stops everything.", "");
  return lines.join("\n");
}
