/**
 * A corpus of malformed requests sent byte for byte to each stand-in of the
 * local stack, running as `npm start` runs it in a child process: the API
 * Gateway stand-in (routes, the storefront's static files, `/__local/*`,
 * `/openapi.json`), the SQS stand-in, and the iamport sandbox that shares
 * their process. After every request the process must still be alive and
 * still answer; where the request is the caller's fault, the answer (if the
 * connection allows one) is a 4xx, never a 5xx.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type RawAnswer, rawRequest, type StackProcess, startStackProcess } from "./support/stack-process.js";

const API_KEY = "local-dev-key";
const QUEUE = "ChargeQueue";

let stack: StackProcess;
beforeAll(async () => {
  stack = await startStackProcess();
}, 120_000);
afterAll(() => stack?.killAll());

/** A raw HTTP/1.1 request; `Connection: close` unless the headers say otherwise, so the answer ends. */
function http(
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body: Buffer | string = "",
): Buffer {
  const lines = [`${method} ${target} HTTP/1.1`, "Host: 127.0.0.1"];
  const all = { connection: "close", ...headers };
  for (const [name, value] of Object.entries(all)) lines.push(`${name}: ${value}`);
  if (body.length && !Object.keys(all).some((h) => /^(content-length|transfer-encoding)$/i.test(h)))
    lines.push(`content-length: ${Buffer.byteLength(body)}`);
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), Buffer.from(body)]);
}

const json = { "content-type": "application/json" };
const keyed = { ...json, "x-api-key": API_KEY };
const sqsHeaders = (operation: string) => ({
  "content-type": "application/x-amz-json-1.0",
  "x-amz-target": `AmazonSQS.${operation}`,
});
const invalidUtf8 = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]);
/** A lone surrogate as UTF-8 would write it if it could (CESU-style bytes), not valid UTF-8. */
const surrogateBytes = Buffer.concat([
  Buffer.from('{"merchant_uid":"'),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from('"}'),
]);
const hugeHeader = { "x-huge": "a".repeat(70_000) };
const manyHeaders = Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`x-h${i}`, "0123456789"]));
/** A chunked body just over the API's 1 MB limit (a 1.1 MB chunk, then the end). */
const overLimitChunked = (target: string, headers: Record<string, string>) => {
  const chunk = Buffer.alloc(1_100_000, 0x61);
  return Buffer.concat([
    http("POST", target, { ...headers, "transfer-encoding": "chunked" }),
    Buffer.from(`${chunk.length.toString(16)}\r\n`),
    chunk,
    Buffer.from("\r\n0\r\n\r\n"),
  ]);
};

interface Case {
  name: string;
  bytes: Buffer;
  /** `end`: the client stops sending mid-body; `destroy`: it resets the connection. */
  hangUp?: "end" | "destroy";
  /** An exact status the answer must have (API Gateway's own answers). */
  status?: number;
  /** The body must contain this. */
  contains?: string;
  /** Caller's fault, but the connection may carry no answer at all (a cut body). */
  answerOptional?: boolean;
  /** Odd but acceptable: any answer below 500 will do. */
  acceptable?: boolean;
}

