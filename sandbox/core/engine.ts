import { WebhookDispatcher } from "../webhooks/dispatcher.js";
import type { WebhookEvent } from "../webhooks/types.js";
import { SandboxClock } from "./clock.js";
import { IdGenerator } from "./ids.js";
import { checkModes, defaultModes, type SandboxModes } from "./modes.js";
import type { ResolvedOptions, SandboxOptions } from "./options.js";
import { resolveOptions } from "./options.js";
import { SandboxStore } from "./store.js";
import type { StoredPayment } from "./types.js";

/**
 * The shared state every route and control call works on: options, clock, store, ids and
 * the webhook dispatcher. One per sandbox instance; nothing is module-global, so several
 * sandboxes can run in one process.
 */
export class Engine {
  readonly options: ResolvedOptions;
  readonly clock: SandboxClock;
  readonly store = new SandboxStore();
  readonly ids = new IdGenerator();
  readonly webhooks: WebhookDispatcher;
  /** The behaviour modes in force; routes read them per request, so a change applies at once. */
  modes: SandboxModes;
  /** Set once the server listens; receipt URLs and the window need it. */
  baseUrl = "http://127.0.0.1";

  constructor(options: SandboxOptions = {}) {
    this.options = resolveOptions(options);
    this.clock = new SandboxClock(options.now);
    this.modes = { ...defaultModes(), ...checkModes(options.modes) };
    this.webhooks = new WebhookDispatcher({
      clock: this.clock,
      format: this.options.webhookFormat,
      retries: this.options.webhookRetries,
      retryIntervalMs: this.options.webhookRetryIntervalMs,
      timeoutMs: this.options.webhookTimeoutMs,
    });
  }

  /** notice_url replaces the console URL for that payment (fact sheet §7). */
  notify(payment: StoredPayment, status: WebhookEvent["status"], cancellationId?: string): void {
    const urls =
      payment.meta.noticeUrls.length > 0
        ? payment.meta.noticeUrls
        : this.options.webhookUrl
          ? [this.options.webhookUrl]
          : [];
    const event: WebhookEvent = {
      imp_uid: payment.view.imp_uid,
      merchant_uid: payment.view.merchant_uid,
      status,
    };
    if (cancellationId) event.cancellation_id = cancellationId;
    this.webhooks.send(urls, event);
  }

  touch(payment: StoredPayment): void {
    payment.meta.updatedAt = this.clock.now();
  }

  reset(): void {
    this.store.reset();
    this.webhooks.reset();
  }
}

/** Normalises notice_url (string, array, or missing) to a list. */
export function noticeUrls(value: unknown): string[] {
  if (typeof value === "string" && value !== "") return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string" && v !== "");
  return [];
}
