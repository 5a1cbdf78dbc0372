/**
 * `npm start`: the whole system on one machine. DynamoDB Local (in memory),
 * the iamport sandbox, every function behind the API Gateway stand-in, the
 * scheduled functions on their timers, and the demo storefront under /shop/.
 * Everything binds to 127.0.0.1; one Ctrl-C stops all of it.
 *
 * Env: API_PORT (3000), SANDBOX_PORT (7701), DYNAMODB_PORT (8000); with
 * IAMPORT_API_KEY + IAMPORT_API_SECRET (+ IAMPORT_MERCHANT_CODE) it talks to
 * real iamport instead of the sandbox (docs/local-stack.md).
 */
import "./quiet-warnings.js";
import { createServer } from "node:net";
import { type DynamoDbLocal, JavaMissingError, startDynamoDbLocal } from "./dynamodb/dynamodb-local.js";
import { type Scheduler, schedulerFallback, startScheduler } from "./scheduler.js";
import { LOCAL_API_KEY, type Stack, type StackOptions, startStack } from "./stack.js";
import { chainFallbacks, type ShopConfig, staticFallback } from "./static.js";

/** What `IMP.init` gets with the sandbox (its default merchant code). */
const SANDBOX_MERCHANT_CODE = "imp00000000";
const TABLE_NAME = "payments-local";
/** Ctrl-C waits this long for a clean stop before giving up. */
const STOP_LIMIT_MS = 10_000;

class StartError extends Error {
  override readonly name = "StartError";
}

interface Settings {
  apiPort: number;
  sandboxPort: number;
  dynamoPort: number;
  real: { apiUrl: string; impKey: string; impSecret: string; merchantCode: string } | null;
  publicApiUrl: string | undefined;
}

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65_535)
    throw new StartError(`${name} must be a port number from 1 to 65535, got ${JSON.stringify(raw)}`);
  return value;
}

function readSettings(): Settings {
  const env = process.env;
  const impKey = env.IAMPORT_API_KEY ?? "";
  const impSecret = env.IAMPORT_API_SECRET ?? "";
  if (Boolean(impKey) !== Boolean(impSecret))
    throw new StartError("set both IAMPORT_API_KEY and IAMPORT_API_SECRET, or neither (to use the sandbox)");
  if (impKey && !env.IAMPORT_MERCHANT_CODE)
    throw new StartError("with real iamport credentials, also set IAMPORT_MERCHANT_CODE (imp12345678)");
  return {
    apiPort: port("API_PORT", 3000),
    sandboxPort: port("SANDBOX_PORT", 7701),
    dynamoPort: port("DYNAMODB_PORT", 8000),
    real: impKey
      ? {
          apiUrl: env.IAMPORT_API_URL || "https://api.iamport.kr",
          impKey,
          impSecret,
          merchantCode: env.IAMPORT_MERCHANT_CODE ?? "",
        }
      : null,
    publicApiUrl: env.PUBLIC_API_URL || undefined,
  };
}

/** Fails fast, before Java starts, when a port is taken. */
async function ensureFree(what: string, envName: string, value: number): Promise<void> {
  await new Promise<void>((ok, fail) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) =>
      fail(
        new StartError(
          error.code === "EADDRINUSE"
            ? `port ${value} (${what}) on 127.0.0.1 is already in use: stop the other process or set ${envName}`
            : `cannot listen on 127.0.0.1:${value} (${what}): ${error.message}`,
        ),
      ),
    );
    probe.listen(value, "127.0.0.1", () => probe.close(() => ok()));
  });
}

function stackOptions(
  settings: Settings,
  dynamoEndpoint: string,
  shop: () => ShopConfig,
  jobs: () => Scheduler | undefined,
): StackOptions {
  const api = `http://127.0.0.1:${settings.apiPort}`;
  return {
    dynamoEndpoint,
    tableName: TABLE_NAME,
    apiPort: settings.apiPort,
    sandboxPort: settings.sandboxPort,
    sandbox: { merchantCode: SANDBOX_MERCHANT_CODE, webhookRetries: 3 },
    ...(settings.real ? { realIamport: settings.real } : {}),
    env: {
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
      IAMPORT_TIMEOUT_MS: "5000",
      // A tunnel (PUBLIC_API_URL) lets real iamport reach the webhook; results still come home here.
      ...(settings.publicApiUrl
        ? {
            PUBLIC_API_URL: settings.publicApiUrl,
            RESULT_ORIGINS: `${api},${new URL(settings.publicApiUrl).origin}`,
          }
        : {}),
    },
    fallback: chainFallbacks(staticFallback({ config: shop }), schedulerFallback(jobs)),
    onError: (error) => console.error("[api] handler crashed:", error),
  };
}

