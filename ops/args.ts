/**
 * The command line: `<command> [arguments] [flags]`. Every flag is known;
 * one a command does not take, or an unknown one, is a UsageError.
 */
import { parseArgs } from "node:util";
import { UsageError } from "./errors.js";

export const COMMANDS = [
  "timeline",
  "needs-attention",
  "reconcile",
  "refund",
  "replay-webhook",
  "republish-events",
  "backfill-audits",
] as const;
export type CommandName = (typeof COMMANDS)[number];

const OPTIONS = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  stage: { type: "string" },
  region: { type: "string" },
  table: { type: "string" },
  "iamport-mode": { type: "string" },
  "kicc-mid": { type: "string" },
  "kicc-billing-mid": { type: "string" },
  "log-level": { type: "string" },
  reason: { type: "string" },
  key: { type: "string" },
  "imp-uid": { type: "string" },
  "refund-holder": { type: "string" },
  "refund-bank": { type: "string" },
  "refund-account": { type: "string" },
  limit: { type: "string" },
  "older-than": { type: "string" },
  "scan-limit": { type: "string" },
  since: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  "start-after": { type: "string" },
  "dry-run": { type: "boolean" },
} as const;

type Flag = keyof typeof OPTIONS;

/** Flags every command takes (where and how to connect, the output). */
const GLOBAL: readonly Flag[] = [
  "json",
  "help",
  "stage",
  "region",
  "table",
  "iamport-mode",
  "kicc-mid",
  "kicc-billing-mid",
  "log-level",
];
const PER_COMMAND: Record<CommandName, readonly Flag[]> = {
  timeline: ["limit"],
  "needs-attention": ["older-than", "scan-limit"],
  reconcile: [],
  refund: ["reason", "key", "imp-uid", "refund-holder", "refund-bank", "refund-account"],
  "replay-webhook": [],
  "republish-events": ["since", "limit", "from", "to", "scan-limit"],
  "backfill-audits": ["scan-limit", "start-after", "dry-run"],
};

export interface ParsedArgs {
  command: CommandName | null;
  positionals: string[];
  flags: Partial<Record<Flag, string | boolean>>;
}

/** @throws UsageError naming the first problem */
export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // node's messages are clear but long ("To specify a positional argument starting with a '-'..."): first sentence.
    const message = error instanceof Error ? error.message.split(/\. |\n/)[0] : String(error);
    throw new UsageError(message ?? "invalid arguments");
  }
  const [name, ...positionals] = parsed.positionals;
  const flags = parsed.values as ParsedArgs["flags"];
  if (name === undefined) return { command: null, positionals: [], flags };
  if (!(COMMANDS as readonly string[]).includes(name))
    throw new UsageError(`unknown command "${name}"; one of: ${COMMANDS.join(", ")} (ops --help)`);
  const command = name as CommandName;
  const allowed = new Set<Flag>([...GLOBAL, ...PER_COMMAND[command]]);
  for (const flag of Object.keys(flags) as Flag[]) {
    if (!allowed.has(flag)) throw new UsageError(`${command} does not take --${flag}`);
  }
  return { command, positionals, flags };
}

/** A whole number flag within bounds, or its default. */
export function intFlag(
  value: string | boolean | undefined,
  name: string,
  bounds: { min: number; max: number; fallback: number },
): number {
  if (value === undefined) return bounds.fallback;
  const n = Number(value);
  if (typeof value !== "string" || !Number.isInteger(n) || n < bounds.min || n > bounds.max)
    throw new UsageError(`--${name} must be a whole number from ${bounds.min} to ${bounds.max}`);
  return n;
}

/** Exactly `count` positionals (with `optional` more allowed), named for the message. */
export function expectPositionals(
  command: string,
  positionals: readonly string[],
  names: { required: string[]; optional?: string[] },
): void {
  const max = names.required.length + (names.optional?.length ?? 0);
  if (positionals.length < names.required.length) {
    const missing = names.required[positionals.length];
    throw new UsageError(`${command}: missing <${missing}>`);
  }
  if (positionals.length > max) throw new UsageError(`${command}: unexpected argument "${positionals[max]}"`);
}
