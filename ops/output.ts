/**
 * Output for people (aligned tables, times in KST) and for scripts (one JSON
 * document). Korea has kept UTC+9 with no daylight saving since 1988, so a KST
 * time is the UTC instant plus nine hours, exactly.
 */

/** Where the CLI writes: process.stdout/stderr, or a test's buffers. */
export interface Writer {
  write(chunk: string): unknown;
}

const KST_OFFSET_MS = 9 * 60 * 60_000;

/** `YYYY-MM-DD HH:mm:ss KST` for an ISO instant; `-` when there is none or it does not parse. */
export function kst(iso: string | undefined | null): string {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(ms)) return "-";
  return `${new Date(ms + KST_OFFSET_MS).toISOString().slice(0, 19).replace("T", " ")} KST`;
}

/** KRW with thousands separators. */
export function krw(amount: unknown): string {
  return typeof amount === "number" ? `${amount.toLocaleString("en-US")} KRW` : "? KRW";
}

/** Rows under a header, each column as wide as its widest cell; cells on one line. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const clean = (cell: string) => cell.replace(/\s+/g, " ");
  const all = [header, ...rows].map((row) => row.map(clean));
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? "").length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return `${all.map(line).join("\n")}\n`;
}

/** A command's result: a JSON document for `--json`, text for people. */
export interface CommandOutput {
  json: unknown;
  text: string;
  /** Printed in full, but something was not done (an event the bus refused): this line on stderr, exit 1. */
  failure?: string;
}