function printTable(
  stack: Stack,
  settings: Settings,
  ddb: DynamoDbLocal,
  scheduler: Scheduler,
  ms: number,
): void {
  const rows: Array<[string, string]> = [
    ["Storefront", `${stack.apiUrl}/shop/`],
    ["Sandbox panel", stack.sandbox ? `${stack.apiUrl}/shop/sandbox.html` : "(off: real iamport)"],
    ["Merchant API", `${stack.apiUrl}  (x-api-key: ${LOCAL_API_KEY})`],
    [
      "iamport",
      stack.sandbox
        ? `${stack.sandbox.url}  (sandbox, in memory)`
        : `${settings.real?.apiUrl}  (REAL, test credentials)`,
    ],
    ["DynamoDB Local", `${ddb.endpoint}  (in memory, table ${stack.tableName})`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = [
    "",
    `  kicc-iamport local stack ready in ${(ms / 1000).toFixed(1)} s`,
    "",
    ...rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`),
    "",
    "  Routes (from serverless.yml):",
    ...stack.functions.flatMap((fn) =>
      fn.routes.map((r) => `    ${r.method.padEnd(5)} ${r.path.padEnd(34)} ${fn.name}`),
    ),
  ];
  const jobs = scheduler.jobs();
  lines.push("", "  Scheduled functions:");
  if (jobs.length === 0) lines.push("    (none in serverless.yml yet)");
  for (const job of jobs)
    lines.push(
      `    ${job.functionName.padEnd(24)} ${job.rates.join(", ")}  run now: POST ${stack.apiUrl}/__local/run/${job.functionName}`,
    );
  lines.push("", "  Open the storefront and pay; Ctrl-C stops everything.", "");
  console.log(lines.join("\n"));
}

async function main(): Promise<void> {
  const started = Date.now();
  const settings = readSettings();
  await ensureFree("API and storefront", "API_PORT", settings.apiPort);
  if (!settings.real) await ensureFree("iamport sandbox", "SANDBOX_PORT", settings.sandboxPort);
  await ensureFree("DynamoDB Local", "DYNAMODB_PORT", settings.dynamoPort);

  let ddb: DynamoDbLocal | undefined;
  let stack: Stack | undefined;
  let scheduler: Scheduler | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      scheduler?.stop();
      await stack?.close();
      await ddb?.stop();
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`\n${signal} again: exiting now`);
      process.exit(1);
    }
    console.log("\nstopping the local stack…");
    const limit = setTimeout(() => {
      console.error(`could not stop cleanly within ${STOP_LIMIT_MS / 1000} s; exiting`);
      process.exit(1);
    }, STOP_LIMIT_MS);
    limit.unref();
    void stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("error while stopping:", error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  try {
    ddb = await startDynamoDbLocal({ port: settings.dynamoPort });
    const shop = (): ShopConfig => ({
      apiKey: LOCAL_API_KEY,
      iamport: stack?.sandbox ? "sandbox" : "iamport",
      sdkUrl: stack?.sandbox ? `${stack.sandbox.url}/v1/iamport.js` : "https://cdn.iamport.kr/v1/iamport.js",
      merchantCode: settings.real?.merchantCode ?? SANDBOX_MERCHANT_CODE,
      sandboxUrl: stack?.sandbox?.url ?? null,
    });
    stack = await startStack(stackOptions(settings, ddb.endpoint, shop, () => scheduler));
    scheduler = startScheduler(stack.functions, {
      onRun: (job, record) =>
        console.log(
          `[schedule] ${job.functionName} (${record.trigger}) ${record.ok ? "ok" : `FAILED: ${record.error}`} in ${record.ms} ms`,
        ),
    });
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  printTable(stack, settings, ddb, scheduler, Date.now() - started);
}

main().catch((error: unknown) => {
  // Expected problems get one clear line; anything else keeps its stack for a bug report.
  if (error instanceof StartError || error instanceof JavaMissingError) {
    console.error(`npm start: ${error.message}`);
  } else if (error instanceof Error && /already in use|EADDRINUSE/.test(error.message)) {
    console.error(`npm start: ${error.message.split("\n")[0]}`);
  } else {
    console.error("npm start failed:", error);
  }
  process.exit(1);
});
