/**
 * `backfill-audits`: puts on the audit indexes the items written before those
 * audits existed. An order holding money (`paid`, `partially_refunded`, with
 * an `impUid`, no `checkAfter`) belongs on GSI1 under `HELD#`, a paid charge
 * attempt its cycle keeps (not a surplus, not refunded in full) under `KEPT#`;
 * items older code wrote have no `GSI1PK`, so neither audit ever reads them.
 * A bounded Scan (`--scan-limit` items read, resumable with `--start-after`)
 * finds them, and each is marked audited as of now through the repositories'
 * own `markAudited` / `markAttemptAudited`: only `auditAfter` and the index
 * entry, conditional on the version (no version, history or event), so the
 * next reconciler run reads them at iamport. A writer that saved one meanwhile
 * wrote its own index entry (the method returns false: skipped). Nothing else
 * is written and iamport is not called; `--dry-run` writes nothing.
 */
import { type NativeAttributeValue, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { ChargeAttempt } from "../lib/billing/charge-attempt.js";
import { nextKeptAudit } from "../lib/billing/rules/kept-audit.js";
import type { Order } from "../lib/orders/order.js";
import { nextHeldAudit } from "../lib/orders/rules/held-audit.js";
import { orderFromItem } from "../lib/store/orders-repository.js";
import { strip } from "../lib/store/subscription-items.js";
import { expectPositionals, intFlag, type ParsedArgs } from "./args.js";
import type { OpsContext } from "./environment.js";
import { UsageError } from "./errors.js";
import { type CommandOutput, formatTable, kst } from "./output.js";

const COMMAND = "backfill-audits";

type Key = Record<string, NativeAttributeValue>;

export interface BackfillRequest {
  /** Items the Scan reads at most (before its filter). */
  scanLimit: number;
  /** A truncated run's LastEvaluatedKey: the Scan goes on from there. */
  startAfter?: Key;
  dryRun: boolean;
}

/**
 * The command line's request; nothing connects before it is checked.
 * @throws UsageError naming the first problem
 */
export function backfillRequest(positionals: readonly string[], flags: ParsedArgs["flags"]): BackfillRequest {
  expectPositionals(COMMAND, positionals, { required: [] });
  const scanLimit = intFlag(flags["scan-limit"], "scan-limit", { min: 1, max: 1_000_000, fallback: 10_000 });
  const dryRun = flags["dry-run"] === true;
  if (flags["start-after"] === undefined) return { scanLimit, dryRun };
  return { scanLimit, dryRun, startAfter: startAfterFlag(flags["start-after"]) };
}

/** The `{"PK":…,"SK":…}` a truncated run printed. @throws UsageError for anything else */
function startAfterFlag(value: string | boolean): Key {
  const text = typeof value === "string" ? value : "";
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const key = parsed as Record<string, unknown> | undefined;
  const ok =
    typeof key === "object" &&
    key !== null &&
    !Array.isArray(key) &&
    Object.keys(key).sort().join(",") === "PK,SK" &&
    typeof key.PK === "string" &&
    typeof key.SK === "string" &&
    key.PK !== "" &&
    key.SK !== "";
  if (!ok)
    throw new UsageError(
      `--start-after must be the JSON key a truncated run printed ({"PK":"…","SK":"…"}), got "${text.slice(0, 60)}"`,
    );
  return { PK: key.PK, SK: key.SK };
}

/**
 * Orders and charge attempts in the audits' statuses with no GSI1 entry. The store's exact rules
 * (nextHeldAudit, nextKeptAudit) decide again on what this lets through.
 */
const FILTER = {
  FilterExpression: [
    "attribute_not_exists(#gsi1pk) AND attribute_exists(#impUid) AND (",
    "(#type = :order AND #status IN (:paid, :partial) AND attribute_not_exists(#checkAfter))",
    "OR (#type = :attempt AND #status = :paid AND attribute_not_exists(#surplus)",
    "AND (attribute_not_exists(#cancelled.#amount) OR #cancelled.#amount < #amount)))",
  ].join(" "),
  ExpressionAttributeNames: {
    "#gsi1pk": "GSI1PK",
    "#impUid": "impUid",
    "#type": "type",
    "#status": "status",
    "#checkAfter": "checkAfter",
    "#surplus": "surplus",
    "#cancelled": "cancelled",
    "#amount": "amount",
  },
  ExpressionAttributeValues: {
    ":order": "order",
    ":attempt": "charge_attempt",
    ":paid": "paid",
    ":partial": "partially_refunded",
  },
};

/** Items read per Scan request at most; writes in flight at once. */
const PAGE = 1000;
const PARALLEL = 8;

type Result = "indexed" | "would_index" | "skipped" | "past_horizon";

interface Backfilled {
  kind: "order" | "charge";
  /** The order's merchant_uid, or the charge's (`<subscription id>_<cycle>_<attempt>`). */
  id: string;
  /** The subscription a charge belongs to (what `timeline` takes); null for an order. */
  subscriptionId: string | null;
  index: "HELD" | "KEPT";
  /** When the audit reads it (auditAfter = now), or null past the audit's horizon. */
  due: string | null;
  result: Result;
}

type Found = { kind: "order"; order: Order } | { kind: "charge"; attempt: ChargeAttempt };

function found(item: Record<string, unknown>): Found | null {
  if (item.type === "order") return { kind: "order", order: orderFromItem(item) };
  if (item.type === "charge_attempt") return { kind: "charge", attempt: strip<ChargeAttempt>(item) };
  return null;
}

/** Marks one item audited as of `now` (or only says it would); never writes past the audit's horizon. */
async function backfillOne(ctx: OpsContext, f: Found, now: string, dryRun: boolean): Promise<Backfilled> {
  if (f.kind === "order") {
    const due = nextHeldAudit({ ...f.order, auditAfter: now }) ?? null;
    const base = { kind: f.kind, id: f.order.merchantUid, subscriptionId: null, index: "HELD", due } as const;
    if (due === null) return { ...base, result: "past_horizon" };
    if (dryRun) return { ...base, result: "would_index" };
    return {
      ...base,
      result: (await ctx.container.orders.markAudited(f.order, now)) ? "indexed" : "skipped",
    };
  }
  const a = f.attempt;
  const due = nextKeptAudit({ ...a, auditAfter: now }) ?? null;
  const base = {
    kind: f.kind,
    id: a.merchantUid,
    subscriptionId: a.subscriptionId,
    index: "KEPT",
    due,
  } as const;
  if (due === null) return { ...base, result: "past_horizon" };
  if (dryRun) return { ...base, result: "would_index" };
  const marked = await ctx.container.subscriptions.markAttemptAudited(a, now);
  return { ...base, result: marked ? "indexed" : "skipped" };
}

/** `'…'` for a POSIX shell. */
const quoted = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Scans (bounded) and marks what it finds audited as of now; `--dry-run` only lists it. */
export async function backfillAudits(ctx: OpsContext, request: BackfillRequest): Promise<CommandOutput> {
  const now = ctx.container.clock().toISOString();
  const rows: Backfilled[] = [];
  let scanned = 0;
  let pages = 0;
  let startKey: Key | undefined = request.startAfter;
  do {
    const page = await ctx.db.send(
      new ScanCommand({
        TableName: ctx.config.TABLE_NAME,
        // Limit bounds the items read (and paid for), before the filter.
        Limit: Math.min(PAGE, request.scanLimit - scanned),
        ...FILTER,
        ExclusiveStartKey: startKey,
      }),
    );
    pages++;
    scanned += page.ScannedCount ?? 0;
    const items = ((page.Items ?? []) as Record<string, unknown>[])
      .map(found)
      .filter((f): f is Found => f !== null);
    for (let i = 0; i < items.length; i += PARALLEL)
      rows.push(
        ...(await Promise.all(
          items.slice(i, i + PARALLEL).map((f) => backfillOne(ctx, f, now, request.dryRun)),
        )),
      );
    startKey = page.LastEvaluatedKey;
    // `pages` bounds the loop even if a page reported nothing scanned.
  } while (startKey && scanned < request.scanLimit && pages < request.scanLimit);

  const count = (kind: Backfilled["kind"]) =>
    rows.filter((r) => r.kind === kind && r.result === (request.dryRun ? "would_index" : "indexed")).length;
  const counts = {
    scanned,
    ordersIndexed: count("order"),
    chargesIndexed: count("charge"),
    skipped: rows.filter((r) => r.result === "skipped").length,
    pastHorizon: rows.filter((r) => r.result === "past_horizon").length,
  };
  const resume = startKey ? JSON.stringify(startKey) : null;
  const verb = request.dryRun ? "to index" : "indexed";
  const heading = request.dryRun
    ? `backfill-audits, dry run (nothing written), as of ${kst(now)}`
    : `backfill-audits: auditAfter = ${kst(now)}, due at the next reconciler run`;
  const summary = formatTable(
    ["", "COUNT"],
    [
      ["items scanned", String(counts.scanned)],
      [`orders ${verb} (HELD#)`, String(counts.ordersIndexed)],
      [`charges ${verb} (KEPT#)`, String(counts.chargesIndexed)],
      ["skipped (written meanwhile: its writer indexed it)", String(counts.skipped)],
      ["past the audit's horizon (not indexed)", String(counts.pastHorizon)],
      ["truncated by --scan-limit", resume ? "yes" : "no"],
    ],
  );
  const listed = request.dryRun
    ? rows.length
      ? `\n${formatTable(
          ["KIND", "ID", "SUBSCRIPTION", "INDEX", "DUE (KST)", "RESULT"],
          rows.map((r) => [r.kind, r.id, r.subscriptionId ?? "-", r.index, kst(r.due), r.result]),
        )}`
      : "\nnothing to index\n"
    : "";
  const tail = resume
    ? `\ntruncated: run again with --start-after ${quoted(resume)}\n`
    : "\ncomplete: the whole table was read\n";
  return {
    json: {
      dryRun: request.dryRun,
      auditAfter: now,
      scanLimit: request.scanLimit,
      startAfter: request.startAfter ?? null,
      ...counts,
      truncated: resume !== null,
      nextStartAfter: startKey ?? null,
      items: rows,
    },
    text: `${heading}\n\n${summary}${listed}${tail}`,
  };
}
