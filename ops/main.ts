/**
 * `npm run ops -- <command>`: the ops CLI (docs/architecture.md, "Ops CLI").
 * Wiring only: parse the command line, connect through the functions' own
 * container (environment.ts), run one command, print a table or `--json`,
 * and turn failures into one line on stderr with exit code 2 (the input) or
 * 1 (the stack, DynamoDB or iamport).
 *
 * @example
 * const code = await runOps(["timeline", "ord_123", "--json"], { stdout, stderr, env: stack.env });
 */
import { pathToFileURL } from "node:url";
import { ConflictError, NotFoundError, RetryLaterError, ValidationError } from "../lib/errors.js";
import { IamportError } from "../lib/iamport/errors.js";
import { expectPositionals, intFlag, type ParsedArgs, parseCommandLine } from "./args.js";
import { backfillAudits, backfillRequest } from "./backfill-audits.js";
import { connect, type OpsContext } from "./environment.js";
import { UnreachableError, UsageError } from "./errors.js";
import { needsAttention } from "./needs-attention.js";
import type { CommandOutput, Writer } from "./output.js";
import { reconcile } from "./reconcile.js";
import { refund } from "./refund.js";
import { replayWebhook } from "./replay-webhook.js";
import { republishEvents, republishRequest } from "./republish-events.js";
import { timeline } from "./timeline.js";

export interface OpsIo {
  stdout: Writer;
  stderr: Writer;
  /**
   * A local stack's environment (local/stack.ts `Stack.env`) to use instead of `npm start`'s defaults;
   * ignored with `--stage`. Tests pass their stack's.
   */
  env?: Record<string, string>;
}

export const HELP = `Usage: npm run ops -- <command> [arguments] [flags]

Commands:
  timeline <merchant_uid | subscription id>   every notification, iamport call, transition, refund, event and alert, in KST
  needs-attention                              everything waiting on a person, oldest first
  reconcile <merchant_uid | subscription id>   run the reconciler (order) or the charge lookup (subscription) now
  refund <merchant_uid> [amount]               refund through the merchant API's use case
  replay-webhook <merchant_uid> <imp_uid> [status] | <merchant_uid> <NOTE# key>
                                               feed a stored notification through the webhook use case again
  republish-events <merchant_uid | subscription id> [--since <ISO>] | --from <ISO> --to <ISO>
                                               put outbox events on the stage's bus again (a batch from the
                                               events DLQ: its approximateArrivalOf{First,Last}Record); safe to
                                               repeat: an event keeps its id and consumers dedupe by id.
                                               Never writes to the table; exit 1 if the bus refused one
  backfill-audits [--dry-run]                  put orders holding money and kept charges that older code left
                                               off GSI1 on the audits' indexes (HELD#, KEPT#), due now: a bounded
                                               Scan; writes only auditAfter and the index entry, never iamport

Flags:
  --json                     one JSON document on stdout instead of a table
  --stage <name>             a deployed stage (default: the local stack of npm start); needs --table
  --table <name>             the table (default payments-local; a stage's: its stack's PaymentsTableName output)
  --region <region>          AWS region (default ap-northeast-2)
  --iamport-mode <live|test> the stage's IAMPORT_MODE (default live with --stage)
  --kicc-mid <mid>, --kicc-billing-mid <mid>   the stage's MIDs, checked on re-verification
  --log-level <level>        lib's JSON logs on stdout (default silent)
  timeline: --limit <n>      items read at most (default 1000)
  needs-attention: --older-than <minutes> (default 30), --scan-limit <items> (default 10000)
  refund: --reason <text>, --key <Idempotency-Key> (generated and printed when not given);
          a virtual account's: --refund-holder, --refund-bank, --refund-account; --imp-uid <a payment owed back>
  republish-events: --since <ISO> (an aggregate's events from then), --limit <n> (its items read, default 1000);
          --from/--to <ISO> (event times, inclusive), --scan-limit <items> (the Scan's, default 10000)
  backfill-audits: --scan-limit <items> (default 10000), --start-after <json> (the key a truncated run
          printed), --dry-run (lists what it would index, writes nothing)
`;

