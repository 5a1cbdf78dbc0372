/**
 * Local-only tools for watching subscriptions bill, used by the sandbox panel,
 * the subscription page and the browser tests:
 *
 * - `POST /__local/dispatch-charges` `{"ahead_seconds": n}` or `{"at": ISO}`:
 *   one run of the charge dispatcher with its clock at that instant, so a
 *   cycle (or a dunning retry) due next month is queued today. The real queue
 *   and the real `chargeSubscription` consumer charge it, with the real clock;
 *   the answer waits (bounded) until the queue is idle. The functions'
 *   own clock is the machine's: only this run sees another time.
 * - `GET /__local/queues`: what each queue of the SQS stand-in holds now.
 *
 * Like `/__local/run/<name>`, the POST needs `content-type: application/json`,
 * which another site's page cannot send without a CORS preflight.
 */

import type { ChargeMessage, ChargeQueue } from "../lib/billing/ports.js";
import { type DispatchSummary, dispatchCharges } from "../lib/billing/use-cases/dispatch-charges.js";
import { parseConfig } from "../lib/config.js";
import { buildChargeQueue } from "../lib/runtime/charge-queue.js";
import { buildContainer } from "../lib/runtime/container.js";
import type { Fallback } from "./api-gateway.js";
import { answerJson } from "./http-guard.js";
import { readServerlessQueues } from "./serverless-routes.js";
import type { Stack } from "./stack.js";
import { pathOf } from "./static.js";

/** Further ahead than any yearly plan's next cycle plus its dunning; anything beyond is a typo. */
const MAX_AHEAD_MS = 800 * 24 * 60 * 60_000;
/** How long a run waits for the queue to drain before answering anyway. */
const DEFAULT_WAIT_MS = 8_000;
const MAX_WAIT_MS = 20_000;

export interface DispatchAtRecord {
  /** The instant the dispatcher's clock read. */
  at: string;
  ahead_seconds: number;
  summary: DispatchSummary;
  /** Whether every queued charge was handled before the answer (false: still in the queue). */
  queue_idle: boolean;
  ms: number;
}

export interface QueueView {
  name: string;
  /** Functions that consume it (serverless.yml `sqs` events). */
  consumers: string[];
  messages: Array<{
    message_id: string;
    /** Parsed when it is JSON (the charge messages are). */
    body: unknown;
    /** `visible` (waiting), `in_flight` (being handled or handed back, until its visibility timeout). */
    state: "visible" | "in_flight";
    receive_count: number;
    sent_at: string;
    visible_at: string;
  }>;
}

export interface ChargeTools {
  dispatchAt(input: { at: Date; waitMs?: number }): Promise<DispatchAtRecord>;
  queues(): QueueView[];
}

export class BadRequestError extends Error {
  override readonly name = "BadRequestError";
}

