/**
 * A small Swagger 2.0 schema checker for the contract test: resolves `$ref`s and `allOf`
 * from `definitions`, checks types and required fields, and reports every mismatch.
 * Nothing from the (AGPL) document is copied; it is read at test time.
 */
export interface Schema {
  $ref?: string;
  type?: string;
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
}

export type Definitions = Record<string, Schema>;

/**
 * Required names the document lists but never defines, i.e. defects in the document:
 * PaymentPrepareAnnotation requires total/previous/next, which belong to
 * PagedPaymentAnnotation. A new defect fails the test until it is listed here on purpose.
 */
export const KNOWN_SPEC_DEFECTS: Record<string, string[]> = {
  PaymentPrepareAnnotation: ["total", "previous", "next"],
};

/**
 * Routes the document declares as a bare array (ScheduleResponse) although iamport answers
 * `{total, previous, next, list}` there, as the document's own description ("페이징된 목록")
 * and iamport's clients (`response.list`) show; value: the definition of the list items.
 */
export const PAGED_DESPITE_DOCUMENT: Record<string, string> = {
  "/subscribe/payments/schedule/customers/{customer_uid}": "ScheduleResultAnnotation",
};

/** The envelope with a `{total, previous, next, list}` response whose items are `itemDefinition`. */
export function pagedResponse(itemDefinition: string): Schema {
  const int: Schema = { type: "integer" };
  return {
    allOf: [
      { $ref: "#/definitions/ResponseAnnotation" },
      {
        properties: {
          response: {
            type: "object",
            required: ["total", "previous", "next", "list"],
            properties: {
              total: int,
              previous: int,
              next: int,
              list: { type: "array", items: { $ref: `#/definitions/${itemDefinition}` } },
            },
          },
        },
      },
    ],
  };
}

function resolve(schema: Schema, defs: Definitions): { schema: Schema; name?: string } {
  if (!schema.$ref) return { schema };
  const name = schema.$ref.replace("#/definitions/", "");
  const target = defs[name];
  if (!target) throw new Error(`unresolved $ref ${schema.$ref}`);
  return { schema: target, name };
}

/** Flattens allOf into one object schema. */
function flatten(schema: Schema, defs: Definitions): { schema: Schema; name?: string } {
  const { schema: s, name } = resolve(schema, defs);
  if (!s.allOf) return { schema: s, name };
  const merged: Schema = { type: "object", properties: {}, required: [] };
  for (const part of s.allOf) {
    const flat = flatten(part, defs).schema;
    Object.assign(merged.properties as object, flat.properties);
    merged.required?.push(...(flat.required ?? []));
  }
  return { schema: merged, name };
}

function typeOk(type: string | undefined, value: unknown): boolean {
  switch (type) {
    case undefined:
      return true;
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "object":
      return value !== null && typeof value === "object" && !Array.isArray(value);
    default:
      return false;
  }
}

/** Returns every mismatch of `value` against `schema` as "path: problem". */
export function check(schema: Schema, value: unknown, defs: Definitions, path = "$"): string[] {
  const { schema: s, name } = flatten(schema, defs);
  const type = s.type ?? (s.properties ? "object" : undefined);
  if (!typeOk(type, value))
    return [`${path}: expected ${type}, got ${value === null ? "null" : typeof value}`];
  const errors: string[] = [];
  if (type === "array" && s.items) {
    (value as unknown[]).forEach((item, i) => {
      errors.push(...check(s.items as Schema, item, defs, `${path}[${i}]`));
    });
  }
  if (type === "object" && s.properties) {
    const obj = value as Record<string, unknown>;
    const defects = (name && KNOWN_SPEC_DEFECTS[name]) || [];
    for (const req of s.required ?? []) {
      if (defects.includes(req)) continue;
      if (!(req in s.properties)) errors.push(`${path}: required "${req}" is not defined by the document`);
      else if (obj[req] === undefined || obj[req] === null)
        errors.push(`${path}.${req}: required but missing`);
    }
    for (const [key, prop] of Object.entries(s.properties)) {
      const v = obj[key];
      // The real API sends null for optional fields that do not apply; Swagger 2.0 cannot say so.
      if (v === undefined || (v === null && !(s.required ?? []).includes(key))) continue;
      errors.push(...check(prop, v, defs, `${path}.${key}`));
    }
  }
  return errors;
}
