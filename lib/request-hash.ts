/**
 * The fingerprint of a request body, stored with an idempotency key: a retry with the same key and
 * the same body replays the first answer; the same key with another body is refused
 * (`idempotency_key_reused`). Orders, refunds and subscriptions all use it.
 */
import { createHash } from "node:crypto";

/** Key order does not matter: the same body in any order hashes the same. */
export function hashRequest(value: unknown): string {
  return createHash("sha256").update(stableJson(value)).digest("hex");
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
