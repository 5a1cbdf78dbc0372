import { matchPath } from "./router.js";

export type RouteFaultKind =
  | "latency"
  | "status"
  | "drop"
  | "timeout"
  | "lost-response"
  /** The operation happens, then iamport answers HTTP 200 with a non-zero code (a PG communication error). */
  | "refused-after-success";

/** A per-route fault on the REST API. */
export interface FaultRule {
  /** HTTP method to match; any when omitted. */
  method?: string;
  /** Path pattern like "/payments/:imp_uid" or "/subscribe/payments/again". */
  path: string;
  kind: RouteFaultKind;
  /** latency: added delay (default 1000). */
  ms?: number;
  /** status: HTTP status to answer (default 500). */
  status?: number;
  /** refused-after-success: the message of the code-1 answer. */
  message?: string;
  /** How many matching requests it applies to; unlimited by default. */
  times?: number;
}

/** Holds the active rules; each match uses up one of its `times`. */
export class FaultBook {
  private rules: Array<FaultRule & { left: number }> = [];
  /** REST requests seen (every one passes here): a fuzzer checks a refused input called nothing. */
  requests = 0;

  add(rule: FaultRule): void {
    const kinds: RouteFaultKind[] = [
      "latency",
      "status",
      "drop",
      "timeout",
      "lost-response",
      "refused-after-success",
    ];
    if (!kinds.includes(rule.kind)) throw new TypeError(`unknown fault kind ${String(rule.kind)}`);
    if (typeof rule.path !== "string" || !rule.path.startsWith("/"))
      throw new TypeError("fault path must start with /");
    this.rules.push({ ...rule, left: rule.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.map(({ left, ...r }) => ({ ...r, ...(Number.isFinite(left) ? { times: left } : {}) }));
  }

  /** Takes the first matching rule with uses left, or undefined. */
  take(method: string, path: string): FaultRule | undefined {
    this.requests++;
    const rule = this.rules.find(
      (r) =>
        r.left > 0 &&
        (r.method === undefined || r.method.toUpperCase() === method) &&
        matchPath(r.path, path),
    );
    if (rule) rule.left -= 1;
    return rule;
  }
}