async function run(ctx: OpsContext, args: ParsedArgs): Promise<CommandOutput> {
  const p = args.positionals;
  const text = (name: "reason" | "key" | "imp-uid" | "refund-holder" | "refund-bank" | "refund-account") =>
    typeof args.flags[name] === "string" ? (args.flags[name] as string) : undefined;
  switch (args.command) {
    case "timeline":
      expectPositionals("timeline", p, { required: ["merchant_uid | subscription id"] });
      return timeline(ctx, p[0] as string, {
        limit: intFlag(args.flags.limit, "limit", { min: 1, max: 100_000, fallback: 1000 }),
      });
    case "needs-attention":
      expectPositionals("needs-attention", p, { required: [] });
      return needsAttention(ctx, {
        olderThanMinutes: intFlag(args.flags["older-than"], "older-than", {
          min: 0,
          max: 100_000,
          fallback: 30,
        }),
        scanLimit: intFlag(args.flags["scan-limit"], "scan-limit", {
          min: 1,
          max: 1_000_000,
          fallback: 10_000,
        }),
        perShard: 1000,
      });
    case "reconcile":
      expectPositionals("reconcile", p, { required: ["merchant_uid | subscription id"] });
      return reconcile(ctx, p[0] as string);
    case "refund": {
      expectPositionals("refund", p, { required: ["merchant_uid"], optional: ["amount"] });
      const reason = text("reason");
      const key = text("key");
      const fields = Object.fromEntries(
        (["imp-uid", "refund-holder", "refund-bank", "refund-account"] as const).flatMap((flag) => {
          const value = text(flag);
          return value === undefined ? [] : [[flag.replace("-", "_"), value]];
        }),
      );
      return refund(ctx, {
        merchantUid: p[0] as string,
        ...(p[1] !== undefined ? { amount: p[1] } : {}),
        ...(reason !== undefined ? { reason } : {}),
        ...(key !== undefined ? { key } : {}),
        fields,
      });
    }
    case "replay-webhook":
      expectPositionals("replay-webhook", p, {
        required: ["merchant_uid", "imp_uid | NOTE# key"],
        optional: ["status"],
      });
      return replayWebhook(ctx, p[0] as string, p[1] as string, p[2]);
    case "republish-events":
      return republishEvents(ctx, republishRequest(p, args.flags));
    case "backfill-audits":
      return backfillAudits(ctx, backfillRequest(p, args.flags));
    default:
      throw new UsageError("no command (ops --help)");
  }
}

const NETWORK = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|socket hang up|fetch failed/i;

/** What a failure means for the person at the terminal: one line, and the exit code. */
function describe(error: unknown, ctx: OpsContext | undefined): { line: string; code: 1 | 2 } {
  const where = ctx?.target ?? "the stack";
  if (error instanceof UsageError) return { line: error.message, code: 2 };
  if (error instanceof NotFoundError) return { line: `${error.message} in ${where}`, code: 2 };
  if (error instanceof ValidationError) return { line: `refused: ${error.message}`, code: 2 };
  if (error instanceof ConflictError)
    return {
      line: `refused (${error.code}): ${error.message}`,
      code: error.code === "idempotency_key_reused" ? 2 : 1,
    };
  if (error instanceof UnreachableError) return { line: error.message, code: 1 };
  if (error instanceof RetryLaterError || error instanceof IamportError)
    return { line: `iamport cannot be reached or answered now: ${error.message}`, code: 1 };
  const e = error as {
    name?: string;
    message?: string;
    code?: string;
    cause?: { code?: string; message?: string };
  };
  const text = `${e.name ?? ""} ${e.code ?? ""} ${e.message ?? ""} ${e.cause?.code ?? ""} ${e.cause?.message ?? ""}`;
  if (e.name === "ResourceNotFoundException")
    return { line: `cannot use ${where}: the table does not exist`, code: 1 };
  if (NETWORK.test(text) || e.name === "TimeoutError")
    return {
      line: `cannot reach ${where}: ${(e.message ?? "").split("\n")[0]} (is the stack running? npm start)`,
      code: 1,
    };
  if (/Credential|UnrecognizedClient|AccessDenied|ExpiredToken/.test(text))
    return { line: `AWS refused ${where}: ${(e.message ?? "").split("\n")[0]}`, code: 1 };
  return { line: `failed: ${(e.message ?? String(error)).split("\n")[0]}`, code: 1 };
}

/** Runs one command line; returns the exit code (0, 1 or 2). Never throws. */
export async function runOps(argv: readonly string[], io: OpsIo): Promise<number> {
  let ctx: OpsContext | undefined;
  let json = false;
  try {
    const args = parseCommandLine(argv);
    json = args.flags.json === true;
    if (args.flags.help || args.command === null) {
      if (args.command === null && !args.flags.help) throw new UsageError("no command (ops --help)");
      io.stdout.write(HELP);
      return 0;
    }
    ctx = connect(args.flags, io.env);
    const out = await run(ctx, args);
    io.stdout.write(json ? `${JSON.stringify(out.json, null, 2)}\n` : out.text);
    if (out.failure === undefined) return 0;
    io.stderr.write(`ops: ${out.failure}\n`);
    return 1;
  } catch (error) {
    const { line, code } = describe(error, ctx);
    io.stderr.write(`ops: ${line}\n`);
    return code;
  }
}

// `npm run ops -- …` (tsx ops/main.ts): the process's own streams and exit code.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runOps(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((code) => {
    process.exitCode = code;
  });
}
