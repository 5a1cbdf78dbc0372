/**
 * What keeps the local stand-ins' HTTP servers from taking the process down:
 * a request listener wrapper that turns anything thrown or rejected into an
 * answer, a body reader that cannot throw (a client that hangs up mid-body,
 * a body over the limit), and strict percent-decoding of paths. A local
 * stack serves the browser, the sandbox's webhooks and anyone poking at it
 * with curl; none of them may be able to stop it.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";

/**
 * Writes a whole answer unless one is already on its way. When the headers
 * are out already (or the socket is gone) nothing sensible can follow, so the
 * connection is closed instead: the client sees a cut answer, never a hang.
 * Never throws.
 */
export function answer(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string | Buffer,
): void {
  try {
    if (res.headersSent || res.writableEnded || res.destroyed) {
      if (!res.writableEnded) res.destroy();
      return;
    }
    res.writeHead(status, headers);
    res.end(res.req?.method === "HEAD" ? undefined : body);
  } catch {
    // writeHead refused what it was given (an invalid header from a handler): give up on this socket.
    try {
      res.destroy();
    } catch {}
  }
}

/** A JSON answer, `{"message": …}` unless given another payload. */
export function answerJson(
  res: ServerResponse,
  status: number,
  payload: unknown,
  headers: Record<string, string> = {},
): void {
  let text: string;
  try {
    text = JSON.stringify(payload) ?? "null";
  } catch {
    // A payload that cannot be serialised (a cycle, a BigInt) is the stand-in's bug, not the caller's.
    status = 500;
    text = '{"message":"Internal Server Error"}';
  }
  answer(res, status, { "content-type": "application/json", ...headers }, text);
}

/**
 * Wraps a request listener: a synchronous throw or a rejected promise becomes
 * `onFailure`'s answer (by default API Gateway's `500 {"message":"Internal
 * Server Error"}`), reported to `onError`, never an uncaught exception or an
 * unhandled rejection. Errors of the request and response streams themselves
 * (a client resetting the connection) are absorbed.
 */
export function guard(
  listener: (req: IncomingMessage, res: ServerResponse) => unknown,
  options: {
    onError?: ((error: unknown) => void) | undefined;
    onFailure?: (res: ServerResponse, error: unknown) => void;
  } = {},
): RequestListener {
  const fail =
    options.onFailure ??
    ((res: ServerResponse) => answerJson(res, 500, { message: "Internal Server Error" }));
  return (req, res) => {
    // Without a listener these are harmless, but a handler that adds one and then throws must not matter.
    req.on("error", () => undefined);
    res.on("error", () => undefined);
    const failed = (error: unknown) => {
      try {
        options.onError?.(error);
      } catch {}
      try {
        fail(res, error);
      } catch {
        answer(res, 500, { "content-type": "application/json" }, '{"message":"Internal Server Error"}');
      }
    };
    try {
      Promise.resolve(listener(req, res)).catch(failed);
    } catch (error) {
      failed(error);
    }
  };
}

export type BodyResult =
  | { kind: "ok"; body: Buffer }
  /** Longer than the limit (declared or sent); what was sent is not read further. */
  | { kind: "too_large" }
  /** The client went away (or the stream failed) before the body was complete: nobody to answer. */
  | { kind: "aborted" };

/**
 * Reads a request body up to `limit` bytes. Never rejects. A declared
 * `content-length` over the limit is refused before a byte is read.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) return Promise.resolve({ kind: "too_large" });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: BodyResult) => {
      if (done) return;
      done = true;
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onAbort);
      req.off("close", onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish({ kind: "too_large" });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish({ kind: "ok", body: Buffer.concat(chunks) });
    const onAbort = () => finish({ kind: "aborted" });
    // `close` before `end` is a request cut short (Node may not emit `error` for it).
    const onClose = () =>
      finish(req.complete ? { kind: "ok", body: Buffer.concat(chunks) } : { kind: "aborted" });
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onAbort);
    req.on("close", onClose);
  });
}

/**
 * Answers and closes the connection: after a refused body, what the client is
 * still sending is not read, so the connection cannot carry another request.
 */
export function answerAndClose(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  payload: unknown,
  headers: Record<string, string> = {},
): void {
  res.once("finish", () => req.socket?.destroySoon?.());
  answerJson(res, status, payload, { connection: "close", ...headers });
}

/** The path of a request target, still percent-encoded (`/a%20b` of `/a%20b?x=1`); null when unusable. */
export function rawPathOf(target: string | undefined): string | null {
  let path = (target ?? "/").split(/[?#]/, 1)[0] ?? "";
  // The absolute form (`GET http://host/path`, what a proxy is sent) names the path after the authority.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    const slash = path.indexOf("/", path.indexOf("//") + 2);
    path = slash === -1 ? "/" : path.slice(slash);
  }
  return path.startsWith("/") ? path : null;
}

/**
 * The path (still percent-encoded, dot segments resolved) and query of a
 * request target, or null when it is not a path (`*`, a broken absolute URL).
 * `//orders/x` is the path `//orders/x`, not a URL whose host is `orders`.
 */
export function parseTarget(target: string): URL | null {
  const path = rawPathOf(target);
  if (path === null) return null;
  const query = target.indexOf("?");
  try {
    return new URL(`http://127.0.0.1${path}${query === -1 ? "" : target.slice(query).split("#", 1)[0]}`);
  } catch {
    return null;
  }
}

/** `decodeURIComponent` that answers null for a malformed or non-UTF-8 escape (`%`, `%FF%FE`, `%E0%A4%A`). */
export function decodeStrict(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
