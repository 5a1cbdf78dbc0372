/**
 * Runs the functions that serverless.yml schedules with EventBridge: on their
 * `rate(...)` timer, and on demand (`POST /__local/run/<functionName>`, the
 * sandbox panel's buttons). The handler gets the same EventBridge "Scheduled
 * Event" it gets on AWS, so adding a scheduled function needs no change here.
 */
import { randomUUID } from "node:crypto";
import type { Fallback } from "./api-gateway.js";
import { answerJson } from "./http-guard.js";
import { lambdaContext } from "./lambda-context.js";
import type { LoadedFunction } from "./load-functions.js";
import { rateToMs } from "./serverless-routes.js";
import { pathOf } from "./static.js";

export interface ScheduledJob {
  functionName: string;
  /** As written in serverless.yml, e.g. `rate(5 minutes)`. */
  rates: string[];
  /** The timer's period; null for cron expressions (run them on demand). */
  everyMs: number | null;
  running: boolean;
  lastRun: RunRecord | null;
}

export interface RunRecord {
  trigger: "timer" | "manual";
  startedAt: string;
  ms: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export interface Scheduler {
  jobs(): ScheduledJob[];
  /** Invokes one scheduled function now; waits for it. Rejects for an unknown name. */
  run(functionName: string, trigger?: RunRecord["trigger"]): Promise<RunRecord>;
  stop(): void;
}

export class UnknownJobError extends Error {
  override readonly name = "UnknownJobError";
}

/** The event EventBridge hands a scheduled Lambda. */
export function scheduledEvent(functionName: string, now = new Date()) {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: "000000000000",
    time: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: "ap-northeast-2",
    resources: [`arn:aws:events:ap-northeast-2:000000000000:rule/local-${functionName}`],
    detail: {},
  };
}

/**
 * Starts a timer for every function with a `schedule` event. A run that is
 * still going when its timer fires again is skipped, as a single-concurrency
 * Lambda would be throttled, so runs never pile up.
 */
export function startScheduler(
  functions: LoadedFunction[],
  options: { timers?: boolean; onRun?: (job: ScheduledJob, record: RunRecord) => void } = {},
): Scheduler {
  const jobs = new Map<string, ScheduledJob & { handler: LoadedFunction["handler"] }>();
  for (const fn of functions) {
    if (fn.schedules.length === 0) continue;
    const periods = fn.schedules.map((s) => rateToMs(s.rate)).filter((ms): ms is number => ms !== null);
    jobs.set(fn.name, {
      functionName: fn.name,
      rates: fn.schedules.map((s) => s.rate),
      everyMs: periods.length ? Math.min(...periods) : null,
      running: false,
      lastRun: null,
      handler: fn.handler,
    });
  }

  const run = async (name: string, trigger: RunRecord["trigger"] = "manual"): Promise<RunRecord> => {
    const job = jobs.get(name);
    if (!job) throw new UnknownJobError(`no scheduled function named ${name}`);
    const started = Date.now();
    job.running = true;
    let record: RunRecord;
    try {
      const result = await job.handler(scheduledEvent(name), lambdaContext(name, 60_000));
      record = { trigger, startedAt: new Date(started).toISOString(), ms: Date.now() - started, ok: true };
      if (result !== undefined) record.result = result;
    } catch (error) {
      record = {
        trigger,
        startedAt: new Date(started).toISOString(),
        ms: Date.now() - started,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      };
    } finally {
      job.running = false;
    }
    job.lastRun = record;
    try {
      options.onRun?.(view(job), record);
    } catch {
      // A logger that throws must not turn a finished run into a failed request or a crash.
    }
    return record;
  };

  const timers: NodeJS.Timeout[] = [];
  if (options.timers !== false) {
    for (const job of jobs.values()) {
      if (job.everyMs === null) continue;
      const timer = setInterval(() => {
        if (!job.running) run(job.functionName, "timer").catch(() => undefined);
      }, job.everyMs);
      timer.unref();
      timers.push(timer);
    }
  }

  return {
    jobs: () => [...jobs.values()].map(view),
    run,
    stop: () => {
      for (const timer of timers) clearInterval(timer);
    },
  };
}

function view(job: ScheduledJob): ScheduledJob {
  return {
    functionName: job.functionName,
    rates: job.rates,
    everyMs: job.everyMs,
    running: job.running,
    lastRun: job.lastRun,
  };
}

/**
 * `GET /__local/schedules` lists the jobs; `POST /__local/run/<functionName>`
 * runs one and answers its record. The POST needs `content-type:
 * application/json`: another site's page cannot send that without a CORS
 * preflight, which this server never grants.
 */
export function schedulerFallback(scheduler: () => Scheduler | undefined): Fallback {
  return async (req, res) => {
    const path = pathOf(req);
    if (!path.startsWith("/__local/")) return false;
    const reply = (status: number, body: unknown) => answerJson(res, status, body);
    const current = scheduler();
    if (!current) {
      reply(503, { error: "scheduler_not_running" });
      return true;
    }
    if (req.method === "GET" && path === "/__local/schedules") {
      reply(200, { jobs: current.jobs() });
      return true;
    }
    const match = /^\/__local\/run\/([\w-]+)$/.exec(path);
    if (req.method === "POST" && match?.[1]) {
      if (!(req.headers["content-type"] ?? "").startsWith("application/json")) {
        reply(415, { error: "unsupported_media_type", message: "send content-type: application/json" });
        return true;
      }
      try {
        reply(200, await current.run(match[1], "manual"));
      } catch (error) {
        if (error instanceof UnknownJobError) reply(404, { error: "not_found", message: error.message });
        else
          reply(500, {
            error: "run_failed",
            message: error instanceof Error ? error.message : String(error),
          });
      }
      return true;
    }
    return false;
  };
}
