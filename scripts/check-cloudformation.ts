/**
 * Checks a CloudFormation template against the current resource
 * specification (the npm package `@aws-cdk/aws-service-spec`, which the CDK
 * itself builds from): every resource type exists, every property name is
 * known, every required property is there, every value has the type the
 * specification says (through nested property types, lists and maps), and
 * every Ref, Fn::GetAtt, Fn::Sub variable and DependsOn names something that
 * exists (a GetAtt, an attribute the resource type has).
 *
 * Linters on npm that carry their own copy of the specification are years
 * old and report false errors against today's properties; this one reads
 * whatever the pinned package holds.
 *
 *   npx tsx scripts/check-cloudformation.ts <template.json>
 */
import { readFileSync } from "node:fs";
import { loadAwsServiceSpecSync } from "@aws-cdk/aws-service-spec";

type SpecDatabase = ReturnType<typeof loadAwsServiceSpecSync>;
type PropertyType = {
  type: string;
  element?: PropertyType;
  types?: PropertyType[];
  reference?: { $ref: string };
};
type SpecProperty = { required?: boolean; type: PropertyType; previousTypes?: PropertyType[] };
type SpecProperties = Record<string, SpecProperty>;

const PSEUDO_PARAMETERS = new Set([
  "AWS::AccountId",
  "AWS::NotificationARNs",
  "AWS::NoValue",
  "AWS::Partition",
  "AWS::Region",
  "AWS::StackId",
  "AWS::StackName",
  "AWS::URLSuffix",
]);

interface Template {
  Parameters?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: unknown }>;
  Outputs?: Record<string, unknown>;
}

/** An intrinsic function object (its value is computed at deploy time, so its type is not checked). */
function isIntrinsic(value: unknown): boolean {
  if (!value || typeof value !== "object" || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === "Ref" || keys[0]!.startsWith("Fn::") || keys[0] === "Condition");
}