/** Requests that are the caller's fault, for every HTTP server here. */
const commonCases = (target: string, headers: Record<string, string>): Case[] => [
  { name: "a 70 KB header", bytes: http("GET", target, hugeHeader), status: 431 },
  { name: "2,000 headers", bytes: http("GET", target, manyHeaders), status: 431 },
  {
    name: "an absurd content-length",
    bytes: http("POST", target, { ...headers, "content-length": "99999999999999999999999" }),
  },
  {
    name: "a negative content-length",
    bytes: http("POST", target, { ...headers, "content-length": "-1" }, "{}"),
  },
  {
    name: "two different content-lengths",
    bytes: Buffer.from(
      `POST ${target} HTTP/1.1\r\nHost: x\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\n{}`,
    ),
  },
  {
    name: "content-length beside transfer-encoding",
    bytes: http(
      "POST",
      target,
      { ...headers, "content-length": "5", "transfer-encoding": "chunked" },
      "0\r\n\r\n",
    ),
  },
  {
    name: "a broken chunk size",
    bytes: http("POST", target, { ...headers, "transfer-encoding": "chunked" }, "zz\r\n{}\r\n0\r\n\r\n"),
  },
  { name: "an unknown method", bytes: http("BREW", target, headers) },
  {
    name: "not HTTP at all",
    bytes: Buffer.from("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n", "latin1"),
  },
  { name: "a request line with no version", bytes: Buffer.from(`GET ${target}\r\n\r\n`) },
  {
    name: "a control character in the target",
    bytes: Buffer.from(`GET /a\x01b HTTP/1.1\r\nHost: x\r\n\r\n`, "latin1"),
  },
  {
    name: "raw non-ASCII bytes in the target",
    bytes: Buffer.concat([
      Buffer.from("GET /shop/"),
      Buffer.from([0xed, 0xa0, 0x80, 0xff]),
      Buffer.from(" HTTP/1.1\r\nHost: x\r\nconnection: close\r\n\r\n"),
    ]),
  },
  {
    name: "a body cut short (the client stops sending)",
    bytes: http("POST", target, { ...headers, "content-length": "100" }, '{"a":'),
    hangUp: "end",
    answerOptional: true,
  },
  {
    name: "a body cut short (the client resets the connection)",
    bytes: http("POST", target, { ...headers, "content-length": "100" }, '{"a":'),
    hangUp: "destroy",
    answerOptional: true,
  },
  {
    name: "a chunked body cut short",
    bytes: http("POST", target, { ...headers, "transfer-encoding": "chunked" }, '10\r\n{"a":'),
    hangUp: "end",
    answerOptional: true,
  },
  {
    name: "headers cut short",
    bytes: Buffer.from(`GET ${target} HTTP/1.1\r\nHost: x\r\nx-a`),
    hangUp: "end",
    answerOptional: true,
  },
];

