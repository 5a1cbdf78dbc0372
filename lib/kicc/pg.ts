/**
 * The `pg` value handed to `IMP.request_pay` for KICC.
 */
import { AppError } from "../errors.js";

/** A KICC MID from configuration that iamport could not route to. */
export class InvalidKiccMidError extends AppError {
  override readonly name: string = "InvalidKiccMidError";

  /** The configured value that was refused. */
  readonly mid: string;

  constructor(mid: string, options?: ErrorOptions) {
    super(`KICC MID must be letters and digits only (e.g. T5102001), got ${JSON.stringify(mid)}`, options);
    this.mid = mid;
  }
}

// iamport splits `pg` on the first dot and picks the channel by the rest, so a
// dot, space or any other character would silently route to another channel
// (or the default one) instead of failing.
const MID_PATTERN = /^[A-Za-z0-9]+$/;

/**
 * `"kicc"` when no MID is configured, otherwise `"kicc.<mid>"`, which picks
 * that KICC channel when the merchant has several.
 *
 * @throws {InvalidKiccMidError} when `mid` is given but is not letters and
 *   digits only (an empty string included: a configured-but-blank MID is a
 *   deployment mistake, not "use the default channel").
 */
export function kiccPg(mid?: string): string {
  if (mid === undefined) return "kicc";
  if (!MID_PATTERN.test(mid)) throw new InvalidKiccMidError(mid);
  return `kicc.${mid}`;
}
