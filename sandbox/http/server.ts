import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { ControlError, IamportApiError } from "../core/errors.js";
import { BodyError, readBody } from "./body.js";
import type { FaultBook } from "./faults.js";
import type { Reply, Router } from "./router.js";

export interface ServerParts {
  /** /__sandbox control API and the window's pages: no auth, no faults, CORS open. */
  control: Router;
  /** The iamport REST API: faults apply, token required except on getToken. */
  rest: Router;
  faults: FaultBook;
  /** Throws IamportApiError(401) when the request carries no valid token. */
  authorize: (req: IncomingMessage) => void;
}

const OPEN_PATHS = new Set(["/users/getToken"]);

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, PUT, DELETE, OPTIONS",
  "access-control-allow-headers": "content-type, authorization",
  "access-control-max-age": "600",
};

function send(res: ServerResponse, reply: Reply, cors: boolean): void {
  if (res.destroyed) return;
  const isText = typeof reply.body === "string";
  const payload = isText ? (reply.body as string) : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    "content-type":
      reply.contentType ?? (isText ? "text/plain; charset=utf-8" : "application/json; charset=utf-8"),
    ...(cors ? CORS : {}),
    ...reply.headers,
  });
  res.end(payload);
}

const envelope = (status: number, code: number, message: string): Reply => ({
  status,
  body: { code, message, response: null },
});

function errorToReply(err: unknown, isControl: boolean): Reply {
  if (err instanceof IamportApiError) return envelope(err.httpStatus, err.code, err.message);
  if (err instanceof BodyError)
    return isControl ? { status: 400, body: { error: err.message } } : envelope(400, -1, err.message);
  if (err instanceof ControlError) return { status: err.httpStatus, body: { error: err.message } };
  if (isControl && (err instanceof TypeError || err instanceof RangeError))
    return { status: 400, body: { error: err.message } };
  // A client that gave up mid-request (its timeout) is ordinary, not a sandbox fault.
  if ((err as { code?: unknown }).code !== "ECONNRESET") console.error("[sandbox] unexpected error", err);
  return isControl
    ? { status: 500, body: { error: "internal sandbox error" } }
    : envelope(500, -1, "internal sandbox error");
}

/** The node:http server: control first, then the REST API with faults and auth. */
export function createSandboxServer(parts: ServerParts): { server: Server; clearTimers: () => void } {
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = (req.method ?? "GET").toUpperCase();
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
    const control = parts.control.find(method, path);
    if (method === "OPTIONS" && parts.control.hasPath(path))
      return send(res, { status: 204, body: "" }, true);
    if (control) {
      try {
        const body = method === "GET" ? {} : await readBody(req);
        const reply = await control.handler({
          params: control.params,
          query: url.searchParams,
          body,
          headers: req.headers,
        });
        return send(res, reply, true);
      } catch (err) {
        return send(res, errorToReply(err, true), true);
      }
    }

    const fault = parts.faults.take(method, path);
    if (fault?.kind === "drop") return void req.socket.destroy();
    if (fault?.kind === "timeout") return; // never answers; close() ends the socket
    if (fault?.kind === "latency") await sleep(fault.ms ?? 1000);
    if (fault?.kind === "status") {
      const status = fault.status ?? 500;
      return send(res, envelope(status, -1, `sandbox fault: HTTP ${status}`), false);
    }

    let reply: Reply;
    try {
      const route = parts.rest.find(method, path);
      if (!route) throw new IamportApiError(404, -1, `존재하지 않는 API입니다: ${method} ${path}`);
      if (!OPEN_PATHS.has(path)) parts.authorize(req);
      const body = method === "GET" || method === "DELETE" ? {} : await readBody(req);
      reply = await route.handler({
        params: route.params,
        query: url.searchParams,
        body,
        headers: req.headers,
      });
    } catch (err) {
      reply = errorToReply(err, false);
    }
    // "Done but the response is lost": the operation happened, the client never hears.
    if (fault?.kind === "lost-response") return void req.socket.destroy();
    // "Done, but answered as refused": what a PG communication error looks like to the merchant.
    if (fault?.kind === "refused-after-success") {
      return send(
        res,
        envelope(200, 1, fault.message ?? "[PG] 결제 결과를 확인할 수 없습니다 (통신 오류)"),
        false,
      );
    }
    send(res, reply, false);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, errorToReply(err, false), false));
  });
  return {
    server,
    clearTimers: () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
