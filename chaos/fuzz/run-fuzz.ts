/**
 * Fuzzes every public and merchant route, and the `$default` route (any
 * method on any path, routed or not), through its real handler (API
 * Gateway v2 events, as AWS builds them) against the local stack: random and
 * mutated bodies, query strings, path parameters, headers, content types and
 * encodings (invalid UTF-8, lone surrogates), numbers at the edges, deep
 * nesting, 100 KB strings, unknown and duplicated keys. Every answer must be a
 * 4xx with a JSON error (naming the field when the input is invalid) or a
 * valid success; never a 5xx, never a write for a refused request, never an
 * alert line or an iamport call for input the caller controls.
 */
import { randomUUID } from "node:crypto";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { LoadedFunction } from "../../local/load-functions.js";
import { routeKey } from "../../local/serverless-routes.js";
import type { Stack } from "../../local/stack.js";
import { createRng, type Rng } from "../rng.js";

export interface FuzzResult {
  cases: number;
  seed: number;
  seconds: number;
  /** Route → status → count. */
  histogram: Record<string, Record<string, number>>;
  violations: Array<{ route: string; problem: string; request: string }>;
}

interface Seed {
  body?: Record<string, unknown>;
  query?: Record<string, string>;
  path?: Record<string, string>;
  headers?: Record<string, string>;
}

