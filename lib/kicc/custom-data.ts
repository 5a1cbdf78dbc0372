/**
 * What `custom_data` (the merchant's own JSON, stored with the order and handed
 * to the payment window) may hold: only what the table stores as sent. Pure.
 */

/** UTF-8 bytes of its JSON: room for a cart or a few ids, far below DynamoDB's 400 KB item limit. */
export const MAX_CUSTOM_DATA_BYTES = 8 * 1024;
/** Levels of objects and arrays, the top one included; DynamoDB refuses an item nested past 32. */
export const MAX_CUSTOM_DATA_DEPTH = 10;
export const MAX_CUSTOM_DATA_KEY_CHARS = 100;
/**
 * The SDK's marshaller refuses a whole number beyond ±(2^53 − 1) (it would lose digits), and
 * DynamoDB any non-zero number smaller than 1e-130 in magnitude.
 */
const SMALLEST_STORABLE = 1e-130;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Why `value` cannot be stored as `custom_data`, or `null` when it can. The
 * reason names where (`custom_data.cart.lines.0`), never echoes a long value.
 */
export function customDataProblem(value: unknown): string | null {
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? "", "utf8");
  if (bytes > MAX_CUSTOM_DATA_BYTES) {
    return `custom_data must be at most ${MAX_CUSTOM_DATA_BYTES} bytes of JSON, got ${bytes} bytes`;
  }
  // Iterative, so no input can exhaust the stack (the byte limit bounds the work).
  const stack: Array<{ value: unknown; path: string; depth: number }> = [
    { value, path: "custom_data", depth: 1 },
  ];
  while (stack.length > 0) {
    const { value: current, path, depth } = stack.pop() as (typeof stack)[number];
    if (typeof current === "number") {
      const size = Math.abs(current);
      if (size > Number.MAX_SAFE_INTEGER) {
        return `${path}: the number ${current} is beyond ±${Number.MAX_SAFE_INTEGER} and cannot be stored exactly; send it as a string`;
      }
      if (size !== 0 && size < SMALLEST_STORABLE) {
        return `${path}: the number ${current} is closer to 0 than ${SMALLEST_STORABLE} and cannot be stored; send it as a string`;
      }
    } else if (typeof current === "string") {
      if (LONE_SURROGATE.test(current))
        return `${path}: a string must be valid Unicode (it has a lone surrogate)`;
    } else if (current !== null && typeof current === "object") {
      if (depth > MAX_CUSTOM_DATA_DEPTH) {
        return `custom_data may nest objects and arrays at most ${MAX_CUSTOM_DATA_DEPTH} levels deep (${shorten(path)} is deeper)`;
      }
      const entries = Array.isArray(current)
        ? current.map((item, i) => [String(i), item] as const)
        : Object.entries(current);
      for (const [key, item] of entries) {
        if (!Array.isArray(current)) {
          const problem = keyProblem(key);
          if (problem) return `${shorten(path)}: ${problem}`;
        }
        stack.push({ value: item, path: `${path}.${key}`, depth: depth + 1 });
      }
    }
  }
  return null;
}

function keyProblem(key: string): string | null {
  if (key === "") return "a key must not be empty";
  if (key.length > MAX_CUSTOM_DATA_KEY_CHARS) {
    return `a key must be at most ${MAX_CUSTOM_DATA_KEY_CHARS} characters (got one of ${key.length}, starting ${JSON.stringify(key.slice(0, 20))})`;
  }
  if (CONTROL.test(key) || LONE_SURROGATE.test(key)) {
    return "a key must be printable Unicode (no control characters or lone surrogates)";
  }
  return null;
}

/** A path for a message: its start and its end when it is long. */
function shorten(path: string): string {
  return path.length <= 200 ? path : `${path.slice(0, 100)}…${path.slice(-100)}`;
}
