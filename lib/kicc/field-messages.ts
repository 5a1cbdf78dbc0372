/**
 * Error maps that name the field and say what to send instead, so a 400 from
 * `POST /orders` reads "amount must be a JSON number, not a string" rather than
 * zod's generic "Invalid input".
 */

/** The part of a zod issue these maps look at. */
interface RawIssue {
  readonly code?: string;
  readonly input?: unknown;
}

/** A zod `error` option: a message, or `undefined` to keep zod's own. */
export type ErrorMap = (issue: RawIssue) => string | undefined;

/**
 * Messages for a missing value and a value of the wrong JSON type.
 *
 * @param expected what the field must be, read after "must be" (e.g. "a string").
 */
export function typeMessages(field: string, expected: string): ErrorMap {
  return (issue) => {
    if (issue.code !== "invalid_type") return undefined;
    if (issue.input === undefined) return `${field} is required`;
    return `${field} must be ${expected}, got ${describe(issue.input)}`;
  };
}

/**
 * Messages for a whole-number field. A numeric string is called out on its own
 * because it is the usual mistake (form values are strings) and iamport itself
 * refuses a string amount.
 */
export function integerMessages(field: string): ErrorMap {
  return (issue) => {
    if (issue.code === "too_big" || issue.code === "too_small") {
      // Only the safe-integer bound reaches here; explicit bounds carry their own message.
      return `${field} must be between ${Number.MIN_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`;
    }
    if (issue.code !== "invalid_type") return undefined;
    if (issue.input === undefined) return `${field} is required`;
    if (typeof issue.input === "string") {
      return `${field} must be a JSON number, not a string: send 1000, not "1000"`;
    }
    return `${field} must be a whole number, got ${describe(issue.input)}`;
  };
}

function describe(input: unknown): string {
  if (input === null) return "null";
  if (Array.isArray(input)) return "an array";
  if (typeof input === "number") return String(input);
  return typeof input === "object" ? "an object" : `a ${typeof input}`;
}

/**
 * Message for keys a strict object does not know, so a typo such as
 * `buyer_phone` is named instead of silently dropped.
 */
export function unknownKeysMessage(issue: { code?: string; keys?: readonly string[] }): string | undefined {
  return issue.code === "unrecognized_keys" ? `unknown field(s): ${issue.keys?.join(", ")}` : undefined;
}
