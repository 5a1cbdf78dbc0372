/** What iamport V1 posts: no amount, no signature (fact sheet §7). */
export interface WebhookEvent {
  imp_uid: string;
  merchant_uid: string;
  status: "paid" | "ready" | "cancelled" | "failed";
  cancellation_id?: string;
}

/** One delivery attempt, as `webhooks()` reports it. */
export interface WebhookDelivery {
  url: string;
  body: WebhookEvent;
  format: "json" | "form";
  /** 1 for the first try, then 2.. for retries. */
  attempt: number;
  /** HTTP status the receiver answered, when it answered. */
  status?: number;
  /** Network error, timeout, or "dropped by sandbox fault". */
  error?: string;
  /** Sandbox clock (unix seconds) when the attempt was made. */
  attempted_at: number;
  /** Wall-clock ms, to tell apart attempts within one sandbox second. */
  attempted_at_ms: number;
  /** The webhook fault applied to this delivery, if any. */
  fault?: WebhookFaultKind;
}

export type WebhookFaultKind = "duplicate" | "delay" | "drop" | "reorder";

/** A webhook fault: applies to the next `times` events (default: every event). */
export interface WebhookFaultRule {
  kind: WebhookFaultKind;
  /** For delay: how long to hold the event (default 1000 ms). */
  ms?: number;
  times?: number;
}