const apiCases: Case[] = [
  ...["%C3%28", "%", "%FF%FE", "%E0%A4%A", "%ED%A0%80", "%ZZ", "%C0%AF"].map(
    (bad): Case => ({
      name: `GET /orders/${bad}/status (bad percent-encoding, no API key)`,
      bytes: http("GET", `/orders/${bad}/status`),
      status: 400,
      contains: '{"message":"Bad Request"}',
    }),
  ),
  {
    name: "bad percent-encoding with a body",
    bytes: http("POST", "/orders/%C3%28/refunds", keyed, '{"amount":1}'),
    status: 400,
    contains: '{"message":"Bad Request"}',
  },
  { name: "bad percent-encoding under /shop/", bytes: http("GET", "/shop/%E0%A4%A"), status: 400 },
  {
    name: "bad percent-encoding under /__local/",
    bytes: http("POST", "/__local/run/%FF", json, "{}"),
    status: 400,
  },
  { name: "a malformed path with a valid query", bytes: http("GET", "/orders/%/status?x=1"), status: 400 },
  {
    name: "a bad escape in the query only",
    bytes: http("GET", "/orders/x/status?a=%&b=%FF", { "x-api-key": API_KEY }),
  },
  { name: "the asterisk target", bytes: http("OPTIONS", "*"), status: 400 },
  {
    name: "an absolute-form target",
    bytes: http("GET", "http://127.0.0.1/shop/config.json"),
    acceptable: true,
  },
  { name: "a broken absolute-form target", bytes: http("GET", "http://[::1/orders") },
  { name: "a path starting with //", bytes: http("GET", "//[/orders/x/status") },
  { name: "dot segments out of the demo folder", bytes: http("GET", "/shop/../../package.json") },
  {
    name: "an encoded NUL in a path parameter",
    bytes: http("GET", "/orders/%00/status", { "x-api-key": API_KEY }),
  },
  {
    name: "an 8 KB path parameter",
    bytes: http("GET", `/orders/${"a".repeat(8_000)}/status`, { "x-api-key": API_KEY }),
  },
  { name: "invalid JSON to POST /orders", bytes: http("POST", "/orders", keyed, '{"amount":') },
  { name: "JSON that is not an object to POST /orders", bytes: http("POST", "/orders", keyed, "[1,2]") },
  { name: "invalid UTF-8 to POST /orders", bytes: http("POST", "/orders", keyed, invalidUtf8) },
  { name: "surrogate bytes to POST /orders", bytes: http("POST", "/orders", keyed, surrogateBytes) },
  {
    name: "an escaped lone surrogate to POST /orders",
    bytes: http("POST", "/orders", keyed, '{"merchant_uid":"\\ud800","amount":1000}'),
  },
  {
    name: "surrogate bytes in the API key header",
    bytes: Buffer.concat([
      Buffer.from("GET /orders/x/status HTTP/1.1\r\nHost: x\r\nconnection: close\r\nx-api-key: "),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from("\r\n\r\n"),
    ]),
  },
  {
    name: "a form body to POST /orders",
    bytes: http(
      "POST",
      "/orders",
      { "content-type": "application/x-www-form-urlencoded", "x-api-key": API_KEY },
      "amount=1",
    ),
  },
  {
    name: "a binary body to POST /orders",
    bytes: http(
      "POST",
      "/orders",
      { "content-type": "application/octet-stream", "x-api-key": API_KEY },
      Buffer.from([0, 1, 2, 255]),
    ),
  },
  { name: "no API key", bytes: http("GET", "/orders/x/status") },
  { name: "invalid JSON to the webhook", bytes: http("POST", "/webhooks/iamport", json, "{{{") },
  { name: "invalid UTF-8 to the webhook", bytes: http("POST", "/webhooks/iamport", json, invalidUtf8) },
  { name: "invalid JSON to the PC callback", bytes: http("POST", "/payments/complete", json, "nope") },
  {
    name: "a mobile redirect with bad query escapes",
    bytes: http("GET", "/payments/complete/mobile?imp_uid=%&merchant_uid=%FF"),
  },
  {
    name: "a wrong method on a route (DELETE /orders)",
    bytes: http("DELETE", "/orders", keyed),
    // A JSON 405 naming the route's methods in Allow (json-errors.test.ts checks the body and header).
    status: 405,
  },
  {
    name: "a wrong method on a route (PATCH)",
    bytes: http("PATCH", "/orders/x/status", keyed, "{}"),
    status: 405,
  },
  { name: "a wrong method on a page (POST /shop/)", bytes: http("POST", "/shop/", json, "{}"), status: 404 },
  { name: "a wrong method on /__local/queues", bytes: http("DELETE", "/__local/queues"), status: 404 },
  { name: "GET /__local/run/<name>", bytes: http("GET", "/__local/run/reconcile"), status: 404 },
  {
    name: "an unknown scheduled function",
    bytes: http("POST", "/__local/run/nope", json, "{}"),
    status: 404,
  },
  {
    name: "a run without JSON content-type",
    bytes: http("POST", "/__local/run/reconcile", { "content-type": "text/plain" }, "{}"),
    status: 415,
  },
  {
    name: "invalid JSON to dispatch-charges",
    bytes: http("POST", "/__local/dispatch-charges", json, "{"),
    status: 400,
  },
  {
    name: "invalid UTF-8 to dispatch-charges",
    bytes: http("POST", "/__local/dispatch-charges", json, invalidUtf8),
    status: 400,
  },
  {
    name: "an array to dispatch-charges",
    bytes: http("POST", "/__local/dispatch-charges", json, "[]"),
    status: 400,
  },
  {
    name: "null to dispatch-charges",
    bytes: http("POST", "/__local/dispatch-charges", json, "null"),
    status: 400,
  },
  {
    name: "the earliest instant a Date holds",
    bytes: http("POST", "/__local/dispatch-charges", json, '{"at":"-271821-04-20T00:00:00Z"}'),
    status: 400,
  },
  {
    name: "a huge ahead_seconds",
    bytes: http("POST", "/__local/dispatch-charges", json, '{"ahead_seconds":1e308}'),
    status: 400,
  },
  {
    name: "a lone surrogate in at",
    bytes: http("POST", "/__local/dispatch-charges", json, '{"at":"\\udfff"}'),
    status: 400,
  },
  {
    name: "dispatch-charges as a form",
    bytes: http(
      "POST",
      "/__local/dispatch-charges",
      { "content-type": "application/x-www-form-urlencoded" },
      "ahead_seconds=1",
    ),
    status: 415,
  },
  {
    name: "a declared 10 GB body",
    bytes: http("POST", "/orders", { ...keyed, "content-length": "10000000000" }),
    status: 413,
  },
  { name: "a chunked body over 1 MB", bytes: overLimitChunked("/orders", keyed), status: 413 },
  ...commonCases("/orders", keyed),
];