/** A valid request per route, to mutate from (so some cases get deep into the handler). */
function seeds(known: { merchantUid: string; subscriptionId: string }): Record<string, Seed> {
  const order = {
    name: "Blue mug",
    amount: 12_000,
    pay_method: "card",
    buyer_name: "홍길동",
    buyer_email: "buyer@example.com",
    buyer_tel: "010-1234-5678",
  };
  const ids = { imp_uid: "imp_123456789012", merchant_uid: known.merchantUid };
  return {
    "POST /orders": { body: order, headers: { "idempotency-key": "k1" } },
    "GET /orders/{merchant_uid}": { path: { merchant_uid: known.merchantUid } },
    "GET /orders/{merchant_uid}/status": { path: { merchant_uid: known.merchantUid } },
    "POST /payments/complete": { body: ids },
    "GET /payments/complete/mobile": { query: ids },
    "POST /webhooks/iamport": { body: { ...ids, status: "paid" } },
    "POST /orders/{merchant_uid}/refunds": {
      path: { merchant_uid: known.merchantUid },
      body: { amount: 1_000, reason: "fuzz" },
      headers: { "idempotency-key": "r1" },
    },
    "POST /billing-keys": { body: { buyer_name: "홍길동", buyer_tel: "010-1234-5678" } },
    "POST /subscriptions": {
      body: { customer_uid: "cu_fuzz", plan: { name: "Pro", amount: 9_900, interval: "month" } },
      headers: { "idempotency-key": "s1" },
    },
    "GET /subscriptions/{id}": { path: { id: known.subscriptionId } },
    "POST /subscriptions/{id}/cancel": { path: { id: known.subscriptionId }, body: { at: "period_end" } },
    "POST /subscriptions/{id}/pause": { path: { id: known.subscriptionId } },
    "POST /subscriptions/{id}/resume": { path: { id: known.subscriptionId } },
    "POST /subscriptions/{id}/plan": {
      path: { id: known.subscriptionId },
      body: { name: "Pro+", amount: 12_900, effective: "next_cycle" },
      headers: { "idempotency-key": "p1" },
    },
    "POST /subscriptions/{id}/card": {
      path: { id: known.subscriptionId },
      body: { customer_uid: "cu_other" },
    },
    // Whatever no route matches (see unmatchedTarget): the parameters of any routed path it mutates.
    $default: { path: { merchant_uid: known.merchantUid, id: known.subscriptionId }, body: { x: 1 } },
  };
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"];

/**
 * A request for the `$default` route: a routed path with any method (mostly one it lacks), the path
 * lengthened or cut, or one nothing routes. As `METHOD /path-template`, like a route key.
 */
function unmatchedTarget(rng: Rng, routes: string[]): string {
  const routed = routes.filter((route) => route !== "$default");
  const path = rng.pick(routed).split(" ")[1] ?? "/";
  const parent = path.slice(0, path.lastIndexOf("/")) || "/";
  const paths = [path, path, `${path}/`, `${path}/x`, parent, "/", "/nothing", `/${"x".repeat(5000)}`];
  return `${rng.pick(METHODS)} ${rng.pick(paths)}`;
}

/** A CORS preflight (OPTIONS) of a browser-called route: the path's own seed with an origin and a method asked for. */
function preflight(route: string, all: Record<string, Seed>, origin: string): Seed | undefined {
  if (!route.startsWith("OPTIONS ")) return undefined;
  const path = route.slice("OPTIONS ".length);
  const sibling = Object.entries(all).find(([r]) => r.endsWith(` ${path}`))?.[1];
  return {
    ...(sibling?.path ? { path: sibling.path } : {}),
    headers: { origin, "access-control-request-method": "POST" },
  };
}

const EDGE_VALUES: unknown[] = [
  1e308,
  -0,
  1e-300,
  2 ** 53 + 1,
  -1,
  0,
  0.5,
  Number.MAX_SAFE_INTEGER,
  "",
  " ",
  "\uD800",
  "\uDFFF\uD800",
  "é\u0000x",
  "%E0%A4%A",
  "x".repeat(100_000),
  "０１２",
  null,
  true,
  [],
  {},
  [1, "a", null],
  { nested: { deeper: [{}] } },
];

function edge(rng: Rng): unknown {
  if (rng.chance(0.1)) return nest(rng.int(3000));
  return rng.pick(EDGE_VALUES);
}

function nest(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** A raw body text: a mutated seed, random JSON, or not JSON at all. */
function bodyText(rng: Rng, seed: Record<string, unknown> | undefined): { text: string; base64: boolean } {
  const roll = rng.next();
  if (roll < 0.05)
    return { text: Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x80]).toString("base64"), base64: true };
  if (roll < 0.1)
    return {
      text: rng.pick(["{", "[]", "null", "1e999", '"x"', '{"a":', "\u0000", "abc=def&x"]),
      base64: false,
    };
  if (roll < 0.15) return { text: "", base64: false };
  const body: Record<string, unknown> = { ...(seed ?? {}) };
  const keys = Object.keys(body);
  const mutations = 1 + rng.int(3);
  for (let i = 0; i < mutations; i++) {
    const m = rng.int(5);
    const key = keys.length ? rng.pick(keys) : "x";
    if (m === 0) delete body[key];
    else if (m === 1) body[key] = edge(rng);
    else if (m === 2) body[`unknown_${rng.int(9)}`] = edge(rng);
    else if (m === 3 && typeof body[key] === "object" && body[key] !== null) {
      const inner = { ...(body[key] as Record<string, unknown>) };
      const innerKeys = Object.keys(inner);
      if (innerKeys.length) inner[rng.pick(innerKeys)] = edge(rng);
      body[key] = inner;
    }
  }
  let text = JSON.stringify(body) ?? "null";
  if (rng.chance(0.1) && keys.length) {
    // A duplicated key: JSON.parse keeps the last, as API Gateway passes it through.
    const key = rng.pick(keys);
    text = `{${JSON.stringify(key)}:${JSON.stringify(edge(rng)) ?? "1"},${text.slice(1)}`;
  }
  if (rng.chance(0.05)) return { text: Buffer.from(text, "utf8").toString("base64"), base64: true };
  return { text, base64: false };
}

function pathValue(rng: Rng, seed: string): string {
  return rng.pick([
    seed,
    `${seed}x`,
    "",
    "../../etc",
    "\uD800",
    "x".repeat(10_000),
    "sub_ABCDEFGHIJKLMNOP",
    "sub_ABCDEFGHIJKLMNOP_1_1",
    "ord_ZZZZZZZZZZZZZZZZZZZZZZZZZZ",
    "%",
    "é",
    "a b",
    String(rng.next()),
  ]);
}

