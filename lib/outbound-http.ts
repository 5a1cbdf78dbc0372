/**
 * Outbound HTTP over node:http and node:https: the iamport client and the
 * signed AWS calls (SSM, EventBridge) send through it. Why not `fetch`: Node
 * loads undici, fetch's engine, on the first call, about 25–35 ms of every cold
 * start (README, "Cold start"), while node:http and node:https are loaded
 * already by the DynamoDB client. The shape is a subset of fetch's, so a test
 * may pass `fetch` itself, or a fake, wherever this is taken.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";

export interface OutboundRequest {
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
  /** Aborts the exchange, the body's reading included, with the signal's reason (a `TimeoutError`). */
  signal?: AbortSignal | undefined;
  /** `error`: a 3xx answer is a failure, never followed (the only mode used). */
  redirect?: "error";
}

export interface OutboundAnswer {
  status: number;
  ok: boolean;
  text(): Promise<string>;
}

export type OutboundSend = (url: URL, init: OutboundRequest) => Promise<OutboundAnswer>;

/** No answer we read is near this; a larger one is refused rather than held in memory. */
export const MAX_ANSWER_BYTES = 8 * 2 ** 20;

export const outboundSend: OutboundSend = (url, init) =>
  new Promise((resolve, reject) => {
    const send = url.protocol === "https:" ? httpsRequest : url.protocol === "http:" ? httpRequest : null;
    if (!send) {
      reject(new TypeError(`cannot send to ${url.protocol} URLs`));
      return;
    }
    const body = init.body === undefined ? undefined : Buffer.from(init.body, "utf8");
    const headers = body ? { ...init.headers, "content-length": String(body.length) } : init.headers;
    const aborted = () => init.signal?.reason ?? new DOMException("aborted", "AbortError");
    const req = send(url, { method: init.method, headers, signal: init.signal }, (res) => {
      const status = res.statusCode ?? 0;
      if (init.redirect === "error" && status >= 300 && status < 400) {
        res.resume();
        reject(new TypeError("redirect refused", { cause: new Error(`HTTP ${status}`) }));
        return;
      }
      const text = readAll(res, init.signal, aborted);
      text.catch(() => undefined); // a caller that never reads the body leaves no unhandled rejection
      resolve({ status, ok: status >= 200 && status < 300, text: () => text });
    });
    // An abort (the signal) destroys the request with an AbortError; the signal's reason says why.
    req.on("error", (error) => reject(init.signal?.aborted ? aborted() : error));
    req.end(body);
  });

function readAll(res: IncomingMessage, signal: AbortSignal | undefined, aborted: () => unknown) {
  return new Promise<string>((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ANSWER_BYTES) {
        res.destroy(new Error(`answer larger than ${MAX_ANSWER_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    res.on("end", () => ok(Buffer.concat(chunks).toString("utf8")));
    res.on("error", (error) => fail(signal?.aborted ? aborted() : error));
    // Closed before its end (the server hung up, the signal fired): never a partial body taken as whole.
    res.on("close", () => {
      if (!res.complete) fail(signal?.aborted ? aborted() : new Error("the answer ended before its end"));
    });
  });
}
