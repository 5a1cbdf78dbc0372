/**
 * Reads the functions and their events from serverless.yml, so the local
 * stack serves exactly the routes and schedules that deploy (no second list
 * to drift).
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** An httpApi event: `{ method, path }`, or `httpApi: '*'` (method and path `*`), API Gateway's `$default` route. */
export interface HttpRoute {
  method: string;
  path: string;
}

/** The route `httpApi: '*'` declares: whatever no other route matches. */
export const DEFAULT_ROUTE: HttpRoute = { method: "*", path: "*" };

export function isDefaultRoute(route: HttpRoute): boolean {
  return route.method === DEFAULT_ROUTE.method && route.path === DEFAULT_ROUTE.path;
}

/** The route's key as API Gateway names it (the template's RouteKey): `POST /orders`, or `$default`. */
export function routeKey(route: HttpRoute): string {
  return isDefaultRoute(route) ? "$default" : `${route.method} ${route.path}`;
}

export interface FunctionSpec {
  name: string;
  /** Path of the handler module relative to the repo root, e.g. `functions/create-order.ts`. */
  file: string;
  exportName: string;
  /** Its httpApi events; {@link DEFAULT_ROUTE} for `httpApi: '*'`. */
  routes: HttpRoute[];
  schedules: Array<{ rate: string }>;
  /** SQS event sources, by the queue's logical id in `resources`. */
  queues: QueueSubscription[];
}

export interface QueueSubscription {
  /** Logical id of the AWS::SQS::Queue resource the event's arn points at. */
  queue: string;
  batchSize: number;
  /** `functionResponseType: ReportBatchItemFailures`. */
  reportBatchItemFailures: boolean;
  /** Batches in flight at once (the event source mapping's `maximumConcurrency`). */
  maximumConcurrency: number;
}

/** An AWS::SQS::Queue from `resources`, as the local stand-in needs it. */
export interface QueueSpec {
  /** The logical id (also the local queue's name). */
  name: string;
  visibilityTimeoutSeconds: number;
  redrive?: { deadLetterQueue: string; maxReceiveCount: number };
}

type Ref = { Ref?: string; "Fn::GetAtt"?: [string, string] };

interface RawFunction {
  handler: string;
  events?: Array<{
    httpApi?: "*" | { method: string; path: string };
    schedule?: string | { rate: string | string[] };
    sqs?: {
      arn: Ref;
      batchSize?: number;
      functionResponseType?: string;
      maximumConcurrency?: number;
    };
  }>;
}

interface RawDocument {
  provider?: { environment?: Record<string, unknown> };
  custom?: { queues?: Record<string, string> };
  functions: Record<string, RawFunction>;
  resources?: {
    Resources?: Record<
      string,
      {
        Type: string;
        Properties?: {
          VisibilityTimeout?: number | string;
          RedrivePolicy?: { deadLetterTargetArn?: unknown; maxReceiveCount?: number | string };
        };
      }
    >;
  };
}

function readDocument(file: string): RawDocument {
  // Unknown CloudFormation tags (!Ref...) are not used in serverless.yml; plain parsing is enough.
  return parse(readFileSync(file, "utf8")) as RawDocument;
}

/** The logical id a `{ "Fn::GetAtt": [Id, Arn] }` (or `{ Ref: Id }`) names. */
function logicalId(ref: unknown): string | undefined {
  const value = ref as Ref | undefined;
  return value?.["Fn::GetAtt"]?.[0] ?? value?.Ref;
}

/** The SQS queues in `resources`, with their visibility timeout and redrive policy. */
export function readServerlessQueues(file = resolve(repoRoot, "serverless.yml")): QueueSpec[] {
  const resources = readDocument(file).resources?.Resources ?? {};
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === "AWS::SQS::Queue")
    .map(([name, resource]) => {
      const props = resource.Properties ?? {};
      const dlq = logicalId(props.RedrivePolicy?.deadLetterTargetArn);
      return {
        name,
        // SQS's own default when the template does not say.
        visibilityTimeoutSeconds: Number(props.VisibilityTimeout ?? 30),
        ...(dlq
          ? {
              redrive: {
                deadLetterQueue: dlq,
                maxReceiveCount: Number(props.RedrivePolicy?.maxReceiveCount),
              },
            }
          : {}),
      };
    });
}

/**
 * Variables that hold a queue's URL, e.g. CHARGE_QUEUE_URL → ChargeQueue: `custom.queues`, which
 * infra/function-roles.cjs gives (as `{ Ref: <queue> }`) to the functions allowed to send to it.
 */
export function readQueueEnvironment(file = resolve(repoRoot, "serverless.yml")): Record<string, string> {
  const queues = new Set(readServerlessQueues(file).map((q) => q.name));
  const out: Record<string, string> = {};
  for (const [name, queue] of Object.entries(readDocument(file).custom?.queues ?? {})) {
    if (queues.has(queue)) out[name] = queue;
  }
  return out;
}

export function readServerlessFunctions(file = resolve(repoRoot, "serverless.yml")): FunctionSpec[] {
  const doc = readDocument(file);
  return Object.entries(doc.functions).map(([name, fn]) => {
    const dot = fn.handler.lastIndexOf(".");
    const routes: FunctionSpec["routes"] = [];
    const schedules: FunctionSpec["schedules"] = [];
    const queues: FunctionSpec["queues"] = [];
    for (const event of fn.events ?? []) {
      if (event.httpApi === "*") routes.push({ ...DEFAULT_ROUTE });
      else if (event.httpApi)
        routes.push({ method: event.httpApi.method.toUpperCase(), path: event.httpApi.path });
      if (event.schedule) {
        const rate = typeof event.schedule === "string" ? event.schedule : event.schedule.rate;
        for (const r of Array.isArray(rate) ? rate : [rate]) schedules.push({ rate: r });
      }
      const queue = event.sqs ? logicalId(event.sqs.arn) : undefined;
      if (event.sqs && queue) {
        queues.push({
          queue,
          // Lambda's defaults for an SQS event source.
          batchSize: event.sqs.batchSize ?? 10,
          reportBatchItemFailures: event.sqs.functionResponseType === "ReportBatchItemFailures",
          maximumConcurrency: event.sqs.maximumConcurrency ?? 2,
        });
      }
    }
    return {
      name,
      file: `${fn.handler.slice(0, dot)}.ts`,
      exportName: fn.handler.slice(dot + 1),
      routes,
      schedules,
      queues,
    };
  });
}

/** `rate(5 minutes)` → milliseconds; cron expressions are not run locally (use the on-demand trigger). */
export function rateToMs(rate: string): number | null {
  const match = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(rate.trim());
  if (!match) return null;
  const unit = match[2]?.startsWith("minute")
    ? 60_000
    : match[2]?.startsWith("hour")
      ? 3_600_000
      : 86_400_000;
  return Number(match[1]) * unit;
}
