/**
 * `timeline <merchant_uid | subscription id>`: one Query of the aggregate's
 * partition (bounded pages, strongly consistent), every item turned into
 * lines (timeline-entries.ts), in time order, times in KST.
 */
import type { StoredItem } from "../lib/store/ops-reads.js";
import { aggregateOf } from "./aggregate-id.js";
import type { OpsContext } from "./environment.js";
import { UsageError } from "./errors.js";
import { type CommandOutput, formatTable, krw, kst } from "./output.js";
import { entriesOf } from "./timeline-entries.js";

/** What the aggregate is now, for the heading. */
function summaryOf(root: StoredItem): { status: string; amount: string } {
  const r = root.record as { status?: string; amount?: number; plan?: { amount?: number; name?: string } };
  return {
    status: String(r.status ?? "?"),
    amount: r.plan ? `${r.plan.name ?? "plan"} ${krw(r.plan.amount)}` : krw(r.amount),
  };
}

/** @throws UsageError when no order or subscription has this id */
export async function timeline(
  ctx: OpsContext,
  id: string,
  options: { limit: number },
): Promise<CommandOutput> {
  const aggregate = aggregateOf(id);
  const read = await ctx.reads.partition(aggregate, options.limit);
  const root = read.items.find((item) => item.sk === (aggregate.kind === "order" ? "ORDER" : "SUB"));
  if (!root) {
    if (read.truncated)
      throw new UsageError(
        `${aggregate.kind} ${aggregate.id}: not within the first ${options.limit} items (--limit)`,
      );
    throw new UsageError(`no ${aggregate.kind} ${aggregate.id} in ${ctx.target}`);
  }
  const entries = entriesOf(read.items);
  const summary = summaryOf(root);
  const heading = `${aggregate.kind} ${aggregate.id}: ${summary.status}, ${summary.amount}`;
  const table = formatTable(
    ["TIME (KST)", "KIND", "WHAT", "BY"],
    entries.map((e) => [kst(e.at), e.kind, e.what, e.by]),
  );
  const more = read.truncated ? `(only the first ${options.limit} items were read: --limit)\n` : "";
  return {
    json: {
      aggregate: { kind: aggregate.kind, id: aggregate.id, status: summary.status },
      entries: entries.map((e) => ({ ...e, time_kst: kst(e.at) })),
      truncated: read.truncated,
    },
    text: `${heading}\n\n${table}${more}`,
  };
}
