/**
 * zod at the edge: every request body, query string and path parameter is
 * parsed here, and a refusal names each field and the reason (invariant 6).
 */
import { type FieldIssue, ValidationError } from "../errors.js";
import type * as z from "../validation/zod.js";

type Schema<T> = {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: z.core.$ZodError };
};

/** Parses `value` or throws a ValidationError whose fields are prefixed with `where` (e.g. `query.`). */
export function validate<T>(schema: Schema<T>, value: unknown, where = ""): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map(
      (issue): FieldIssue => ({
        field: `${where}${issue.path.map(String).join(".")}` || where.replace(/\.$/, "") || "body",
        reason: issue.message,
      }),
    ),
  );
}

/**
 * The body of an API Gateway event as a plain value: JSON or
 * application/x-www-form-urlencoded (iamport's webhook may send either).
 */
export function readBody(event: {
  body?: string;
  isBase64Encoded?: boolean;
  headers?: Record<string, string | undefined>;
}): unknown {
  if (!event.body) return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
  const type = (event.headers?.["content-type"] ?? event.headers?.["Content-Type"] ?? "").toLowerCase();
  if (type.includes("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError([{ field: "body", reason: "is not valid JSON" }]);
  }
}
