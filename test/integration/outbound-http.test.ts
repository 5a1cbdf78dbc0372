/**
 * lib/outbound-http.ts against a real HTTP server on 127.0.0.1: what it sends, what it reads, and each
 * way an exchange can fail, named as the iamport transport classifies them (a timeout by the signal's
 * TimeoutError, a refused connection by its code, a body cut short never read as whole).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { MAX_ANSWER_BYTES, outboundSend } from "../../lib/outbound-http.js";

let server: Server;
let base: string;
const routes = new Map<string, (req: IncomingMessage, res: ServerResponse, body: string) => void>();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const route = routes.get(req.url ?? "");
      if (route) route(req, res, body);
      else res.writeHead(404).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
});

test("sends the method, headers and body, and reads the status and the body", async () => {
  routes.set("/echo?x=1", (req, res, body) =>
    res.writeHead(201, { "content-type": "application/json" }).end(
      JSON.stringify({
        method: req.method,
        auth: req.headers.authorization,
        length: req.headers["content-length"],
        body,
      }),
    ),
  );
  const answer = await outboundSend(new URL(`${base}/echo?x=1`), {
    method: "POST",
    headers: { authorization: "Bearer t", "content-type": "application/json" },
    body: JSON.stringify({ name: "한글" }),
  });
  expect(answer.status).toBe(201);
  expect(answer.ok).toBe(true);
  expect(JSON.parse(await answer.text())).toEqual({
    method: "POST",
    auth: "Bearer t",
    // Bytes, not characters: two Hangul syllables are six bytes in UTF-8.
    length: String(Buffer.byteLength(JSON.stringify({ name: "한글" }))),
    body: JSON.stringify({ name: "한글" }),
  });
});

test("a 4xx or 5xx is an answer, not a failure", async () => {
  routes.set("/down", (_req, res) => res.writeHead(503).end("later"));
  const answer = await outboundSend(new URL(`${base}/down`), { method: "GET", headers: {} });
  expect({ status: answer.status, ok: answer.ok, text: await answer.text() }).toEqual({
    status: 503,
    ok: false,
    text: "later",
  });
});

test("no answer in time: the signal's TimeoutError", async () => {
  routes.set("/hang", () => undefined);
  const sent = outboundSend(new URL(`${base}/hang`), {
    method: "GET",
    headers: {},
    signal: AbortSignal.timeout(100),
  });
  await expect(sent).rejects.toMatchObject({ name: "TimeoutError" });
});

test("headers in time but the body not: reading it fails with the TimeoutError", async () => {
  routes.set("/slow-body", (_req, res) => {
    res.writeHead(200, { "content-length": "100" });
    res.write("partial");
  });
  const answer = await outboundSend(new URL(`${base}/slow-body`), {
    method: "GET",
    headers: {},
    signal: AbortSignal.timeout(150),
  });
  await expect(answer.text()).rejects.toMatchObject({ name: "TimeoutError" });
});

test("a body cut short by the server is a failure, never a shorter body", async () => {
  routes.set("/cut", (_req, res) => {
    res.writeHead(200, { "content-length": "100" });
    res.write("partial", () => res.socket?.destroy());
  });
  const answer = await outboundSend(new URL(`${base}/cut`), { method: "GET", headers: {} });
  await expect(answer.text()).rejects.toThrow();
});

test("a refused connection carries its code (iamport's transport: certainly not sent)", async () => {
  const closed = createServer();
  await new Promise<void>((ok) => closed.listen(0, "127.0.0.1", ok));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((ok) => closed.close(ok));
  await expect(
    outboundSend(new URL(`http://127.0.0.1:${port}/`), { method: "GET", headers: {} }),
  ).rejects.toMatchObject({ code: "ECONNREFUSED" });
});

test("a redirect is refused, not followed", async () => {
  routes.set("/moved", (_req, res) => res.writeHead(302, { location: `${base}/echo?x=1` }).end());
  await expect(
    outboundSend(new URL(`${base}/moved`), { method: "GET", headers: {}, redirect: "error" }),
  ).rejects.toThrow("redirect refused");
});

test("an answer larger than the cap is refused", async () => {
  routes.set("/huge", (_req, res) => {
    res.writeHead(200);
    const chunk = Buffer.alloc(2 ** 20, 97);
    let sent = 0;
    const more = () => {
      while (sent <= MAX_ANSWER_BYTES) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", more);
      }
      res.end();
    };
    more();
  });
  const answer = await outboundSend(new URL(`${base}/huge`), { method: "GET", headers: {} });
  await expect(answer.text()).rejects.toThrow(/larger than/);
});

test("only http and https", async () => {
  await expect(outboundSend(new URL("file:///etc/hosts"), { method: "GET", headers: {} })).rejects.toThrow(
    TypeError,
  );
});
