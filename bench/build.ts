/**
 * Builds bundles for the benches exactly as `serverless.yml` (custom.esbuild)
 * builds them for Lambda, and the floor they are compared with: a bundle that
 * holds only a DynamoDB client sending one GetItem, built the way the project
 * built its functions before (no `mainFields`, so the SDK's CommonJS builds).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type BuildOptions, build } from "esbuild";
import { parse } from "yaml";
import { repoRoot } from "../local/serverless-routes.js";

interface EsbuildSection {
  minify?: boolean;
  target?: string;
  platform?: "node";
  format?: "esm" | "cjs";
  banner?: { js?: string };
  mainFields?: string[];
  exclude?: string[];
}

/** The options serverless-esbuild passes to esbuild for every function (`exclude` becomes `external`). */
export function deployedOptions(): BuildOptions {
  const yml = parse(readFileSync(resolve(repoRoot, "serverless.yml"), "utf8")) as {
    custom: { esbuild: EsbuildSection };
  };
  const e = yml.custom.esbuild;
  return {
    bundle: true,
    minify: e.minify ?? false,
    platform: e.platform ?? "node",
    format: e.format ?? "esm",
    target: e.target ?? "node22",
    ...(e.banner?.js ? { banner: { js: e.banner.js } } : {}),
    ...(e.mainFields ? { mainFields: e.mainFields } : {}),
    external: e.exclude ?? [],
    logLevel: "error",
  };
}

/** The floor's build: the same, without the project's `mainFields` and `exclude`. */
function floorOptions(): BuildOptions {
  const { mainFields: _m, external: _e, ...rest } = deployedOptions();
  return rest;
}

export async function buildFunction(file: string, outfile: string): Promise<void> {
  await build({ ...deployedOptions(), entryPoints: [resolve(repoRoot, file)], outfile });
}

/**
 * The floor bundle: `handler()` sends one GetItem (to DYNAMODB_ENDPOINT when set) and answers 200.
 * Its source is written next to the output, inside the repository (so the SDK resolves from node_modules).
 */
export async function buildFloor(outfile: string): Promise<void> {
  const dir = resolve(repoRoot, "node_modules/.cache/bench-floor");
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, "floor.mjs");
  writeFileSync(
    entry,
    `import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
const endpoint = process.env.DYNAMODB_ENDPOINT;
const client = new DynamoDBClient({
  region: process.env.AWS_REGION ?? "ap-northeast-2",
  ...(endpoint ? { endpoint, credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {}),
});
export async function handler() {
  await client.send(new GetItemCommand({ TableName: process.env.TABLE_NAME ?? "floor", Key: { PK: { S: "FLOOR" }, SK: { S: "FLOOR" } } }));
  return { statusCode: 200 };
}
`,
  );
  await build({ ...floorOptions(), entryPoints: [entry], outfile });
}
