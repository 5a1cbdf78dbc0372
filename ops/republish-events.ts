/**
 * `republish-events`: outbox events put on the stage's bus again, through the
 * publisher's own code (lib/events/publish-events.ts: the envelope checked,
 * PutEvents calls of at most 10, every refused entry reported with the bus's
 * error code). Either one aggregate's (`<merchant_uid | subscription id>`,
 * one bounded Query of its partition, `--since`) or every aggregate's whose
 * event `time` is within `--from`..`--to` (a bounded Scan, `--scan-limit`
 * items read): what a batch in the `events-dlq` queue held, by its
 * `approximateArrivalOfFirstRecord`/`…LastRecord` (docs/events.md, "Delivery").
 * Safe to repeat: an event keeps its id and consumers dedupe by id. Nothing
 * here writes to the table.
 */
import type { DomainEvent } from "../lib/events/domain-event.js";
import { publishEvents } from "../lib/events/publish-events.js";
import { eventSource } from "../lib/runtime/event-publisher.js";
import { type AggregateRef, aggregateOf } from "./aggregate-id.js";
import { expectPositionals, intFlag, type ParsedArgs } from "./args.js";
import type { OpsContext } from "./environment.js";
import { UsageError } from "./errors.js";
import { type CommandOutput, formatTable, kst } from "./output.js";

const COMMAND = "republish-events";
const TARGET = "merchant_uid | subscription id";

export type RepublishRequest =
  | { kind: "aggregate"; aggregate: AggregateRef; since?: string; limit: number }
  | { kind: "window"; from: string; to: string; scanLimit: number };

/** ISO 8601 with a date, a time and a zone (`Z` or `±hh:mm`), as the DLQ's message and our events give it. */
const ISO = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * The instant `--<name>` names, as `Date#toISOString` writes it (the events' own format, so times compare
 * as strings). @throws UsageError for anything else, a day the month does not have included
 */
export function isoTimeFlag(value: string | boolean | undefined, name: string): string {
  const text = typeof value === "string" ? value : "";
  const match = ISO.exec(text);
  const ms = Date.parse(text);
  const [, y, m, d] = match ?? [];
  const day = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  const real =
    day.getUTCFullYear() === Number(y) &&
    day.getUTCMonth() + 1 === Number(m) &&
    day.getUTCDate() === Number(d);
  if (!match || Number.isNaN(ms) || !real)
    throw new UsageError(
      `--${name} must be an ISO 8601 time with a zone (2026-12-01T03:00:00Z), got "${text.slice(0, 40)}"`,
    );
  return new Date(ms).toISOString();
}

/**
 * The command line's request: a target and its flags, or a window; nothing connects before it is checked.
 * @throws UsageError naming the first problem
 */
export function republishRequest(
  positionals: readonly string[],
  flags: ParsedArgs["flags"],
): RepublishRequest {
  expectPositionals(COMMAND, positionals, { required: [], optional: [TARGET] });
  const target = positionals[0];
  const windowed = flags.from !== undefined || flags.to !== undefined;
  if (target !== undefined && windowed)
    throw new UsageError(`${COMMAND}: a <${TARGET}> or --from/--to, not both`);
  if (target !== undefined) {
    if (flags["scan-limit"] !== undefined)
      throw new UsageError(`${COMMAND}: --scan-limit goes with --from/--to (a partition's read is --limit)`);
    const aggregate = aggregateOf(target);
    const limit = intFlag(flags.limit, "limit", { min: 1, max: 100_000, fallback: 1000 });
    return flags.since === undefined
      ? { kind: "aggregate", aggregate, limit }
      : { kind: "aggregate", aggregate, since: isoTimeFlag(flags.since, "since"), limit };
  }
  if (!windowed)
    throw new UsageError(`${COMMAND}: missing <${TARGET}>, or --from <ISO time> --to <ISO time>`);
  if (flags.since !== undefined)
    throw new UsageError(`${COMMAND}: --since goes with a <${TARGET}>; a window is --from/--to`);
  if (flags.limit !== undefined)
    throw new UsageError(`${COMMAND}: --limit goes with a <${TARGET}>; a window's is --scan-limit`);
  if (flags.from === undefined || flags.to === undefined)
    throw new UsageError(`${COMMAND}: --from and --to go together`);
  const from = isoTimeFlag(flags.from, "from");
  const to = isoTimeFlag(flags.to, "to");
  if (from > to) throw new UsageError(`${COMMAND}: --from ${from} is after --to ${to}`);
  const scanLimit = intFlag(flags["scan-limit"], "scan-limit", { min: 1, max: 1_000_000, fallback: 10_000 });
  return { kind: "window", from, to, scanLimit };
}

/** The outbox item's `event`, not trusted yet: the publisher checks the envelope. */
type Stored = Partial<Pick<DomainEvent, "id" | "type" | "time">> & {
  aggregate?: Partial<DomainEvent["aggregate"]>;
};

