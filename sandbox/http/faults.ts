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

/** Rules used up and still listed (the most recent ones), so a test can see an injected fault was met. */
const SPENT_KEPT = 1000;

/** Holds the active rules; each match uses up one of its `times`. */
export class FaultBook {
  private rules: Array<FaultRule & { left: number }> = [];
  /**
   * Used-up rules leave `rules`: a soak arms tens of thousands of one-shot faults, and every request
   * would otherwise walk all of them.
   */
  private spent: Array<FaultRule & { left: number }> = [];
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
    this.spent = [];
  }

  /** The spent rules kept (oldest first), then the active ones in the order they were added. */
  list(): FaultRule[] {
    return [...this.spent, ...this.rules].map(({ left, ...r }) => ({
      ...r,
      ...(Number.isFinite(left) ? { times: left } : {}),
    }));
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
    if (rule) {
      rule.left -= 1;
      if (rule.left <= 0) {
        this.rules.splice(this.rules.indexOf(rule), 1);
        this.spent.push(rule);
        if (this.spent.length > SPENT_KEPT) this.spent.splice(0, this.spent.length - SPENT_KEPT);
      }
    }
    return rule;
  }
}