export function createChargeTools(stack: Stack): ChargeTools {
  let deps: ReturnType<typeof build> | undefined;
  let offsetMs = 0;
  // One run at a time, as the deployed dispatcher (reserved concurrency 1); each run sets the offset it needs.
  let chain: Promise<unknown> = Promise.resolve();
  const build = () => {
    const config = parseConfig(stack.env);
    const container = buildContainer(config, { clock: () => new Date(Date.now() + offsetMs) });
    return { deps: container.dispatchDeps, queue: buildChargeQueue(config, container.logger) };
  };

  const dispatchAt: ChargeTools["dispatchAt"] = ({ at, waitMs = DEFAULT_WAIT_MS }) => {
    const run = chain.then(async () => {
      const started = Date.now();
      offsetMs = at.getTime() - started;
      deps ??= build();
      const deadline = started + 60_000;
      // Held until the run ends: a charge claimed by the consumer (real clock, 120 s lease) while the
      // run still pages the open attempts would look lapsed to this clock and be queued a second time.
      const held: ChargeMessage[] = [];
      const queue: ChargeQueue = {
        send: async (messages) => {
          held.push(...messages);
          return { failed: [] };
        },
      };
      const summary = await dispatchCharges(
        { ...deps.deps, queue },
        { remainingMs: () => deadline - Date.now() },
      );
      if (held.length) {
        const { failed } = await deps.queue.send(held);
        summary.unqueued += failed.length;
      }
      const queueIdle = await stack.sqs.idle(Math.min(waitMs, MAX_WAIT_MS)).then(
        () => true,
        () => false,
      );
      return {
        at: at.toISOString(),
        ahead_seconds: Math.round((at.getTime() - started) / 1000),
        summary,
        queue_idle: queueIdle,
        ms: Date.now() - started,
      };
    });
    chain = run.catch(() => undefined);
    return run;
  };

  const specs = readServerlessQueues();
  const queues = (): QueueView[] => {
    const now = Date.now();
    return specs.map((queue) => ({
      name: queue.name,
      consumers: stack.functions
        .filter((fn) => fn.queues.some((q) => q.queue === queue.name))
        .map((fn) => fn.name),
      messages: stack.sqs.messages(queue.name).map((m) => ({
        message_id: m.messageId,
        body: parseJson(m.body),
        state: m.visibleAt <= now ? "visible" : "in_flight",
        receive_count: m.receiveCount,
        sent_at: new Date(m.sentAt).toISOString(),
        visible_at: new Date(m.visibleAt).toISOString(),
      })),
    }));
  };

  return { dispatchAt, queues };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The instant a request body asks for: `at` (ISO 8601 with a zone) or `ahead_seconds` from now. */
export function dispatchInstant(body: unknown, now = Date.now()): Date {
  const input = (body ?? {}) as Record<string, unknown>;
  if (typeof input !== "object" || Array.isArray(input)) throw new BadRequestError("send a JSON object");
  const unknown = Object.keys(input).filter((key) => !["at", "ahead_seconds", "wait_ms"].includes(key));
  if (unknown.length) throw new BadRequestError(`unknown field(s): ${unknown.join(", ")}`);
  if ((input.at === undefined) === (input.ahead_seconds === undefined))
    throw new BadRequestError('send either "at" (ISO 8601 instant) or "ahead_seconds" (a number)');
  let at: number;
  if (input.at !== undefined) {
    at =
      typeof input.at === "string" && /(Z|[+-]\d{2}:\d{2})$/.test(input.at)
        ? Date.parse(input.at)
        : Number.NaN;
    if (Number.isNaN(at)) throw new BadRequestError('"at" must be an ISO 8601 instant with a zone');
  } else {
    const seconds = input.ahead_seconds;
    if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0)
      throw new BadRequestError('"ahead_seconds" must be a number of seconds, 0 or more');
    at = now + seconds * 1000;
  }
  if (at - now > MAX_AHEAD_MS) throw new BadRequestError("at most 800 days ahead");
  // Further back is a typo too, and near the edge of what a Date can hold the dispatcher's own date math breaks.
  if (now - at > MAX_AHEAD_MS) throw new BadRequestError("at most 800 days back");
  return new Date(at);
}

/** Serves the tools under /__local/ (see the module comment). */
export function chargeToolsFallback(tools: () => ChargeTools | undefined): Fallback {
  return async (req, res, body) => {
    const path = pathOf(req);
    if (path !== "/__local/dispatch-charges" && path !== "/__local/queues") return false;
    const reply = (status: number, payload: unknown) => answerJson(res, status, payload);
    const current = tools();
    if (!current) {
      reply(503, { error: "stack_not_ready" });
      return true;
    }
    if (path === "/__local/queues") {
      if (req.method !== "GET") return false;
      try {
        reply(200, { queues: current.queues() });
      } catch (error) {
        reply(500, {
          error: "queues_failed",
          message: error instanceof Error ? error.message : String(error),
        });
      }
      return true;
    }
    if (req.method !== "POST") return false;
    if (!(req.headers["content-type"] ?? "").startsWith("application/json")) {
      reply(415, { error: "unsupported_media_type", message: "send content-type: application/json" });
      return true;
    }
    try {
      let parsed: unknown;
      try {
        parsed = body.length ? JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body)) : {};
      } catch {
        throw new BadRequestError("the body is not JSON");
      }
      const at = dispatchInstant(parsed);
      const waitMs = (parsed as { wait_ms?: unknown }).wait_ms;
      reply(
        200,
        await current.dispatchAt({
          at,
          ...(typeof waitMs === "number" && Number.isFinite(waitMs) && waitMs >= 0 ? { waitMs } : {}),
        }),
      );
    } catch (error) {
      if (!(error instanceof BadRequestError)) {
        reply(500, {
          error: "dispatch_failed",
          message: error instanceof Error ? error.message : String(error),
        });
        return true;
      }
      reply(400, { error: "bad_request", message: error.message });
    }
    return true;
  };
}
