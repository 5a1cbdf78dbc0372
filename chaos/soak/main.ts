/**
 * `npm run soak -- [--subscriptions N] [--cycles M] [--orders K] [--fault-rate F] [--seed S] [--max-seconds T]
 *   [--sandbox-mode name=value,…|random|default]`
 * Prints progress to stderr and one JSON line of figures to stdout; exits 1 on
 * any violation (with the seed and the history that broke), 2 on bad options.
 */
import { parseArgs } from "node:util";
import { parseModes, type SandboxModes } from "../../sandbox/index.js";
import { drawSandboxModes, runSoak, settleRounds, timings } from "./run-soak.js";

const FULL = { subscriptions: 1000, cycles: 12, orders: 1000, faultRate: 0.2 };

function options() {
  const { values } = parseArgs({
    options: {
      subscriptions: { type: "string" },
      cycles: { type: "string" },
      orders: { type: "string" },
      "fault-rate": { type: "string" },
      seed: { type: "string" },
      "max-seconds": { type: "string" },
      "sandbox-mode": { type: "string" },
    },
  });
  const number = (name: string, value: string | undefined, fallback: number, max: number, integer = true) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0 || n > max || (integer && !Number.isInteger(n))) {
      process.stderr.write(`--${name} must be ${integer ? "a whole number" : "a number"} from 0 to ${max}\n`);
      process.exit(2);
    }
    return n;
  };
  const seed = number("seed", values.seed, Math.floor(Math.random() * 2 ** 31), 2 ** 32 - 1);
  return {
    seed,
    sandboxModes: sandboxModes(values["sandbox-mode"], seed),
    subscriptions: number("subscriptions", values.subscriptions, FULL.subscriptions, 100_000),
    cycles: number("cycles", values.cycles, FULL.cycles, 120),
    orders: number("orders", values.orders, FULL.orders, 100_000),
    faultRate: number("fault-rate", values["fault-rate"], FULL.faultRate, 1, false),
    maxSeconds: number("max-seconds", values["max-seconds"], 1800, 86_400),
  };
}

/** `name=value,…`, `default`, or `random` (each mode drawn from the seed, so a replay draws the same). */
function sandboxModes(text: string | undefined, seed: number): Partial<SandboxModes> {
  return text === "random" ? drawSandboxModes(seed) : parseModes(text);
}

const opts = (() => {
  try {
    return options();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
})();
process.stderr.write(`soak: ${JSON.stringify(opts)}\n`);
const started = Date.now();
const result = await runSoak({
  ...opts,
  onDay: (day, days) => {
    if (day % 30 === 0 || day === days)
      process.stderr.write(`day ${day}/${days} · ${Math.round((Date.now() - started) / 1000)} s\n`);
  },
});
const { violations, broken_history, crash_points, fault_kinds, console_cancels, ...figures } = result;
process.stderr.write(
  `timings (ms): ${JSON.stringify(Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)])))}\n`,
);
process.stderr.write(`settle rounds: ${settleRounds.count} (the last: ${settleRounds.last})\n`);
process.stderr.write(
  `crash points: ${JSON.stringify(crash_points)}\nfault kinds: ${JSON.stringify(fault_kinds)}\nconsole cancels: ${JSON.stringify(console_cancels)}\n`,
);
const failed = violations.length > 0;
if (failed) {
  process.stderr.write(`\nVIOLATIONS (seed ${result.seed}; replay with --seed ${result.seed}):\n`);
  for (const v of violations.slice(0, 20)) process.stderr.write(`  ${v.kind} ${v.key}: ${v.detail}\n`);
  if (broken_history) {
    process.stderr.write(`\nhistory of ${broken_history.key}:\n`);
    for (const line of broken_history.lines) process.stderr.write(`  ${line}\n`);
  }
}
process.stdout.write(`${JSON.stringify(figures)}\n`);
process.exit(failed ? 1 : 0);
