/**
 * The whole system on one machine: the API Gateway stand-in serving the real
 * handlers from serverless.yml, the SQS stand-in delivering to the real queue
 * consumers, the iamport sandbox and a DynamoDB Local table. `npm start` and
 * the integration/e2e tests both use this, so what the tests exercise is what
 * a developer runs.
 */
import { randomUUID } from "node:crypto";
import { type Sandbox, type SandboxOptions, startSandbox } from "../sandbox/index.js";
import { type ApiServer, type Fallback, startApiServer } from "./api-gateway.js";
import { createTable } from "./dynamodb/create-table.js";
import { createLocalEventBus, type LocalEventBus } from "./event-bus.js";
import { httpRoutes, type LoadedFunction, loadFunctions } from "./load-functions.js";
import { buildOpenApi } from "./openapi.js";
import { publisherStreamSettings } from "./publisher-settings.js";
import { readQueueEnvironment, readServerlessQueues } from "./serverless-routes.js";
import { type LocalSqs, startLocalSqs } from "./sqs.js";
import { type StreamSource, startStreamSource } from "./stream-event-source.js";

export interface StackOptions {
  dynamoEndpoint: string;
  tableName?: string;
  apiPort?: number;
  sandboxPort?: number;
  sandbox?: SandboxOptions;
  /** Overrides of the functions' environment (e.g. IAMPORT_MODE=live). */
  env?: Record<string, string>;
  /** Real iamport instead of the sandbox (credentials in env); the sandbox is not started. */
  realIamport?: { apiUrl: string; impKey: string; impSecret: string };
  fallback?: Fallback;
  onError?: (error: unknown) => void;
  /**
   * The SQS stand-in's visibility timeout for every queue (ms), instead of
   * serverless.yml's (minutes on AWS): a retried message comes back quickly.
   */
  sqsVisibilityTimeoutMs?: number;
}

export interface Stack {
  apiUrl: string;
  sandbox: Sandbox | null;
  /** The SQS stand-in (queues from serverless.yml, delivering to their consumers). */
  sqs: LocalSqs;
  tableName: string;
  /** The stage's event bus, in memory: what the publisher put (also at `GET /__local/events`). */
  events: LocalEventBus;
  /** The table's stream feeding the publisher (stop it to leave events unpublished for a while). */
  stream: StreamSource;
  apiKey: string;
  functions: LoadedFunction[];
  env: Record<string, string>;
  close(): Promise<void>;
}

/** The merchant API key of the local stack and tests (never a deployed one). */
export const LOCAL_API_KEY = "local-dev-key";

export async function startStack(options: StackOptions): Promise<Stack> {
  const tableName = options.tableName ?? `payments-${randomUUID().slice(0, 8)}`;
  await createTable(options.dynamoEndpoint, tableName);
  const functions = await loadFunctions();
  const events = createLocalEventBus();
  // The API listens first: the sandbox needs its webhook URL, and handlers read config lazily.
  const api: ApiServer = await startApiServer({
    routes: httpRoutes(functions),
    ...(options.apiPort !== undefined ? { port: options.apiPort } : {}),
    fallback: async (req, res, body) => {
      // The API's own OpenAPI document, generated from the handlers' zod schemas.
      if (req.method === "GET" && req.url === "/openapi.json") {
        const host = `http://${req.headers.host ?? "127.0.0.1"}`;
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify(buildOpenApi(host), null, 2));
        return true;
      }
      if (events.handle(req, res, body)) return true;
      return options.fallback ? options.fallback(req, res, body) : false;
    },
    ...(options.onError ? { onError: options.onError } : {}),
  });
  let sandbox: Sandbox | null = null;
  let sqs: LocalSqs;
  let billingMid: string | undefined;
  try {
    if (!options.realIamport) {
      sandbox = await startSandbox({
        webhookUrl: `${api.url}/webhooks/iamport`,
        ...(options.sandboxPort !== undefined ? { port: options.sandboxPort } : {}),
        ...options.sandbox,
      });
      // The sandbox's billing channel (`pg: "kicc.<MID>"`), read over HTTP like everything else from it.
      const info = (await (await fetch(`${sandbox.url}/__sandbox/info`)).json()) as { billingMid?: string };
      billingMid = info.billingMid;
    }
    sqs = await startLocalSqs({
      queues: readServerlessQueues().map((queue) => ({
        name: queue.name,
        visibilityTimeoutMs: options.sqsVisibilityTimeoutMs ?? queue.visibilityTimeoutSeconds * 1000,
        ...(queue.redrive ? { redrive: queue.redrive } : {}),
      })),
      consumers: functions.flatMap((fn) =>
        fn.queues.map((subscription) => ({ ...subscription, functionName: fn.name, handler: fn.handler })),
      ),
      ...(options.onError ? { onError: options.onError } : {}),
    });
  } catch (error) {
    await Promise.all([api.close(), sandbox?.close()]);
    throw error;
  }
  const queueUrls = Object.fromEntries(
    Object.entries(readQueueEnvironment()).map(([name, queue]) => [name, sqs.queueUrl(queue)]),
  );
  const env: Record<string, string> = {
    STAGE: "local",
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: options.dynamoEndpoint,
    AWS_REGION: "ap-northeast-2",
    IAMPORT_API_URL: options.realIamport?.apiUrl ?? sandbox?.url ?? "",
    IAMPORT_MODE: options.realIamport ? "test" : "test",
    SECRETS_SOURCE: "env",
    IAMPORT_IMP_KEY: options.realIamport?.impKey ?? "sandbox_key",
    IAMPORT_IMP_SECRET: options.realIamport?.impSecret ?? "sandbox_secret",
    MERCHANT_API_KEYS: LOCAL_API_KEY,
    PUBLIC_API_URL: api.url,
    SEND_NOTICE_URL: "true",
    RESULT_ORIGINS: api.url,
    DEFAULT_RESULT_URL: `${api.url}/shop/result.html`,
    IAMPORT_TIMEOUT_MS: "2000",
    LOG_LEVEL: "warn",
    SQS_ENDPOINT: sqs.url,
    EVENT_BUS_NAME: "local",
    EVENTBRIDGE_ENDPOINT: `${api.url}/__local/eventbridge/`,
    ...queueUrls,
    ...(billingMid ? { KICC_BILLING_MID: billingMid } : {}),
    ...options.env,
  };
  // Handlers parse config from process.env on first use (lib/config.ts); set it before any request.
  Object.assign(process.env, env);
  // The publisher reads the table's stream itself (not through a recording proxy the tests count with).
  const publisher = functions.find((fn) => fn.name === "publishEvents");
  if (!publisher) throw new Error("serverless.yml has no publishEvents function");
  const stream = startStreamSource({
    dynamoEndpoint: options.dynamoEndpoint,
    tableName,
    functionName: publisher.name,
    handler: publisher.handler,
    ...publisherStreamSettings(),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  return {
    apiUrl: api.url,
    sandbox,
    sqs,
    tableName,
    events,
    stream,
    apiKey: LOCAL_API_KEY,
    functions,
    env,
    async close() {
      // Deliveries in flight finish first: they may still call the API's neighbours (sandbox, table).
      await Promise.all([sqs.close(), stream.close()]);
      await Promise.all([api.close(), sandbox?.close()]);
    },
  };
}
