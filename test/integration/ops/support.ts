/** Runs the ops CLI in-process against a test's stack and keeps what it printed. */
import { runOps } from "../../../ops/main.js";
import type { TestStack } from "../../support/stack.js";

export interface OpsRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run ops -- …argv` against this test file's stack (its table, DynamoDB Local, the sandbox). */
export async function ops(
  t: TestStack,
  argv: string[],
  env: Record<string, string> = t.stack.env,
): Promise<OpsRun> {
  let stdout = "";
  let stderr = "";
  const code = await runOps(argv, {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env,
  });
  return { code, stdout, stderr };
}

/** The KST wall time of an instant by the platform's time-zone database (not the CLI's own arithmetic). */
export function kstByIntl(iso: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone: "Asia/Seoul",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(new Date(iso))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} KST`;
}