const sqsCases: Case[] = [
  {
    name: "no x-amz-target",
    bytes: http("POST", "/", { "content-type": "application/x-amz-json-1.0" }, "{}"),
    status: 400,
  },
  {
    name: "an unknown operation",
    bytes: http("POST", "/", sqsHeaders("PurgeEverything"), "{}"),
    status: 400,
  },
  { name: "GET /", bytes: http("GET", "/"), status: 400 },
  {
    name: "a bad escape in the path (the JSON protocol ignores the path)",
    bytes: http("POST", "/%E0%A4%A", sqsHeaders("GetQueueUrl"), `{"QueueName":"${QUEUE}"}`),
    acceptable: true,
  },
  { name: "invalid JSON", bytes: http("POST", "/", sqsHeaders("SendMessage"), "{"), status: 400 },
  { name: "invalid UTF-8", bytes: http("POST", "/", sqsHeaders("SendMessage"), invalidUtf8), status: 400 },
  { name: "null", bytes: http("POST", "/", sqsHeaders("SendMessage"), "null"), status: 400 },
  { name: "an array", bytes: http("POST", "/", sqsHeaders("SendMessage"), "[1]"), status: 400 },
  { name: "a string", bytes: http("POST", "/", sqsHeaders("GetQueueUrl"), '"x"'), status: 400 },
  {
    name: "an unknown queue",
    bytes: http("POST", "/", sqsHeaders("GetQueueUrl"), '{"QueueName":"Nope"}'),
    status: 400,
  },
  {
    name: "a QueueUrl that is a number",
    bytes: http("POST", "/", sqsHeaders("SendMessage"), '{"QueueUrl":5,"MessageBody":"x"}'),
    status: 400,
  },
  {
    name: "a lone surrogate in MessageBody",
    bytes: http("POST", "/", sqsHeaders("SendMessage"), `{"QueueUrl":"${QUEUE}","MessageBody":"\\ud800"}`),
    status: 400,
    contains: "InvalidMessageContents",
  },
  {
    name: "a control character in MessageBody",
    bytes: http("POST", "/", sqsHeaders("SendMessage"), `{"QueueUrl":"${QUEUE}","MessageBody":"\\u0000"}`),
    status: 400,
  },
  {
    name: "a DelaySeconds that is not a number",
    bytes: http(
      "POST",
      "/",
      sqsHeaders("SendMessage"),
      `{"QueueUrl":"${QUEUE}","MessageBody":"x","DelaySeconds":"soon"}`,
    ),
    status: 400,
  },
  {
    name: "a negative DelaySeconds",
    bytes: http(
      "POST",
      "/",
      sqsHeaders("SendMessage"),
      `{"QueueUrl":"${QUEUE}","MessageBody":"x","DelaySeconds":-1}`,
    ),
    status: 400,
  },
  {
    name: "batch entries that are not objects",
    bytes: http("POST", "/", sqsHeaders("SendMessageBatch"), `{"QueueUrl":"${QUEUE}","Entries":[null,1]}`),
    status: 400,
  },
  {
    name: "batch entries that are not a list",
    bytes: http("POST", "/", sqsHeaders("SendMessageBatch"), `{"QueueUrl":"${QUEUE}","Entries":"x"}`),
    status: 400,
  },
  {
    name: "a declared 10 GB body",
    bytes: http("POST", "/", { ...sqsHeaders("SendMessage"), "content-length": "10000000000" }),
    status: 400,
  },
  ...commonCases("/", sqsHeaders("SendMessage")),
];

