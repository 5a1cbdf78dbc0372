/**
 * `npm start`: the whole system on one machine. DynamoDB Local (in memory),
 * the iamport sandbox, every function behind the API Gateway stand-in, the
 * scheduled functions on their timers, and the demo storefront under /shop/.
 * Everything binds to 127.0.0.1; one Ctrl-C stops all of it.
 *
 * Env: API_PORT (3000), SANDBOX_PORT (7701), DYNAMODB_PORT (8000), LOG_LEVEL
 * (info). With IAMPORT_API_KEY + IAMPORT_API_SECRET + IAMPORT_MERCHANT_CODE it
 * talks to real iamport instead of the sandbox (plus optional KICC_MID,
 * PUBLIC_API_URL, IAMPORT_API_URL; docs/local-stack.md).
 */
import "./quiet-warnings.js";
import { createServer } from "node:net";
import { type DevStack, startDevStack } from "./dev-stack.js";
import { type DynamoDbLocal, JavaMissingError, startDynamoDbLocal } from "./dynamodb/dynamodb-local.js";
import { formatBanner } from "./start-banner.js";

const TABLE_NAME = "payments-local";
/** Ctrl-C waits this long for a clean stop before giving up. */
const STOP_LIMIT_MS = 10_000;
/** How often the stack checks that the process that started it is still there. */
const PARENT_POLL_MS = 500;

/** A problem the developer can fix from the message alone: printed as one line. */
class StartError extends Error {
  override readonly name = "StartError";
}

interface Settings {
  apiPort: number;
  sandboxPort: number;
  dynamoPort: number;
  logLevel: string;
  real: { apiUrl: string; impKey: string; impSecret: string; merchantCode: string } | null;
  /** A public URL (a tunnel) in front of API_PORT, so real iamport can reach the webhook. */
  publicApiUrl: string | undefined;
  /** Your KICC test MID with real iamport (`pg: "kicc.<MID>"`); the console's default channel otherwise. */
  kiccMid: string | undefined;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  const value = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65_535)
    throw new StartError(`${name} must be a port number from 1 to 65535, got ${JSON.stringify(raw)}`);
  return value;
}

// This is the local tool's own start-up config; lib/ still reads only its own (lib/config.ts).
function readSettings(env: NodeJS.ProcessEnv): Settings {
  const impKey = env.IAMPORT_API_KEY ?? "";
  const impSecret = env.IAMPORT_API_SECRET ?? "";
  if (Boolean(impKey) !== Boolean(impSecret))
    throw new StartError("set both IAMPORT_API_KEY and IAMPORT_API_SECRET, or neither (to use the sandbox)");
  if (impKey && !env.IAMPORT_MERCHANT_CODE)
    throw new StartError("with real iamport credentials, also set IAMPORT_MERCHANT_CODE (imp12345678)");
  return {
    apiPort: port(env, "API_PORT", 3000),
    sandboxPort: port(env, "SANDBOX_PORT", 7701),
    dynamoPort: port(env, "DYNAMODB_PORT", 8000),
    logLevel: env.LOG_LEVEL || "info",
    real: impKey
      ? {
          apiUrl: env.IAMPORT_API_URL || "https://api.iamport.kr",
          impKey,
          impSecret,
          merchantCode: env.IAMPORT_MERCHANT_CODE ?? "",
        }
      : null,
    publicApiUrl: env.PUBLIC_API_URL || undefined,
    kiccMid: env.KICC_MID || undefined,
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

function start(settings: Settings, dynamoEndpoint: string): Promise<DevStack> {
  const api = `http://127.0.0.1:${settings.apiPort}`;
  return startDevStack({
    dynamoEndpoint,
    tableName: TABLE_NAME,
    apiPort: settings.apiPort,
    sandboxPort: settings.sandboxPort,
    // iamport retries a webhook that got a 5xx when the merchant opts in; the demo opts in.
    sandbox: { webhookRetries: 3 },
    // A charge message handed back comes again in seconds, so a developer sees retries happen.
    sqsVisibilityTimeoutMs: 10_000,
    ...(settings.real ? { realIamport: settings.real, merchantCode: settings.real.merchantCode } : {}),
    env: {
      LOG_LEVEL: settings.logLevel,
      IAMPORT_TIMEOUT_MS: "5000",
      ...(settings.kiccMid ? { KICC_MID: settings.kiccMid } : {}),
      ...(settings.publicApiUrl
        ? {
            PUBLIC_API_URL: settings.publicApiUrl,
            RESULT_ORIGINS: `${api},${new URL(settings.publicApiUrl).origin}`,
          }
        : {}),
    },
    onError: (error) => console.error("[api] a handler crashed:", error),
    onRun: (job, record) =>
      console.log(
        `[schedule] ${job.functionName} (${record.trigger}) ${record.ok ? "ok" : `FAILED: ${record.error}`} in ${record.ms} ms${record.result === undefined ? "" : ` ${JSON.stringify(record.result)}`}`,
      ),
  });
}

/**
 * Calls `onGone` once the process that started this one has died (this
 * process was handed to init or a subreaper). Under `npm start`, tsx runs
 * this file in a child node process: without this, a SIGKILL of tsx's own
 * process would leave the stack running, holding its ports. (DynamoDB Local
 * needs no watch: it exits when this process dies, see LoopbackLauncher.java.)
 */
function watchParent(onGone: () => void): void {
  const parent = process.ppid;
  if (parent <= 1) return;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, PARENT_POLL_MS);
  timer.unref();
}

/** Whether the stack serves /openapi.json (listed in the banner only then). */
async function servesOpenApi(apiUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${apiUrl}/openapi.json`, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const settings = readSettings(process.env);
  await ensureFree("API and storefront", "API_PORT", settings.apiPort);
  if (!settings.real) await ensureFree("iamport sandbox", "SANDBOX_PORT", settings.sandboxPort);
  await ensureFree("DynamoDB Local", "DYNAMODB_PORT", settings.dynamoPort);

  let ddb: DynamoDbLocal | undefined;
  let dev: DevStack | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await dev?.close();
      // Also on Ctrl-C in a terminal Java gets SIGINT itself; stop() copes with a child already gone.
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
    setTimeout(() => {
      console.error(`could not stop cleanly within ${STOP_LIMIT_MS / 1000} s; exiting`);
      process.exit(1);
    }, STOP_LIMIT_MS).unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("error while stopping:", error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  watchParent(() => {
    console.error("\nthe process that started the local stack is gone: stopping it");
    onSignal("SIGTERM");
  });

  try {
    ddb = await startDynamoDbLocal({ port: settings.dynamoPort });
    dev = await start(settings, ddb.endpoint);
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  const openApi = await servesOpenApi(dev.stack.apiUrl);
  console.log(
    formatBanner({
      dev,
      dynamoEndpoint: ddb.endpoint,
      realIamportUrl: settings.real?.apiUrl ?? null,
      startedInMs: Date.now() - started,
      openApi,
    }),
  );
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