/** Every problem found, as `<logical id>.<property path>: <what is wrong>`; empty when the template is sound. */
export function checkTemplate(template: Template, db: SpecDatabase = loadAwsServiceSpecSync()): string[] {
  const problems: string[] = [];
  const resources = template.Resources ?? {};
  const parameters = new Set(Object.keys(template.Parameters ?? {}));
  const specs = new Map<string, { properties: SpecProperties; attributes: Set<string> } | null>();

  const specOf = (type: string) => {
    if (!specs.has(type)) {
      const found = db.lookup("resource", "cloudFormationType", "equals", type);
      const resource = found.length === 1 ? found[0]! : undefined;
      specs.set(
        type,
        resource
          ? {
              properties: resource.properties as unknown as SpecProperties,
              attributes: new Set(Object.keys(resource.attributes)),
            }
          : null,
      );
    }
    return specs.get(type);
  };

  const checkProperties = (where: string, value: unknown, properties: SpecProperties) => {
    if (isIntrinsic(value)) return;
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      problems.push(`${where}: expected an object`);
      return;
    }
    const given = value as Record<string, unknown>;
    for (const [name, property] of Object.entries(given)) {
      const spec = properties[name];
      if (!spec) {
        problems.push(`${where}.${name}: no such property`);
        continue;
      }
      const types = [spec.type, ...(spec.previousTypes ?? [])];
      const errors = types.map((type) => checkValue(`${where}.${name}`, property, type));
      if (errors.every((e) => e.length > 0)) problems.push(...errors[0]!);
    }
    for (const [name, spec] of Object.entries(properties)) {
      if (spec.required && !(name in given)) problems.push(`${where}.${name}: required property missing`);
    }
  };

  /** The problems of `value` against `type` (collected, so a union or an older type can be tried). */
  const checkValue = (where: string, value: unknown, type: PropertyType): string[] => {
    if (isIntrinsic(value)) return [];
    const wrong = (expected: string) => [`${where}: expected ${expected}, got ${JSON.stringify(value)}`];
    switch (type.type) {
      case "json":
        return [];
      case "string":
      case "date-time":
        // CloudFormation turns numbers and booleans into the string the property takes.
        return ["string", "number", "boolean"].includes(typeof value) ? [] : wrong("a string");
      case "number":
        return typeof value === "number" ||
          (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value)))
          ? []
          : wrong("a number");
      case "integer":
        return Number.isInteger(typeof value === "string" ? Number(value) : value) ? [] : wrong("an integer");
      case "boolean":
        return typeof value === "boolean" || value === "true" || value === "false" ? [] : wrong("a boolean");
      case "tag":
        return value && typeof value === "object" && "Key" in value && "Value" in value ? [] : wrong("a tag");
      case "array": {
        if (!Array.isArray(value)) return wrong("a list");
        return value.flatMap((item, i) => checkValue(`${where}[${i}]`, item, type.element!));
      }
      case "map": {
        if (!value || typeof value !== "object" || Array.isArray(value)) return wrong("a map");
        return Object.entries(value).flatMap(([key, item]) =>
          checkValue(`${where}.${key}`, item, type.element!),
        );
      }
      case "union": {
        const attempts = (type.types ?? []).map((t) => checkValue(where, value, t));
        return attempts.some((a) => a.length === 0) ? [] : (attempts[0] ?? wrong("one of a union"));
      }
      case "ref": {
        const definition = db.get("typeDefinition", type.reference!.$ref) as unknown as {
          properties: SpecProperties;
        };
        const before = problems.length;
        checkProperties(where, value, definition.properties);
        return problems.splice(before);
      }
      default:
        return [];
    }
  };

  const exists = (id: string) => id in resources || parameters.has(id) || PSEUDO_PARAMETERS.has(id);
  const checkReferences = (where: string, value: unknown): void => {
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) checkReferences(`${where}[${i}]`, item);
      return;
    }
    if (!value || typeof value !== "object") return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === "Ref" && typeof inner === "string" && !exists(inner))
        problems.push(`${where}: Ref to ${inner}, which does not exist`);
      if (key === "Fn::GetAtt") {
        const [id, attribute] = Array.isArray(inner) ? inner : String(inner).split(/\.(.*)/);
        const target = resources[id as string];
        if (!target) problems.push(`${where}: Fn::GetAtt of ${id}, which does not exist`);
        else {
          const spec = specOf(target.Type);
          if (spec && typeof attribute === "string" && !spec.attributes.has(attribute))
            problems.push(`${where}: Fn::GetAtt ${id}.${attribute}: ${target.Type} has no such attribute`);
        }
      }
      if (key === "Fn::Sub") {
        const [text, variables] = Array.isArray(inner) ? inner : [inner, {}];
        for (const match of String(text).matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const [id, attribute] = match[1]!.split(/\.(.*)/);
          if (variables && typeof variables === "object" && id! in variables) continue;
          if (!exists(id!)) problems.push(`${where}: Fn::Sub names \${${match[1]}}, which does not exist`);
          else if (attribute) {
            const spec = specOf(resources[id!]?.Type ?? "");
            if (spec && !spec.attributes.has(attribute))
              problems.push(`${where}: Fn::Sub \${${match[1]}}: no such attribute`);
          }
        }
      }
      checkReferences(`${where}.${key}`, inner);
    }
  };

  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type.startsWith("Custom::") || resource.Type === "AWS::CloudFormation::CustomResource")
      continue;
    const spec = specOf(resource.Type);
    if (!spec) {
      problems.push(`${id}: ${resource.Type} is not a resource type of the specification`);
      continue;
    }
    checkProperties(`${id}.Properties`, resource.Properties ?? {}, spec.properties);
    for (const dependency of [resource.DependsOn ?? []].flat()) {
      if (!(String(dependency) in resources)) problems.push(`${id}.DependsOn: ${dependency} does not exist`);
    }
  }
  checkReferences("Resources", resources);
  checkReferences("Outputs", template.Outputs ?? {});
  return problems;
}

if (process.argv[1]?.endsWith("check-cloudformation.ts")) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: tsx scripts/check-cloudformation.ts <template.json>");
    process.exit(2);
  }
  const problems = checkTemplate(JSON.parse(readFileSync(file, "utf8")) as Template);
  for (const problem of problems) console.error(problem);
  console.log(problems.length ? `${problems.length} problem(s)` : "template matches the specification");
  process.exit(problems.length ? 1 : 0);
}
