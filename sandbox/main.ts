/**
 * Runs the sandbox standalone: `npm run sandbox` (or `tsx sandbox/main.ts`).
 * Env: SANDBOX_PORT (7701), SANDBOX_WEBHOOK_URL, SANDBOX_WEBHOOK_FORMAT (json|form),
 * SANDBOX_IMP_KEY, SANDBOX_IMP_SECRET, SANDBOX_MERCHANT_CODE, SANDBOX_KICC_MID,
 * SANDBOX_BILLING_MID, SANDBOX_TEST_CHANNEL (true|false), SANDBOX_WEBHOOK_RETRIES,
 * SANDBOX_SCHEDULE_INTERVAL_MS (1000; 0 = schedules run only when the clock is moved),
 * SANDBOX_MODES (`name=value,...`, README "Behaviour modes").
 */
import { parseModes, type SandboxOptions, SandboxPortInUseError, startSandbox } from "./index.js";

function envOptions(env: NodeJS.ProcessEnv): SandboxOptions {
  const port = Number(env.SANDBOX_PORT ?? 7701);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`SANDBOX_PORT must be a port number`);
  const format = env.SANDBOX_WEBHOOK_FORMAT ?? "json";
  if (format !== "json" && format !== "form") throw new Error("SANDBOX_WEBHOOK_FORMAT must be json or form");
  return {
    port,
    impKey: env.SANDBOX_IMP_KEY,
    impSecret: env.SANDBOX_IMP_SECRET,
    merchantCode: env.SANDBOX_MERCHANT_CODE,
    kiccMid: env.SANDBOX_KICC_MID,
    billingMid: env.SANDBOX_BILLING_MID,
    webhookUrl: env.SANDBOX_WEBHOOK_URL || undefined,
    webhookFormat: format,
    testChannel: env.SANDBOX_TEST_CHANNEL === "true",
    webhookRetries: env.SANDBOX_WEBHOOK_RETRIES ? Number(env.SANDBOX_WEBHOOK_RETRIES) : undefined,
    scheduleIntervalMs: env.SANDBOX_SCHEDULE_INTERVAL_MS
      ? Number(env.SANDBOX_SCHEDULE_INTERVAL_MS)
      : undefined,
    modes: parseModes(env.SANDBOX_MODES),
  };
}

try {
  const sandbox = await startSandbox(envOptions(process.env));
  console.log(`iamport sandbox listening on ${sandbox.url}`);
  console.log(`  SDK:     <script src="${sandbox.url}/v1/iamport.js"></script>`);
  console.log(`  control: ${sandbox.url}/__sandbox/info`);
  const stop = () => {
    console.log("stopping iamport sandbox");
    void sandbox.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
} catch (err) {
  if (err instanceof SandboxPortInUseError) {
    console.error(`${err.message} (set SANDBOX_PORT to use another port)`);
  } else {
    console.error("iamport sandbox failed to start:", err instanceof Error ? err.message : err);
  }
  process.exit(1);
}