/** The sandbox shares the stack's process: it must not be able to take it down either (its answers are its own). */
const sandboxCases: Case[] = [
  ...["%C3%28", "%", "%FF%FE", "%E0%A4%A"].map(
    (bad): Case => ({ name: `GET /payments/${bad}`, bytes: http("GET", `/payments/${bad}`) }),
  ),
  { name: "invalid JSON to /users/getToken", bytes: http("POST", "/users/getToken", json, "{") },
  { name: "invalid UTF-8 to /users/getToken", bytes: http("POST", "/users/getToken", json, invalidUtf8) },
  { name: "a bad escape in a control route", bytes: http("POST", "/__sandbox/%FF", json, "{}") },
  {
    name: "a declared 10 GB body",
    bytes: http("POST", "/users/getToken", { ...json, "content-length": "10000000000" }),
  },
  ...commonCases("/users/getToken", json),
].map((c) => ({ ...c, status: undefined, answerOptional: true }) as Case);

/** The process is alive and every stand-in answers a well-formed request as before. */
async function expectStillServing(): Promise<void> {
  expect(stack.child.exitCode, stack.output().slice(-3_000)).toBeNull();
  const api = await fetch(`http://127.0.0.1:${stack.ports.api}/shop/config.json`, {
    signal: AbortSignal.timeout(5_000),
  });
  expect(api.status).toBe(200);
  const sqs = await fetch(`http://127.0.0.1:${stack.ports.sqs}/`, {
    method: "POST",
    headers: sqsHeaders("GetQueueUrl"),
    body: JSON.stringify({ QueueName: QUEUE }),
    signal: AbortSignal.timeout(5_000),
  });
  expect(sqs.status).toBe(200);
  const sandbox = await fetch(`http://127.0.0.1:${stack.ports.sandbox}/__sandbox/info`, {
    signal: AbortSignal.timeout(5_000),
  });
  expect(sandbox.status).toBe(200);
}

function expectCallerFault(c: Case, answer: RawAnswer): void {
  const where = `${c.name}: ${answer.text.slice(0, 300)}`;
  if (answer.status === null) {
    expect(c.answerOptional === true, `${where} (no answer)`).toBe(true);
    return;
  }
  expect(answer.status, where).toBeLessThan(500);
  if (c.acceptable) return;
  expect(answer.status, where).toBeGreaterThanOrEqual(400);
  if (c.status !== undefined) expect(answer.status, where).toBe(c.status);
  if (c.contains !== undefined) expect(answer.text, where).toContain(c.contains);
}

describe.each([
  {
    standIn: "the API Gateway stand-in (routes, /shop/, /__local/)",
    port: () => stack.ports.api,
    cases: apiCases,
    check: true,
  },
  { standIn: "the SQS stand-in", port: () => stack.ports.sqs, cases: sqsCases, check: true },
  {
    standIn: "the iamport sandbox (same process)",
    port: () => stack.ports.sandbox,
    cases: sandboxCases,
    check: false,
  },
])("$standIn survives malformed requests", ({ port, cases, check }) => {
  test.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const answer = await rawRequest(port(), c.bytes, c.hangUp ? { hangUp: c.hangUp } : {});

    if (check) expectCallerFault(c, answer);
    else expect(answer.status === null || answer.status < 600).toBe(true);
    await expectStillServing();
  });
});

test("after the whole corpus, nothing was reported as a crash of the stand-ins", () => {
  // The sandbox logs its own 500s (`[sandbox] unexpected error …`); the stand-ins must have none.
  const ours = stack
    .output()
    .split("\n")
    .filter((line) => !line.startsWith("[sandbox]"));
  expect(ours.filter((line) => /uncaught|unhandled|URIError|a handler crashed/i.test(line))).toEqual([]);
});
