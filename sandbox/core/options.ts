import type { SandboxModes } from "./modes.js";

/** Options of {@link startSandbox}. Every field has a default, so `{}` is a working sandbox. */
export interface SandboxOptions {
  /** Port on 127.0.0.1; 0 (default) picks any free port. */
  port?: number;
  /** REST API key; default "sandbox_key". */
  impKey?: string;
  /** REST API secret; default "sandbox_secret". */
  impSecret?: string;
  /** The merchant code pages pass to `IMP.init`; default "imp00000000". */
  merchantCode?: string;
  /** pg_id of window payments (the KICC MID); default "T5102001". */
  kiccMid?: string;
  /** MID of the billing channel, used as `pg: "kicc.<billingMid>"`; default "T5102002". */
  billingMid?: string;
  /** Console webhook URL, used when a payment has no notice_url. */
  webhookUrl?: string;
  /** Console webhook Content-Type setting; default "json". */
  webhookFormat?: "json" | "form";
  /** When true, every payment is marked `sandbox: true` (a test channel); default false. */
  testChannel?: boolean;
  /** Initial sandbox clock in unix seconds; default real time. */
  now?: number;
  /** Webhook retries on 5xx or network error, like iamport's opt-in retry (max 5); default 0. */
  webhookRetries?: number;
  /** Pause between webhook retries in ms; iamport waits one minute, the default here is 1000. */
  webhookRetryIntervalMs?: number;
  /** Per-delivery webhook timeout in ms; default 10000 as iamport's connect timeout. */
  webhookTimeoutMs?: number;
  /**
   * How often (real-time ms) to execute schedules whose schedule_at the clock has reached;
   * default 1000, 0 turns it off (then only clock moves and `runDueSchedules()` execute them).
   */
  scheduleIntervalMs?: number;
  /**
   * Behaviour modes for what iamport leaves undocumented (README, "Behaviour modes"); each
   * one not given is its default. Changeable while running: `control.setModes()`.
   */
  modes?: Partial<SandboxModes>;
}

export type ResolvedOptions = Required<Omit<SandboxOptions, "webhookUrl" | "now" | "modes">> & {
  webhookUrl: string | undefined;
};

export function resolveOptions(options: SandboxOptions = {}): ResolvedOptions {
  const format = options.webhookFormat ?? "json";
  if (format !== "json" && format !== "form") throw new TypeError(`webhookFormat must be json or form`);
  return {
    port: options.port ?? 0,
    impKey: options.impKey ?? "sandbox_key",
    impSecret: options.impSecret ?? "sandbox_secret",
    merchantCode: options.merchantCode ?? "imp00000000",
    kiccMid: options.kiccMid ?? "T5102001",
    billingMid: options.billingMid ?? "T5102002",
    webhookUrl: options.webhookUrl,
    webhookFormat: format,
    testChannel: options.testChannel ?? false,
    webhookRetries: Math.min(Math.max(options.webhookRetries ?? 0, 0), 5),
    webhookRetryIntervalMs: options.webhookRetryIntervalMs ?? 1000,
    webhookTimeoutMs: options.webhookTimeoutMs ?? 10_000,
    scheduleIntervalMs: Math.max(options.scheduleIntervalMs ?? 1000, 0),
  };
}
