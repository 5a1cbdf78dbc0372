/**
 * One HTTP exchange with iamport, with its timeout, retry policy and the envelope check.
 *
 * Why reads and writes differ: a read can be repeated freely, so network errors,
 * timeouts and 5xx are retried with backoff. A write (cancel, again, prepare) may have
 * been executed even when we saw no answer, so it is never repeated here; the caller
 * gets {@link IamportOutcomeUnknownError} and must look the payment up first.
 */
import type { OutboundSend } from "../outbound-http.js";
import type * as z from "../validation/zod.js";
import {
  IamportApiError,
  IamportNotFoundError,
  IamportOutcomeUnknownError,
  IamportResponseShapeError,
  IamportUnauthorizedError,
  IamportUnavailableError,
} from "./errors.js";
import { type Envelope, EnvelopeSchema } from "./schemas.js";

/** Structured logger; the client never logs tokens, secrets or buyer data. */
export interface IamportLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface TransportOptions {
  baseUrl: string;
  fetch: OutboundSend;
  timeoutMs: number;
  readRetries: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  logger?: IamportLogger | undefined;
  tier?: string | undefined;
  /** Epoch ms by which every call must be done (the invocation's deadline), if any. */
  deadline?: (() => number | undefined) | undefined;
}

/** What to send and how to treat failures. */
export interface CallSpec<T> {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Concrete path, ids already encoded. */
  path: string;
  /** Template for errors and logs, e.g. `GET /payments/{imp_uid}`. */
  route: string;
  /** A list repeats its key (`imp_uid[]=a&imp_uid[]=b`, iamport's array syntax). */
  query?: Record<string, string | readonly string[] | undefined>;
  body?: unknown;
  schema: z.ZodMiniType<T>;
  /** `read` is retried; `write` is sent once. */
  kind: "read" | "write";
  token?: string;
}

/** First backoff step; doubles per retry, each step capped so the total stays small. */
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 2_000;
/** An attempt is not started with less time than this left before the deadline. */
const MIN_ATTEMPT_MS = 250;
/** Connection errors that prove the request never reached iamport. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT"]);

/** A failure that a read may retry; `sent: false` means iamport certainly did not execute it. */
class TransientFailure {
  constructor(
    readonly reason: string,
    readonly sent: boolean,
    readonly cause: unknown,
  ) {}
}

export type Transport = <T>(spec: CallSpec<T>) => Promise<T>;

