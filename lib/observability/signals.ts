/**
 * The one list of what is counted and alarmed (`signals.json`): every alert
 * kind a log line can carry (each pages a person) and the counters that alarm
 * only on a rate (spoof attempts, iamport outages). serverless.yml's alarms are
 * derived from the same file (infra/alarms.cjs), so a kind cannot have a
 * metric without an alarm or the other way round.
 */
import signals from "./signals.json" with { type: "json" };

export type AlertKind = keyof typeof signals.alerts;
export type CounterKind = keyof typeof signals.counters;

/** Namespace of every metric: one per stage. */
export const metricNamespace = (stage: string) => `${signals.namespacePrefix}/${stage}`;
/** The metric every alert line adds 1 to, by `alert` (and by `alert` and `function`). */
export const ALERT_METRIC = signals.alertMetric;
/** The metric every counted line adds 1 to, by `signal` (and by `signal` and `function`). */
export const COUNTER_METRIC = signals.counterMetric;

/** An alert kind missing from the list is counted (and alarmed) as `unlisted`, never dropped. */
export function alertKindOf(value: unknown): AlertKind {
  return typeof value === "string" && Object.hasOwn(signals.alerts, value)
    ? (value as AlertKind)
    : "unlisted";
}

export function isCounterKind(value: unknown): value is CounterKind {
  return typeof value === "string" && Object.hasOwn(signals.counters, value);
}

export const alertKinds = Object.keys(signals.alerts) as AlertKind[];
export const counterKinds = Object.keys(signals.counters) as CounterKind[];
