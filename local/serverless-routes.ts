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

export interface FunctionSpec {
  name: string;
  /** Path of the handler module relative to the repo root, e.g. `functions/create-order.ts`. */
  file: string;
  exportName: string;
  routes: Array<{ method: string; path: string }>;
  schedules: Array<{ rate: string }>;
}

interface RawFunction {
  handler: string;
  events?: Array<{
    httpApi?: { method: string; path: string };
    schedule?: string | { rate: string | string[] };
  }>;
}

export function readServerlessFunctions(file = resolve(repoRoot, "serverless.yml")): FunctionSpec[] {
  // Unknown CloudFormation tags (!Ref...) are not used in serverless.yml; plain parsing is enough.
  const doc = parse(readFileSync(file, "utf8")) as { functions: Record<string, RawFunction> };
  return Object.entries(doc.functions).map(([name, fn]) => {
    const dot = fn.handler.lastIndexOf(".");
    const routes: FunctionSpec["routes"] = [];
    const schedules: FunctionSpec["schedules"] = [];
    for (const event of fn.events ?? []) {
      if (event.httpApi)
        routes.push({ method: event.httpApi.method.toUpperCase(), path: event.httpApi.path });
      if (event.schedule) {
        const rate = typeof event.schedule === "string" ? event.schedule : event.schedule.rate;
        for (const r of Array.isArray(rate) ? rate : [rate]) schedules.push({ rate: r });
      }
    }
    return {
      name,
      file: `${fn.handler.slice(0, dot)}.ts`,
      exportName: fn.handler.slice(dot + 1),
      routes,
      schedules,
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
