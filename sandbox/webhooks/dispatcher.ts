import type { SandboxClock } from "../core/clock.js";
import { postWebhook } from "./post-webhook.js";
import type { WebhookDelivery, WebhookEvent, WebhookFaultKind, WebhookFaultRule } from "./types.js";

export interface DispatcherOptions {
  clock: SandboxClock;
  format: "json" | "form";
  retries: number;
  retryIntervalMs: number;
  timeoutMs: number;
}

/** flushWebhooks gives up after this long so a test can never hang on it. */
const FLUSH_LIMIT_MS = 30_000;

/**
 * Sends webhooks in the order events happen (one at a time, like a queue), except where a
 * fault says otherwise. Every pending delivery is tracked so `flush()` can wait for it.
 */
export class WebhookDispatcher {
  readonly deliveries: WebhookDelivery[] = [];
  private faults: Array<WebhookFaultRule & { left: number }> = [];
  private tail: Promise<void> = Promise.resolve();
  private pending = new Set<Promise<void>>();
  private timers = new Set<NodeJS.Timeout>();
  private held: Array<() => void> = [];
  private abort = new AbortController();

  constructor(private readonly opts: DispatcherOptions) {}

  addFault(rule: WebhookFaultRule): void {
    this.faults.push({ ...rule, left: rule.times ?? Number.POSITIVE_INFINITY });
  }

  /** The active rules with the uses left (`null` = unlimited). */
  listFaults(): Array<WebhookFaultRule & { left: number | null }> {
    return this.faults
      .filter((f) => f.left > 0)
      .map((f) => ({ ...f, left: Number.isFinite(f.left) ? f.left : null }));
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Queues one event to every target URL. No targets: nothing is sent (no console URL set). */
  send(urls: string[], event: WebhookEvent): void {
    if (urls.length === 0) return;
    const fault = this.takeFault();
    for (const url of urls) this.route(url, event, fault);
    // A held (reordered) event goes out right after the next one that is not held.
    if (fault?.kind !== "reorder") this.releaseHeld();
  }

  private route(url: string, event: WebhookEvent, fault: WebhookFaultRule | undefined): void {
    const kind = fault?.kind;
    if (kind === "drop") {
      this.record(url, event, 1, { error: "dropped by sandbox fault" }, kind);
      return;
    }
    if (kind === "delay") {
      this.later(fault?.ms ?? 1000, () => this.enqueue(url, event, 1, kind));
      return;
    }
    if (kind === "reorder") {
      this.held.push(() => this.enqueue(url, event, 1, kind));
      return;
    }
    this.enqueue(url, event, 1, kind);
    if (kind === "duplicate") this.enqueue(url, event, 1, kind);
  }

  private takeFault(): WebhookFaultRule | undefined {
    const rule = this.faults.find((f) => f.left > 0);
    if (rule) rule.left -= 1;
    return rule;
  }

  private releaseHeld(): void {
    const held = this.held;
    this.held = [];
    for (const release of held) release();
  }

  private enqueue(url: string, event: WebhookEvent, attempt: number, fault?: WebhookFaultKind): void {
    const job = this.tail.then(async () => {
      if (this.abort.signal.aborted) return;
      const result = await postWebhook(url, event, this.opts.format, this.opts.timeoutMs, this.abort.signal);
      this.record(url, event, attempt, result, fault);
      const retryable = result.error !== undefined || (result.status ?? 0) >= 500;
      if (retryable && attempt <= this.opts.retries && !this.abort.signal.aborted) {
        this.later(this.opts.retryIntervalMs, () => this.enqueue(url, event, attempt + 1, fault));
      }
    });
    this.tail = job;
    this.track(job);
  }

  private later(ms: number, fn: () => void): void {
    const wait = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        fn();
        resolve();
      }, ms);
      this.timers.add(timer);
    });
    this.track(wait);
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private record(
    url: string,
    event: WebhookEvent,
    attempt: number,
    result: { status?: number; error?: string },
    fault?: WebhookFaultKind,
  ): void {
    this.deliveries.push({
      url,
      body: { ...event },
      format: this.opts.format,
      attempt,
      ...result,
      attempted_at: this.opts.clock.now(),
      attempted_at_ms: Date.now(),
      ...(fault ? { fault } : {}),
    });
  }

  /** Resolves once every queued, held, delayed and retried delivery has been attempted. */
  async flush(): Promise<void> {
    const deadline = Date.now() + FLUSH_LIMIT_MS;
    while ((this.pending.size > 0 || this.held.length > 0) && Date.now() < deadline) {
      this.releaseHeld();
      const timeout = new Promise<void>((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref());
      await Promise.race([Promise.allSettled([...this.pending]), timeout]);
    }
  }

  reset(): void {
    this.clearFaults();
    this.held = [];
    this.deliveries.length = 0;
  }

  close(): void {
    this.abort.abort();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.held = [];
    this.abort = new AbortController();
  }
}
