/**
 * Checks HTTP responses against the OpenAPI document (docs/openapi.json as
 * generated): the status must be one the operation documents, and a JSON body
 * must fit that response's schema (JSON Schema 2020-12, formats checked, no
 * undocumented field: the response schemas have additionalProperties false).
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsPlugin from "ajv-formats";
import { buildOpenApi } from "../../local/openapi.js";

const addFormats = addFormatsPlugin as unknown as (ajv: Ajv2020) => Ajv2020;
const DOC_ID = "openapi.json";

type Operation = { responses: Record<string, ResponseObject> };
type ResponseObject = {
  headers?: Record<string, { required?: boolean }>;
  content?: Record<string, { schema: unknown; example?: unknown }>;
};

export interface ResponseCheck {
  /** Problems found; empty when the response fits the document. */
  problems: string[];
}

export function openApiValidator(doc = buildOpenApi()) {
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
  ajv.addSchema({ ...doc, $id: DOC_ID });
  const paths = doc.paths as Record<string, Record<string, Operation>>;
  const pointer = (...parts: string[]) =>
    parts.map((p) => p.replaceAll("~", "~0").replaceAll("/", "~1")).join("/");

  /** Validates `value` against the schema at `#/…parts` of the document. */
  const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
  function validateAt(parts: string[], value: unknown): string[] {
    const ref = `${DOC_ID}#/${pointer(...parts)}`;
    const validate = compiled.get(ref) ?? ajv.compile({ $ref: ref });
    compiled.set(ref, validate);
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e) => `${e.instancePath || "(body)"} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`,
    );
  }

  return {
    paths,
    validateAt,
    /** Checks one real response of `method path` (the path as documented, with `{…}`). */
    check(
      method: string,
      path: string,
      res: { status: number; body: unknown; headers: Headers },
    ): ResponseCheck {
      const operation = paths[path]?.[method.toLowerCase()];
      if (!operation) return { problems: [`${method} ${path} is not in the document`] };
      const status = String(res.status);
      const documented = operation.responses[status];
      if (!documented) {
        return {
          problems: [
            `${method} ${path} answered ${status}, which it does not document (${Object.keys(operation.responses).join(", ")}): ${JSON.stringify(res.body)}`,
          ],
        };
      }
      const problems: string[] = [];
      for (const [name, header] of Object.entries(documented.headers ?? {})) {
        if (header.required && !res.headers.get(name)) problems.push(`header ${name} is missing`);
      }
      const json = documented.content?.["application/json"];
      if (json) {
        const type = res.headers.get("content-type") ?? "";
        if (!type.startsWith("application/json")) problems.push(`content-type is ${type}, not JSON`);
        problems.push(
          ...validateAt(
            [
              "paths",
              path,
              method.toLowerCase(),
              "responses",
              status,
              "content",
              "application/json",
              "schema",
            ],
            res.body,
          ),
        );
      } else if (res.body !== null && res.body !== "") {
        problems.push(`a body where the document has none: ${JSON.stringify(res.body)}`);
      }
      return { problems };
    },
  };
}
