import { cancelPayment, cancelWebhookStatus } from "../core/cancel.js";
import { checkout } from "../core/checkout.js";
import type { Engine } from "../core/engine.js";
import { ControlError } from "../core/errors.js";
import { checkModes, defaultModes, ModeError, type SandboxModes } from "../core/modes.js";
import type { PayInput, PayResult } from "../core/pay-input.js";
import { snapshot } from "../core/payment.js";
import { runDueSchedules } from "../core/schedule-run.js";
import type { ScheduleView } from "../core/schedule-types.js";
import { byScheduleAt, scheduleView } from "../core/schedules.js";
import type { BillingKeyView, DeclineRule, PaymentView, PreparedView } from "../core/types.js";
import { depositVbank } from "../core/vbank.js";
import type { FaultBook, FaultRule } from "../http/faults.js";
import type { WebhookDelivery, WebhookFaultRule } from "../webhooks/types.js";

/**
 * The sandbox's test-facing API: clock, outcomes a person or the PG would cause, faults and
 * inspection. Every method has an HTTP twin under `/__sandbox/...`.
 */
export class SandboxControl {
  constructor(
    private readonly engine: Engine,
    private readonly faultBook: FaultBook,
  ) {}

  /** Sandbox clock, unix seconds. */
  now(): number {
    return this.engine.clock.now();
  }

  /** Moving the clock executes the schedules it reaches (webhooks follow; see flushWebhooks). */
  setClock(unix: number): number {
    this.engine.clock.set(unix);
    this.runDueSchedules();
    return this.engine.clock.now();
  }

  advanceClock(seconds: number): number {
    this.engine.clock.advance(seconds);
    this.runDueSchedules();
    return this.engine.clock.now();
  }

  /** Executes every pending schedule whose schedule_at the clock has reached; returns them. */
  runDueSchedules(): ScheduleView[] {
    return runDueSchedules(this.engine).map((s) => scheduleView(this.engine, s));
  }

  /** Every schedule (scheduled, executed, revoked), by schedule_at. */
  schedules(): ScheduleView[] {
    return [...this.engine.store.schedules.values()]
      .sort(byScheduleAt)
      .map((s) => scheduleView(this.engine, s));
  }

  /** Finishes a payment window without a browser: same checks and effects as the window. */
  pay(input: PayInput): PayResult {
    if (input === null || typeof input !== "object")
      throw new ControlError("pay needs the request_pay params");
    return checkout(this.engine, input);
  }

  /** The buyer deposits into an issued virtual account: paid + webhook `paid`. */
  depositVbank(impUid: string, options: { amount?: number } = {}): PaymentView {
    return snapshot(depositVbank(this.engine, impUid, options.amount).view);
  }

  /** A cancel made in iamport's console: always sends a webhook (`cancelled`, or by the `partialCancel` mode). */
  cancelFromConsole(
    impUid: string,
    options: { amount?: number; reason?: string; tax_free?: number } = {},
  ): PaymentView {
    if (!this.engine.store.payments.has(impUid)) throw new ControlError(`no payment ${impUid}`, 404);
    const { payment, cancellationId } = cancelPayment(this.engine, {
      imp_uid: impUid,
      amount: options.amount,
      reason: options.reason ?? "관리자 콘솔 취소",
      tax_free: options.tax_free,
      fromConsole: true,
    });
    this.engine.notify(payment, cancelWebhookStatus(this.engine, payment), cancellationId ?? undefined);
    return snapshot(payment.view);
  }

  addFault(rule: FaultRule): void {
    try {
      this.faultBook.add(rule);
    } catch (err) {
      throw new ControlError(err instanceof Error ? err.message : String(err));
    }
  }

  clearFaults(): void {
    this.faultBook.clear();
  }

  faults(): FaultRule[] {
    return this.faultBook.list();
  }

  /** How many REST API requests the sandbox has served (control and window requests not counted). */
  restRequests(): number {
    return this.faultBook.requests;
  }

  /** Matching `again` charges and window card payments decline with this reason. */
  addDecline(rule: DeclineRule): void {
    if (!rule || typeof rule.reason !== "string" || rule.reason === "")
      throw new ControlError("decline needs a reason");
    if (rule.customer_uid === undefined && rule.card_number === undefined && rule.card_code === undefined)
      throw new ControlError("decline needs customer_uid, card_number or card_code");
    const answers = ["status-failed", "refused", "refused-with-record"];
    if (rule.answer !== undefined && !answers.includes(rule.answer))
      throw new ControlError(`decline answer must be one of ${answers.join(", ")}`);
    this.engine.store.declines.push({ ...rule });
  }

  clearDeclines(): void {
    this.engine.store.declines = [];
  }

  /** Removes the rules of one billing key (its card works again). */
  removeDeclines(customerUid: string): void {
    this.engine.store.declines = this.engine.store.declines.filter((r) => r.customer_uid !== customerUid);
  }

  setWebhookFault(rule: WebhookFaultRule): void {
    const kinds = ["duplicate", "delay", "drop", "reorder"];
    if (!rule || !kinds.includes(rule.kind))
      throw new ControlError(`webhook fault kind must be one of ${kinds.join(", ")}`);
    this.engine.webhooks.addFault(rule);
  }

  /** Active webhook fault rules and how many uses each has left (`null` = unlimited). */
  webhookFaults(): Array<WebhookFaultRule & { left: number | null }> {
    return this.engine.webhooks.listFaults();
  }

  clearWebhookFaults(): void {
    this.engine.webhooks.clearFaults();
  }

  payments(): PaymentView[] {
    return [...this.engine.store.payments.values()].map((p) => snapshot(p.view));
  }

  payment(impUid: string): PaymentView | undefined {
    const p = this.engine.store.payments.get(impUid);
    return p ? snapshot(p.view) : undefined;
  }

  billingKeys(): BillingKeyView[] {
    return [...this.engine.store.billingKeys.values()].map((k) => snapshot(k.view));
  }

  prepared(): PreparedView[] {
    return [...this.engine.store.prepared.values()].map((p) => ({ ...p }));
  }

  webhooks(): WebhookDelivery[] {
    return snapshot(this.engine.webhooks.deliveries);
  }

  /** Resolves when every queued, delayed, held or retried webhook has been attempted (max 30 s). */
  flushWebhooks(): Promise<void> {
    return this.engine.webhooks.flush();
  }

  /** The behaviour modes in force (README, "Behaviour modes"). */
  modes(): SandboxModes {
    return { ...this.engine.modes };
  }

  /**
   * Changes the named behaviour modes (the others stay); applies to the next request.
   * Throws a ControlError naming the allowed values for an unknown name or value.
   * @example control.setModes({ partialCancel: "cancelled", againDecline: "refused" })
   */
  setModes(modes: Partial<SandboxModes>): SandboxModes {
    try {
      this.engine.modes = { ...this.engine.modes, ...checkModes(modes) };
    } catch (err) {
      if (err instanceof ModeError) throw new ControlError(err.message);
      throw err;
    }
    return this.modes();
  }

  /** Every mode back to its default. */
  resetModes(): SandboxModes {
    this.engine.modes = defaultModes();
    return this.modes();
  }

  /** Empties payments, prepares, billing keys, schedules, declines, faults and webhook records; modes stay (they are configuration). */
  reset(): void {
    this.engine.reset();
    this.faultBook.clear();
  }
}