interface Republished {
  id: string;
  type: string;
  aggregate: { type: string; id: string; version: number | null };
  time: string;
  result: "put" | "refused";
  /** The bus's error code (or what failed) of an entry not put. */
  error?: string;
}

/** Time order, then aggregate and version: each aggregate's events in the order its changes made them. */
function inOrder(events: Stored[]): Stored[] {
  const ms = (e: Stored) => Date.parse(e.time ?? "") || 0;
  return [...events].sort(
    (a, b) =>
      ms(a) - ms(b) ||
      String(a.aggregate?.id).localeCompare(String(b.aggregate?.id)) ||
      (a.aggregate?.version ?? 0) - (b.aggregate?.version ?? 0) ||
      String(a.type).localeCompare(String(b.type)),
  );
}

/** Reads the events the request names (read-only), then puts them on the bus; exit 1 when one was not put. */
export async function republishEvents(ctx: OpsContext, request: RepublishRequest): Promise<CommandOutput> {
  let found: Stored[];
  let scope: string;
  let cut: string | null = null;
  if (request.kind === "aggregate") {
    const { aggregate, limit } = request;
    const read = await ctx.reads.partition(aggregate, limit);
    if (!read.items.some((item) => item.sk === (aggregate.kind === "order" ? "ORDER" : "SUB")))
      throw new UsageError(
        read.truncated
          ? `${aggregate.kind} ${aggregate.id}: not within the first ${limit} items (--limit)`
          : `no ${aggregate.kind} ${aggregate.id} in ${ctx.target}`,
      );
    const since = request.since ? Date.parse(request.since) : Number.NEGATIVE_INFINITY;
    found = read.items
      .filter((item) => item.type === "outbox")
      .map((item) => (item.record.event ?? {}) as Stored)
      .filter((event) => !(Date.parse(event.time ?? "") < since));
    scope = `${aggregate.kind} ${aggregate.id}${request.since ? ` since ${request.since}` : ""}`;
    if (read.truncated) cut = `only the first ${limit} items of the partition were read: --limit`;
  } else {
    const read = await ctx.reads.scanOutbox({ from: request.from, to: request.to }, request.scanLimit);
    found = read.items.map((item) => (item.record.event ?? {}) as Stored);
    scope = `events from ${request.from} to ${request.to}`;
    if (read.truncated)
      cut = `the Scan stopped after ${request.scanLimit} items (--scan-limit): the table has more, not republished`;
  }
  const events = inOrder(found);
  const deps = events.length > 0 ? ctx.publisher() : null;
  const outcome = deps
    ? await publishEvents(
        deps,
        events.map((event, i) => ({ id: String(i), event })),
      )
    : { failed: [], reasons: {} as Record<string, string> };
  const failed = new Set(outcome.failed);
  const rows: Republished[] = events.map((event, i) => ({
    id: String(event.id ?? "?"),
    type: String(event.type ?? "?"),
    aggregate: {
      type: String(event.aggregate?.type ?? "?"),
      id: String(event.aggregate?.id ?? "?"),
      version: event.aggregate?.version ?? null,
    },
    time: String(event.time ?? ""),
    ...(failed.has(String(i))
      ? { result: "refused" as const, error: outcome.reasons[String(i)] ?? "refused" }
      : { result: "put" as const }),
  }));
  const refused = rows.filter((r) => r.result === "refused");
  const source = deps?.source ?? eventSource(ctx.config.STAGE);
  const bus = `bus ${ctx.config.EVENT_BUS_NAME ?? "(EVENT_BUS_NAME unset)"} (Source ${source})`;
  const heading = `${scope}: ${rows.length - refused.length} of ${rows.length} events put on ${bus}`;
  const table = rows.length
    ? formatTable(
        ["ID", "TYPE", "AGGREGATE", "TIME (KST)", "RESULT"],
        rows.map((r) => [
          r.id,
          r.type,
          `${r.aggregate.type} ${r.aggregate.id} v${r.aggregate.version ?? "?"}`,
          kst(r.time),
          r.result === "put" ? "put" : `refused: ${r.error}`,
        ]),
      )
    : "no outbox events\n";
  return {
    json: {
      scope:
        request.kind === "aggregate"
          ? { aggregate: request.aggregate, since: request.since ?? null }
          : { from: request.from, to: request.to, scanLimit: request.scanLimit },
      bus: ctx.config.EVENT_BUS_NAME ?? null,
      source,
      events: rows,
      put: rows.length - refused.length,
      refused: refused.length,
      truncated: cut !== null,
    },
    text: `${heading}\n\n${table}${cut ? `(${cut})\n` : ""}`,
    ...(refused.length > 0
      ? {
          failure: `${refused.length} of ${rows.length} events not put: ${refused
            .slice(0, 5)
            .map((r) => `${r.id} (${r.error})`)
            .join(", ")}${refused.length > 5 ? ", …" : ""}; run it again (consumers dedupe by id)`,
        }
      : {}),
  };
}
