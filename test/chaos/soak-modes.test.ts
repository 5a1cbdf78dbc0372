/**
 * The soak in the sandbox's other behaviour modes (sandbox/README.md): iamport
 * leaves these points undocumented, so the books must balance whichever way it
 * behaves. Two small soaks cover every non-default value of every mode; the
 * random-seed soak draws its modes from its seed as well.
 */
import { describe, expect, test } from "vitest";
import { nthSandboxModes } from "../../chaos/soak/run-soak.js";
import { MODE_CHOICES, MODE_NAMES } from "../../sandbox/index.js";
import { soakAtCiSize } from "./soak-support.js";

const SMALL = { subscriptions: 20, cycles: 2, orders: 40, maxSeconds: 60 };

test("the two mode sets below cover every value of every mode", () => {
  for (const name of MODE_NAMES)
    expect(new Set([0, 1, 2].map((k) => nthSandboxModes(k)[name]))).toEqual(new Set(MODE_CHOICES[name]));
});

describe.each([1, 2])("modes set %i", (k) => {
  test(`the books balance with iamport's (${JSON.stringify(nthSandboxModes(k))})`, async () => {
    const seed = Math.floor(Math.random() * 2 ** 31);
    const result = await soakAtCiSize(seed, { ...SMALL, sandboxModes: nthSandboxModes(k) });
    expect(result.violations).toEqual([]);
    expect(result.sandbox_modes).not.toBe("default");
    expect(result.cycles_due).toBeGreaterThan(SMALL.subscriptions * 0.8);
    expect(result.cycles_charged_once).toBeGreaterThan(result.cycles_due * 0.7);
    expect(result.faults_injected).toBeGreaterThan(20);
  }, 200_000);
});
