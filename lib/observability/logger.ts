/**
 * Structured JSON logs (one line per event, CloudWatch-friendly) with personal
 * data masked on the way out: buyer phone, email and card numbers never reach
 * the logs in clear (invariant 7).
 *
 * The one place metrics come from, too: a line with `alert` or `signal` also
 * carries CloudWatch Embedded Metric Format (EMF) metadata, so CloudWatch
 * counts it (by kind, and by kind and function) with no log filter to drift.
 */
import { ALERT_METRIC, alertKindOf, COUNTER_METRIC, type CounterKind, isCounterKind } from "./signals.js";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown> & {
  /** A payment needs a person: pages on-call (its kind must be listed in signals.json). */
  alert?: string;
  /** Counted, alarmed only on a rate: spoof attempts, outages. */
  signal?: CounterKind;
};

/** Where EMF metrics go: the stage's namespace, and the function as a dimension. */
export interface MetricsTarget {
  namespace: string;
  functionName: string;
}

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (request id, merchant_uid...). */
  child(fields: LogFields): Logger;
}

const ORDER: Record<LogLevel | "silent", number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };
const SECRET_KEYS = /secret|password|token|authorization|api[-_]?key|imp_key|cvc|pwd/i;
const PHONE_KEYS = /tel|phone/i;
const EMAIL_KEYS = /email/i;
const CARD_KEYS = /card_number|cardnumber|refund_account|vbank_num/i;

/** Keeps the last 4 digits of a phone number. */
export function maskPhone(value: string): string {
  const digits = value.replace(/\D/g, "");
  return digits.length <= 4 ? "****" : `${"*".repeat(digits.length - 4)}${digits.slice(-4)}`;
}

/** Keeps the first letter of the local part and the domain. */
export function maskEmail(value: string): string {
  const at = value.indexOf("@");
  if (at < 1) return "***";
  return `${value[0]}***${value.slice(at)}`;
}

/**
 * Masks card numbers (13-19 digits, maybe grouped) and Korean mobile numbers
 * that slip into free text. Ids such as imp_uid (12 digits) stay readable.
 */
function maskDigitsInText(value: string): string {
  // Lookarounds, not \b: a card number glued to letters ("card4111...") is still a card number.
  return value
    .replace(/(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/g, (run) => maskPhone(run))
    .replace(/(?<!\d)01[016789][ -]?\d{3,4}[ -]?\d{4}(?!\d)/g, (run) => maskPhone(run))
    .replace(/[^\s@"<>()[\]\\,;:]+@[^\s@"<>()[\]\\,;:]+/g, (address) => maskEmail(address));
}

/** Returns a copy of `value` with personal data and secrets masked, recursively. */
export function redact(value: unknown, key = "", depth = 0): unknown {
  if (depth > 8) return "[depth]";
  if (value === null || value === undefined) return value;
  if (typeof value === "string") {
    if (SECRET_KEYS.test(key)) return "[redacted]";
    if (PHONE_KEYS.test(key) || CARD_KEYS.test(key)) return maskPhone(value);
    if (EMAIL_KEYS.test(key)) return maskEmail(value);
    return maskDigitsInText(value);
  }
  if (value instanceof Error) {
    // The stack repeats the message: masked the same way.
    return {
      name: value.name,
      message: maskDigitsInText(value.message),
      ...(value.stack ? { stack: maskDigitsInText(value.stack) } : {}),
    };
  }
  // A card number stored as a number (13+ digits) is masked like one in text.
  if (typeof value === "number" && Math.abs(value) >= 1e12) return maskPhone(String(value));
  if (Array.isArray(value)) return value.map((item) => redact(item, key, depth + 1));
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redact(v, k, depth + 1);
    return out;
  }
  return value;
}

/**
 * The EMF members for a redacted entry with `alert` or `signal`, or nothing.
 * Added after redaction: the timestamp is a 13-digit number `redact` would mask.
 */
function emf(entry: Record<string, unknown>, target: MetricsTarget | undefined): Record<string, unknown> {
  if (!target) return {};
  const directives: Array<{ Namespace: string; Dimensions: string[][]; Metrics: object[] }> = [];
  const members: Record<string, unknown> = {};
  if (entry.alert !== undefined) {
    members.alert = alertKindOf(entry.alert);
    // The kind as logged stays readable; the metric counts it as `unlisted` (which has its own alarm).
    if (members.alert !== entry.alert) members.unlisted_alert = entry.alert;
    members[ALERT_METRIC] = 1;
    directives.push({
      Namespace: target.namespace,
      Dimensions: [["alert"], ["alert", "function"]],
      Metrics: [{ Name: ALERT_METRIC, Unit: "Count" }],
    });
  }
  if (isCounterKind(entry.signal)) {
    members[COUNTER_METRIC] = 1;
    directives.push({
      Namespace: target.namespace,
      Dimensions: [["signal"], ["signal", "function"]],
      Metrics: [{ Name: COUNTER_METRIC, Unit: "Count" }],
    });
  }
  if (directives.length === 0) return {};
  return {
    ...members,
    function: target.functionName,
    _aws: { Timestamp: Date.now(), CloudWatchMetrics: directives },
  };
}

export function createLogger(
  options: {
    level?: LogLevel | "silent";
    base?: LogFields;
    write?: (line: string) => void;
    /** Emit EMF metrics for alert and signal lines (on AWS; tests and the local stack may too). */
    metrics?: MetricsTarget;
  } = {},
): Logger {
  const threshold = ORDER[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const base = options.base ?? {};
  const log = (level: LogLevel, message: string, fields?: LogFields) => {
    if (ORDER[level] < threshold) return;
    const entry = redact({ level, time: new Date().toISOString(), message, ...base, ...fields }) as Record<
      string,
      unknown
    >;
    write(JSON.stringify({ ...entry, ...emf(entry, options.metrics) }));
  };
  return {
    debug: (message, fields) => log("debug", message, fields),
    info: (message, fields) => log("info", message, fields),
    warn: (message, fields) => log("warn", message, fields),
    error: (message, fields) => log("error", message, fields),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}
