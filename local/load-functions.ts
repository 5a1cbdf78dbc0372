/** Imports the real handler modules named in serverless.yml. */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { LambdaHttpHandler, LocalRoute } from "./api-gateway.js";
import { type FunctionSpec, readServerlessFunctions, repoRoot } from "./serverless-routes.js";

export interface LoadedFunction extends FunctionSpec {
  handler: (event: unknown, context: unknown) => Promise<unknown>;
}

export async function loadFunctions(): Promise<LoadedFunction[]> {
  const specs = readServerlessFunctions();
  return Promise.all(
    specs.map(async (spec) => {
      const module = (await import(pathToFileURL(resolve(repoRoot, spec.file)).href)) as Record<
        string,
        unknown
      >;
      const handler = module[spec.exportName];
      if (typeof handler !== "function") throw new Error(`${spec.file} does not export ${spec.exportName}`);
      return { ...spec, handler: handler as LoadedFunction["handler"] };
    }),
  );
}

export function httpRoutes(functions: LoadedFunction[]): LocalRoute[] {
  return functions.flatMap((fn) =>
    fn.routes.map((route) => ({
      ...route,
      functionName: fn.name,
      handler: fn.handler as LambdaHttpHandler,
    })),
  );
}
