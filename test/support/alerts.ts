/**
 * Reads the ALERT lines the handlers log (`alert` field) in a test: the stack
 * must log at `error` or below. Installs the stdout spy around each test.
 */
import { afterEach, beforeEach, type MockInstance, vi } from "vitest";

/** Call at the top of a test file; the returned function lists the logged lines with `alert: name`. */
export function captureAlerts(): (name: string) => Array<Record<string, unknown>> {
  let stdout: MockInstance;
  beforeEach(() => {
    stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  });
  afterEach(() => stdout.mockRestore());
  return (name) =>
    stdout.mock.calls
      .map(([chunk]) => String(chunk))
      .flatMap((text) => text.split("\n"))
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.alert === name);
}