function buildCase(rng: Rng, route: string, seed: Seed, apiKey: string): APIGatewayProxyEventV2 {
  const [method, path] = route.split(" ") as [string, string];
  const headers: Record<string, string> = { ...(seed.headers ?? {}) };
  if (rng.chance(0.9))
    headers["x-api-key"] = rng.chance(0.9) ? apiKey : rng.pick(["", "nope", "x".repeat(5000)]);
  headers["content-type"] = rng.pick([
    "application/json",
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "",
  ]);
  if (headers.origin !== undefined && rng.chance(0.3))
    headers.origin = rng.pick(["https://evil.example", "", "null", "x".repeat(3000)]);
  if (rng.chance(0.2) && headers["idempotency-key"] !== undefined)
    headers["idempotency-key"] = String(edge(rng)).slice(0, 500);
  const pathParameters: Record<string, string> = {};
  for (const [name, value] of Object.entries(seed.path ?? {})) pathParameters[name] = pathValue(rng, value);
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(seed.query ?? {}))
    if (!rng.chance(0.2)) query[name] = rng.chance(0.5) ? value : String(edge(rng)).slice(0, 2000);
  if (rng.chance(0.2)) query[`q${rng.int(5)}`] = String(edge(rng)).slice(0, 2000);
  const body = method === "GET" ? undefined : bodyText(rng, seed.body);
  const rawPath = path.replace(/\{(\w+)\}/g, (_, name: string) => safeEncode(pathParameters[name] ?? ""));
  const rawQueryString = new URLSearchParams(query).toString();
  return {
    version: "2.0",
    routeKey: route,
    rawPath,
    rawQueryString,
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(seed.path ? { pathParameters } : {}),
    requestContext: {
      accountId: "000000000000",
      apiId: "fuzz",
      domainName: "127.0.0.1",
      domainPrefix: "fuzz",
      http: { method, path: rawPath, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "fuzz" },
      requestId: randomUUID(),
      routeKey: route,
      stage: "$default",
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(body?.text ? { body: body.text } : {}),
    isBase64Encoded: Boolean(body?.base64),
  };
}

/** Runs `casesPerRoute` cases against each HTTP route of the stack. */
export async function runFuzz(
  stack: Stack,
  options: {
    casesPerRoute: number;
    seed: number;
    known: { merchantUid: string; subscriptionId: string };
    /** Writes that took effect on the stack's table so far (see chaos/dynamo-recorder.ts). */
    writes: () => number;
  },
): Promise<FuzzResult> {
  const started = Date.now();
  const rng = createRng(options.seed);
  const result: FuzzResult = { cases: 0, seed: options.seed, seconds: 0, histogram: {}, violations: [] };
  const routes = new Map<string, LoadedFunction>();
  for (const fn of stack.functions) for (const r of fn.routes) routes.set(routeKey(r), fn);
  const all = seeds(options.known);
  const alerts = captureAlertLines();
  try {
    for (const [route, fn] of routes) {
      const seed = all[route] ?? preflight(route, all, stack.env.RESULT_ORIGINS?.split(",")[0] ?? "");
      if (!seed) {
        result.violations.push({ route, problem: "no fuzz seed for this route", request: "" });
        continue;
      }
      const histogram: Record<string, number> = {};
      result.histogram[route] = histogram;
      const routeRng = rng.fork(route);
      for (let i = 0; i < options.casesPerRoute; i++) {
        const event =
          route === "$default"
            ? asDefaultRoute(
                buildCase(routeRng, unmatchedTarget(routeRng, [...routes.keys()]), seed, stack.apiKey),
              )
            : buildCase(routeRng, route, seed, stack.apiKey);
        const writesBefore = options.writes();
        const callsBefore = stack.sandbox?.control.restRequests() ?? 0;
        const alertsBefore = alerts.count();
        let status = 0;
        let parsed: unknown;
        try {
          const response = (await fn.handler(event, lambdaContext())) as {
            statusCode: number;
            body?: string;
          };
          status = response.statusCode;
          parsed = response.body ? safeJson(response.body) : undefined;
        } catch (error) {
          status = 599; // thrown out of the handler: Lambda would answer 502
          parsed = String(error);
        }
        result.cases++;
        histogram[String(status)] = (histogram[String(status)] ?? 0) + 1;
        const problem = judge(status, parsed, {
          wrote: options.writes() !== writesBefore,
          calledIamport: (stack.sandbox?.control.restRequests() ?? 0) !== callsBefore,
          alerted: alerts.count() !== alertsBefore,
        });
        if (problem) result.violations.push({ route, problem, request: describe(event) });
        // An accepted request may start work that writes later (a queued charge, a webhook and its
        // read); let it finish so it is not counted against the next case.
        if (status < 400) await settleBackground(stack);
      }
    }
  } finally {
    alerts.restore();
  }
  result.seconds = Math.round((Date.now() - started) / 100) / 10;
  return result;
}

