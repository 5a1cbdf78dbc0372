/**
 * Metrics come from the logger (CloudWatch Embedded Metric Format): an alert
 * line is a PaymentAlerts data point by kind and function, a signal line a
 * Signals data point; every alert kind the code can log is in the one list
 * (signals.json) from which the alarms are derived.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createLogger } from "../../../lib/observability/logger.js";
import { alertKinds, counterKinds } from "../../../lib/observability/signals.js";
import { repoRoot } from "../../../local/serverless-routes.js";

function capture() {
  const lines: Array<Record<string, any>> = [];
  const logger = createLogger({
    write: (line) => lines.push(JSON.parse(line)),
    metrics: { namespace: "KiccPayments/prod", functionName: "kicc-payments-prod-iamportWebhook" },
  });
  return { logger, lines };
}

describe("EMF metrics from the logger", () => {
  test("an alert line is a PaymentAlerts data point by alert kind, and by kind and function", () => {
    const { logger, lines } = capture();
    const before = Date.now();

    logger.error("ALERT amount differs", { alert: "amount_mismatch", merchant_uid: "ord_1" });

    const line = lines[0]!;
    expect(line).toMatchObject({
      alert: "amount_mismatch",
      function: "kicc-payments-prod-iamportWebhook",
      PaymentAlerts: 1,
      merchant_uid: "ord_1",
    });
    expect(line._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: "KiccPayments/prod",
        Dimensions: [["alert"], ["alert", "function"]],
        Metrics: [{ Name: "PaymentAlerts", Unit: "Count" }],
      },
    ]);
    // A number, in milliseconds: redaction (which masks 13-digit numbers) must not touch it.
    expect(line._aws.Timestamp).toBeGreaterThanOrEqual(before);
  });

  test("a signal line is a Signals data point and pages no one (no alert field)", () => {
    const { logger, lines } = capture();

    logger.warn("spoof", { signal: "spoofed_imp_uid" });

    expect(lines[0]).not.toHaveProperty("alert");
    expect(lines[0]).toMatchObject({ signal: "spoofed_imp_uid", Signals: 1 });
    expect(lines[0]!._aws.CloudWatchMetrics[0].Dimensions).toEqual([["signal"], ["signal", "function"]]);
  });

  test("an alert kind missing from the list is counted as `unlisted`, keeping what was logged", () => {
    const { logger, lines } = capture();

    logger.error("ALERT new", { alert: "brand_new_kind" });

    expect(lines[0]).toMatchObject({ alert: "unlisted", unlisted_alert: "brand_new_kind", PaymentAlerts: 1 });
  });

  test("other lines carry no metric; without a target no line does", () => {
    const { logger, lines } = capture();
    const plain: string[] = [];

    logger.info("hello", { merchant_uid: "ord_1" });
    createLogger({ write: (line) => plain.push(line) }).error("ALERT x", { alert: "amount_mismatch" });

    expect(lines[0]).not.toHaveProperty("_aws");
    expect(JSON.parse(plain[0]!)).not.toHaveProperty("_aws");
  });
});

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("every alert kind the code can log is listed", () => {
  const read = (file: string) => readFileSync(join(repoRoot, file), "utf8");

  test('every `alert: "…"` literal in lib/ is a listed kind', () => {
    const logged = sources(join(repoRoot, "lib")).flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/\balert: "([a-z_]+)"/g)].map((m) => m[1]!),
    );

    expect(logged.length).toBeGreaterThan(15);
    expect(logged.filter((kind) => !alertKinds.includes(kind as never))).toEqual([]);
  });

  test("the reasons logged as alerts (order rejections, charge rejections) are listed kinds", () => {
    // verify-payment logs `alert: decision.reason`; settle-charge and late-payment log a rejected charge's reason.
    const orderReasons = read("lib/orders/rules/order-machine.ts")
      .match(/kind: "reject";\s*reason:([^;]+);/)![1]!
      .match(/"([a-z_]+)"/g)!
      .map((r) => r.slice(1, -1));
    const attempt = read("lib/billing/rules/charge-attempt-machine.ts");
    const chargeReasons = [
      ...[...attempt.matchAll(/return "([a-z_]+)";/g)].map((m) => m[1]!),
      ...[...attempt.matchAll(/kind: "rejected", reason: "([a-z_]+)"/g)].map((m) => m[1]!),
    ];

    expect(orderReasons).toContain("not_kicc");
    expect(chargeReasons).toContain("customer_uid_mismatch");
    expect(chargeReasons).toContain("cancelled_at_iamport");
    for (const reason of [...orderReasons, ...chargeReasons]) expect(alertKinds).toContain(reason);
  });

  test("counters are not alerts: a spoof or an outage never pages on its own", () => {
    expect(counterKinds).toEqual(expect.arrayContaining(["spoofed_imp_uid", "iamport_unavailable"]));
    for (const kind of counterKinds) expect(alertKinds).not.toContain(kind);
  });
});
