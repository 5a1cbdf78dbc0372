/**
 * Behaviour modes: one switch per point iamport leaves undocumented (the fact sheet's "Not
 * confirmed" list), one value per plausible behaviour. The first value of each is the default,
 * the one the sources make most likely (README, "Behaviour modes"). Code under test must be
 * right in every mode; the test matrix and the soak run it against each.
 */

/** Every mode, its values, and (first) its default. */
export const MODE_CHOICES = {
  /** After a partial cancel: status, and what the cancel's webhook says. */
  partialCancel: ["stays-paid", "stays-paid-webhook-paid", "cancelled"],
  /** A declined `again`: code 0 + status failed, or a non-zero code with the PG's message. */
  againDecline: ["status-failed", "refused", "refused-with-record"],
  /** `again` with a customer_uid that has no billing key. */
  unknownCustomer: ["code-1", "code-1-newer-message", "http-404"],
  /** `again` with an amount that is not a positive integer (1000.5, or a string "1000" in JSON). */
  againAmount: ["refused", "charged"],
  /** `again` under a merchant_uid whose earlier attempt failed. */
  failedMerchantUid: ["accepted", "refused"],
  /** `GET /payments/{imp_uid}` of a test-channel payment without `include_sandbox=true`. */
  sandboxLookup: ["hidden", "returned"],
} as const;

export type ModeName = keyof typeof MODE_CHOICES;
export type SandboxModes = { -readonly [K in ModeName]: (typeof MODE_CHOICES)[K][number] };

export const MODE_NAMES = Object.keys(MODE_CHOICES) as ModeName[];

/** The most likely behaviour of every point. */
export function defaultModes(): SandboxModes {
  return Object.fromEntries(MODE_NAMES.map((name) => [name, MODE_CHOICES[name][0]])) as SandboxModes;
}

/**
 * Every non-default value of every mode, one entry each (`modes` changes only that one), so a
 * runner (a soak, a loop in CI) can go through each behaviour in turn.
 * @example for (const { label, modes } of nonDefaultModes()) control.setModes({ ...defaultModes(), ...modes })
 */
export function nonDefaultModes(): Array<{ label: string; modes: Partial<SandboxModes> }> {
  return MODE_NAMES.flatMap((name) =>
    MODE_CHOICES[name].slice(1).map((value) => ({
      label: `${name}=${value}`,
      modes: { [name]: value } as Partial<SandboxModes>,
    })),
  );
}

/** A bad mode name or value: every message names what is allowed. */
export class ModeError extends TypeError {
  override readonly name = "ModeError";
}

/** Checks a partial set of modes (from options, the control API or an env string); unknown names and values throw. */
export function checkModes(input: unknown): Partial<SandboxModes> {
  if (input === undefined || input === null) return {};
  if (typeof input !== "object" || Array.isArray(input))
    throw new ModeError("modes must be an object of mode name to value");
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(input)) {
    if (!(name in MODE_CHOICES))
      throw new ModeError(`unknown sandbox mode "${name}"; modes are ${MODE_NAMES.join(", ")}`);
    const allowed: readonly string[] = MODE_CHOICES[name as ModeName];
    if (typeof value !== "string" || !allowed.includes(value))
      throw new ModeError(`sandbox mode ${name} must be one of ${allowed.join(", ")}`);
    out[name] = value;
  }
  return out as Partial<SandboxModes>;
}

/**
 * Parses `name=value,name=value` (the form of `SANDBOX_MODES` and of a command-line flag).
 * An empty string or `default` is no change.
 * @example parseModes("partialCancel=cancelled,againDecline=refused")
 */
export function parseModes(text: string | undefined): Partial<SandboxModes> {
  const trimmed = (text ?? "").trim();
  if (trimmed === "" || trimmed === "default") return {};
  const pairs: Record<string, string> = {};
  for (const part of trimmed.split(",")) {
    const [name, value, extra] = part.split("=").map((s) => s.trim());
    if (!name || !value || extra !== undefined)
      throw new ModeError(`sandbox modes are name=value pairs separated by commas; got "${part}"`);
    pairs[name] = value;
  }
  return checkModes(pairs);
}

/** `name=value,…` of the modes that differ from the defaults ("default" when none do). */
export function formatModes(modes: Partial<SandboxModes>): string {
  const defaults = defaultModes();
  const changed = MODE_NAMES.filter((n) => modes[n] !== undefined && modes[n] !== defaults[n]);
  return changed.length ? changed.map((n) => `${n}=${modes[n]}`).join(",") : "default";
}