/** API Gateway's event for the `$default` route: its route key, and no path parameters. */
function asDefaultRoute(event: APIGatewayProxyEventV2): APIGatewayProxyEventV2 {
  const { pathParameters: _, ...rest } = event;
  return { ...rest, routeKey: "$default", requestContext: { ...rest.requestContext, routeKey: "$default" } };
}

async function settleBackground(stack: Stack): Promise<void> {
  await stack.sqs.idle();
  await stack.sandbox?.control.flushWebhooks();
  await stack.sqs.idle();
}

function judge(
  status: number,
  body: unknown,
  effects: { wrote: boolean; calledIamport: boolean; alerted: boolean },
): string | null {
  if (status >= 500) return `answered ${status}: ${JSON.stringify(body)?.slice(0, 300)}`;
  if (effects.alerted) return `logged an alert for a caller's input (status ${status})`;
  if (status >= 400) {
    const error = body as
      | { error?: unknown; message?: unknown; issues?: Array<{ field?: unknown }> }
      | undefined;
    if (typeof error?.error !== "string" || typeof error.message !== "string")
      return `a ${status} without a JSON error: ${JSON.stringify(body)?.slice(0, 200)}`;
    if (status === 400 && !(error.issues ?? []).every((i) => typeof i.field === "string" && i.field !== ""))
      return "a 400 whose issues do not name a field";
    if (effects.wrote) return `a refused request (${status}) wrote to the table`;
    // A well-formed request may need iamport to say "no such payment"; a malformed one never reaches it.
    const lookedUp = (error.issues ?? []).some((i) =>
      /^(iamport|payment refused)/.test(String((i as { reason?: unknown }).reason)),
    );
    if (effects.calledIamport && status === 400 && !lookedUp)
      return "an invalid request (400) called iamport";
  }
  return null;
}

/** A lone surrogate cannot be percent-encoded; API Gateway would have refused the path before the handler. */
function safeEncode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return "%EF%BF%BD";
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function describe(event: APIGatewayProxyEventV2): string {
  return JSON.stringify({
    path: event.rawPath,
    query: event.rawQueryString,
    headers: event.headers,
    body: event.body,
  }).slice(0, 600);
}

function lambdaContext() {
  return {
    awsRequestId: randomUUID(),
    functionName: "fuzz",
    getRemainingTimeInMillis: () => 15_000,
  };
}

/** Counts the JSON log lines with an `alert` field written while fuzzing (the handlers log to stdout). */
function captureAlertLines() {
  const original = process.stdout.write.bind(process.stdout);
  let alerts = 0;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = String(chunk);
    for (const line of text.split("\n")) if (line.startsWith("{") && line.includes('"alert"')) alerts++;
    return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  return {
    count: () => alerts,
    restore: () => {
      process.stdout.write = original;
    },
  };
}
