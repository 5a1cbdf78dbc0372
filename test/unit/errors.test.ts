/**
 * One error base class: every exported error class of lib extends AppError,
 * keeps the `cause` it is given, and is named by its class name, in the
 * source and in a bundle minified as serverless.yml builds the functions
 * (which renames classes: the name must not come from the class itself).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { describe, expect, test } from "vitest";
import { deployedOptions } from "../../bench/build.js";
import { AppError } from "../../lib/errors.js";

type ErrorClass = new (...args: any[]) => Error;

const LIB = join(import.meta.dirname, "../../lib");
const route = "GET /payments/{imp_uid}";
const apiInit = { httpStatus: 200, code: 1, iamportMessage: "refused", route };

/** How to make each one, given its class (the source's or the bundle's) and a cause. */
const MAKE: Record<string, (Cls: ErrorClass, cause: unknown) => Error> = {
  AppError: (Cls, cause) => new Cls("failed", { cause }),
  ValidationError: (Cls, cause) => new Cls([{ field: "amount", reason: "bad" }], { cause }),
  UnauthorizedError: (Cls, cause) => new Cls(undefined, { cause }),
  NotFoundError: (Cls, cause) => new Cls("order", { cause }),
  MethodNotAllowedError: (Cls, cause) => new Cls("DELETE", ["POST"], { cause }),
  ForbiddenError: (Cls, cause) => new Cls("refused", "source_not_allowed", "1.2.3.4", { cause }),
  ConflictError: (Cls, cause) => new Cls("taken", "merchant_uid_taken", undefined, { cause }),
  RetryLaterError: (Cls, cause) => new Cls("down", { cause }),
  NotConfiguredError: (Cls, cause) => new Cls("no billing MID", "KICC_BILLING_MID", { cause }),
  ConfigError: (Cls, cause) => new Cls(["STAGE: required"], { cause }),
  EventBridgeError: (Cls, cause) => new Cls("PutEvents failed", { cause }),
  SsmParametersError: (Cls, cause) => new Cls("GetParameters failed", { cause }),
  InvalidKiccMidError: (Cls, cause) => new Cls("bad mid", { cause }),
  IamportError: (Cls, cause) => new Cls("failed", route, { cause }),
  IamportApiError: (Cls, cause) => new Cls(apiInit, { cause }),
  IamportNotFoundError: (Cls, cause) => new Cls(apiInit, { cause }),
  IamportUnauthorizedError: (Cls, cause) => new Cls("refused", route, { cause }),
  IamportUnavailableError: (Cls, cause) => new Cls("down", route, { cause }),
  IamportOutcomeUnknownError: (Cls, cause) => new Cls("unknown", route, { cause }),
  IamportResponseShapeError: (Cls, cause) => new Cls({ route, httpStatus: 200, issues: [] }, { cause }),
  PreparedAmountConflictError: (Cls, cause) =>
    new Cls(
      {
        merchantUid: "m-1",
        requested: { amount: 1000 },
        existing: { merchant_uid: "m-1", amount: 2000 },
      },
      { cause },
    ),
};

/** Every module of lib that exports a class, and the names of those classes. */
function classModules(): Array<{ file: string; names: string[] }> {
  const files = readdirSync(LIB, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  return files
    .map((file) => ({
      file: join(LIB, file),
      names: [...readFileSync(join(LIB, file), "utf8").matchAll(/^export class (\w+)/gm)].map((m) => m[1]!),
    }))
    .filter((m) => m.names.length > 0);
}

/** Every exported error class of lib, by name, as the source defines it. */
async function sourceErrorClasses(): Promise<Map<string, ErrorClass>> {
  const found = new Map<string, ErrorClass>();
  for (const { file, names } of classModules()) {
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    for (const name of names) {
      const value = module[name] as { prototype?: unknown } | undefined;
      if (value?.prototype instanceof Error) found.set(name, value as ErrorClass);
    }
  }
  return found;
}

describe("every exported error class of lib", () => {
  test("is listed here, so the checks below cover it", async () => {
    const classes = await sourceErrorClasses();
    expect([...classes.keys()].sort()).toEqual(Object.keys(MAKE).sort());
  });

  test("is an AppError (and an Error), keeps its cause, and is named by its class", async () => {
    const classes = await sourceErrorClasses();
    for (const [name, Cls] of classes) {
      const cause = new Error("underneath");
      const error = MAKE[name]!(Cls, cause);
      expect(error, name).toBeInstanceOf(AppError);
      expect(error, name).toBeInstanceOf(Error);
      expect(error, name).toBeInstanceOf(Cls);
      expect(error.cause, name).toBe(cause);
      expect(error.name, name).toBe(name);
      expect(error.name, name).toBe(Cls.name);
      expect(String(error), name).toMatch(new RegExp(`^${name}: `));
    }
  });

  test("keeps its name in a bundle minified as the functions are (class names renamed)", async () => {
    const modules = classModules();
    const entry = modules
      .map(({ file, names }) => `export { ${names.join(", ")} } from ${JSON.stringify(file)};`)
      .join("\n");
    const result = await build({
      ...deployedOptions(),
      stdin: { contents: entry, resolveDir: LIB, sourcefile: "errors-entry.ts", loader: "ts" },
      write: false,
      // The Lambda banner's `require` shim is for the functions' CommonJS dependencies: not needed here.
      banner: {},
    });
    const code = result.outputFiles[0]!.text;
    const bundle = (await import(
      `data:text/javascript;base64,${Buffer.from(code).toString("base64")}`
    )) as Record<string, ErrorClass>;
    const names = Object.keys(MAKE);
    // The minifier did rename them: otherwise this test would prove nothing.
    expect(names.some((name) => bundle[name]?.name !== name)).toBe(true);
    for (const name of names) {
      const error = MAKE[name]!(bundle[name]!, "cause");
      expect(error.name, name).toBe(name);
      expect(error.cause, name).toBe("cause");
    }
  });
});
