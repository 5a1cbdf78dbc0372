/**
 * The soak at CI size inside `npm test` (the full size is `npm run soak`, its
 * figures in the README). Prints its figures line, as `npm run soak` does.
 */
import { expect } from "vitest";
import { runSoak, type SoakOptions } from "../../chaos/soak/run-soak.js";

export const CI_SIZE = { subscriptions: 50, cycles: 6, orders: 100, faultRate: 0.2, maxSeconds: 150 };

export async function soakAtCiSize(seed: number, extra: Partial<SoakOptions> = {}) {
  const result = await runSoak({ ...CI_SIZE, seed, ...extra });
  const {
    violations,
    broken_history,
    crash_points: _c,
    fault_kinds: _f,
    console_cancels,
    ...figures
  } = result;
  process.stderr.write(
    `soak ${JSON.stringify(figures)} console cancels ${JSON.stringify(console_cancels)}\n`,
  );
  if (violations.length > 0) {
    process.stderr.write(`soak violations (replay: npm run soak -- --seed ${seed} ...):\n`);
    for (const v of violations.slice(0, 20)) process.stderr.write(`  ${v.kind} ${v.key}: ${v.detail}\n`);
    for (const line of broken_history?.lines ?? []) process.stderr.write(`  ${line}\n`);
  }
  return result;
}

/** The books balance: every count that names a broken promise is zero, and the run did real work. */
export function expectBalancedBooks(result: Awaited<ReturnType<typeof soakAtCiSize>>) {
  expect(result.violations).toEqual([]);
  expect(result).toMatchObject({
    double_charges: 0,
    unrefunded_surplus: 0,
    lost_payments: 0,
    stuck: 0,
    refund_mismatches: 0,
    event_mismatches: 0,
  });
  // Subscriptions pause, cancel and decline: most, not all, of their cycles fall due.
  expect(result.cycles_due).toBeGreaterThan(CI_SIZE.subscriptions * 2);
  expect(result.cycles_charged_once).toBeGreaterThan(result.cycles_due * 0.8);
  expect(result.faults_injected).toBeGreaterThan(100);
  expect(result.crashes_injected).toBeGreaterThan(20);
  // The merchant cancelled orders and subscription charges at iamport's console, some with their webhooks lost.
  expect(result.console_cancels.orders).toBeGreaterThan(0);
  expect(result.console_cancels.charges).toBeGreaterThan(0);
  expect(result.console_cancels.lost_webhooks).toBeGreaterThan(0);
  // Every crash point the soak knows was reached at least once.
  expect(Object.keys(result.crash_points).sort()).toEqual(
    expect.arrayContaining([
      "between again and its record",
      "between claim and again",
      "between the cancel and its record",
      "between the record and the ack",
    ]),
  );
}