/** Builds the function that performs one logical call (with retries for reads). */
export function createTransport(options: TransportOptions): Transport {
  const maxReadAttempts = 1 + Math.max(0, Math.floor(options.readRetries));
  /** Time left before the invocation's deadline (same clock as lib/deadline.ts); Infinity outside one. */
  const budget = () => {
    const deadline = options.deadline?.();
    return deadline === undefined ? Number.POSITIVE_INFINITY : deadline - Date.now();
  };

  return async function call<T>(spec: CallSpec<T>): Promise<T> {
    const maxAttempts = spec.kind === "read" ? maxReadAttempts : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await attemptOnce(spec);
      } catch (err) {
        if (!(err instanceof TransientFailure)) throw err;
        const delay =
          Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1)) * (0.5 + options.random() / 2);
        // No retry that could not finish before the deadline: the caller answers 503 in time instead.
        if (attempt >= maxAttempts || budget() < delay + MIN_ATTEMPT_MS) throw giveUp(spec, err, attempt);
        options.logger?.warn("iamport call failed, retrying", {
          route: spec.route,
          attempt,
          reason: err.reason,
          delayMs: Math.round(delay),
        });
        await options.sleep(delay);
      }
    }
  };

  function giveUp(spec: CallSpec<unknown>, failure: TransientFailure, attempts: number): Error {
    const detail = `iamport ${spec.route} failed after ${attempts} attempt(s): ${failure.reason}`;
    if (spec.kind === "write" && failure.sent) {
      options.logger?.error("iamport write outcome unknown", { route: spec.route, reason: failure.reason });
      return new IamportOutcomeUnknownError(detail, spec.route, { cause: failure.cause });
    }
    return new IamportUnavailableError(detail, spec.route, { cause: failure.cause });
  }

  async function attemptOnce<T>(spec: CallSpec<T>): Promise<T> {
    const url = new URL(
      spec.path.replace(/^\//, ""),
      options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`,
    );
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (typeof value === "string") url.searchParams.set(key, value);
      else for (const item of value ?? []) url.searchParams.append(key, item);
    }
    const headers: Record<string, string> = { accept: "application/json" };
    if (spec.body !== undefined) headers["content-type"] = "application/json";
    if (spec.token !== undefined) headers.authorization = `Bearer ${spec.token}`;
    if (options.tier !== undefined) headers.tier = options.tier;

    const left = budget();
    if (left < MIN_ATTEMPT_MS) {
      // Never sent, so even a write's outcome is known: it did not happen.
      throw new TransientFailure("no time left in this invocation", false, undefined);
    }
    let status: number;
    let text: string;
    try {
      const res = await options.fetch(url, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        // Per attempt, and it also bounds reading the body; never past the invocation's deadline.
        signal: AbortSignal.timeout(Math.min(options.timeoutMs, left)),
        redirect: "error",
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      throw classifyTransportError(err);
    }
    return interpret(spec, status, text);
  }

  function classifyTransportError(err: unknown): TransientFailure {
    const name = err instanceof Error ? err.name : "";
    if (name === "TimeoutError" || name === "AbortError") return new TransientFailure("timeout", true, err);
    const code = errorCode(err);
    return new TransientFailure(
      `network error${code ? ` ${code}` : ""}`,
      !NOT_SENT_CODES.has(code ?? ""),
      err,
    );
  }
}

function errorCode(err: unknown): string | undefined {
  // undici wraps the socket error: TypeError("fetch failed") with `cause.code`.
  for (let e: unknown = err, depth = 0; e && depth < 3; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

function interpret<T>(spec: CallSpec<T>, status: number, text: string): T {
  const envelope = parseEnvelope(text);
  const apiInit = {
    httpStatus: status,
    code: envelope?.code ?? null,
    iamportMessage: envelope?.message ?? null,
    route: spec.route,
  };
  if (status === 401) throw new IamportUnauthorizedError(`iamport ${spec.route} answered 401`, spec.route);
  // 429 is a refusal (not executed); 5xx may have been executed.
  if (status === 429) throw new TransientFailure("HTTP 429", false, new IamportApiError(apiInit));
  if (status >= 500) throw new TransientFailure(`HTTP ${status}`, true, new IamportApiError(apiInit));
  if (status === 404) throw new IamportNotFoundError(apiInit);
  if (status >= 400 && status < 500) throw new IamportApiError(apiInit);
  if (status < 200 || status >= 300 || envelope === undefined) {
    return throwShape(spec, status, [{ path: [], message: "not an iamport envelope" }]);
  }
  if (envelope.code !== 0) throw new IamportApiError(apiInit);
  const parsed = spec.schema.safeParse(envelope.response);
  if (!parsed.success) {
    return throwShape(
      spec,
      status,
      parsed.error.issues.map((i) => ({ path: i.path, message: i.message })),
    );
  }
  return parsed.data;
}

function parseEnvelope(text: string): Envelope | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = EnvelopeSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

function throwShape(
  spec: CallSpec<unknown>,
  httpStatus: number,
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): never {
  const shape = new IamportResponseShapeError({ route: spec.route, httpStatus, issues });
  // A write that iamport answered with code 0 was executed, but we cannot read what it
  // did: the caller must treat it like any other unknown outcome and look it up.
  if (spec.kind === "write") {
    throw new IamportOutcomeUnknownError(
      `iamport ${spec.route} answered with an unreadable body`,
      spec.route,
      {
        cause: shape,
      },
    );
  }
  throw shape;
}
