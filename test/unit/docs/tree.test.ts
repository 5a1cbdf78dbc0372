/**
 * The docs follow the tree: every lib folder is on README's "Where things are" table and in the
 * architecture's Shape, neither names a folder that is gone, and every repository path the docs
 * name exists (a module moved without its docs fails here).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";

const root = join(import.meta.dirname, "../../..");
const read = (file: string) => readFileSync(join(root, file), "utf8");
const libFolders = readdirSync(join(root, "lib")).filter((name) =>
  statSync(join(root, "lib", name)).isDirectory(),
);

function section(text: string, heading: string): string {
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no section ${heading}`);
  const end = text.indexOf("\n## ", start + heading.length + 2);
  return text.slice(start, end < 0 ? undefined : end);
}

test("README's Where things are names every lib folder, and only folders that exist", () => {
  const table = section(read("README.md"), "## Where things are");
  const named = [...table.matchAll(/`lib\/([a-z-]+)\/`/g)].map((m) => m[1]);
  expect(libFolders.filter((folder) => !named.includes(folder))).toEqual([]);
  expect(named.filter((folder) => !libFolders.includes(folder as string))).toEqual([]);
});

test("the architecture's Shape names every lib folder, and only folders that exist", () => {
  const shape = section(read("docs/architecture.md"), "## Shape");
  const named = [...shape.matchAll(/[├└]─ ([a-z-]+)\//g)].map((m) => m[1]);
  expect(libFolders.filter((folder) => !named.includes(folder))).toEqual([]);
  expect(named.filter((folder) => !libFolders.includes(folder as string))).toEqual([]);
});

const docs = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
  ...libFolders.map((folder) => `lib/${folder}/README.md`).filter((file) => existsSync(join(root, file))),
  "sandbox/README.md",
];

test.each(docs)("every repository path %s names exists", (doc) => {
  const paths = [
    ...read(doc).matchAll(
      /\b(?:lib|functions|local|sandbox|chaos|ops|bench|test|infra|scripts|demo)\/[A-Za-z0-9_./-]+\.(?:ts|js|json|cjs|md|yml|html)\b/g,
    ),
  ].map((m) => m[0]);
  // An import specifier names the .ts file as .js.
  const exists = (path: string) =>
    existsSync(join(root, path)) || existsSync(join(root, path.replace(/\.js$/, ".ts")));
  expect(paths.filter((path) => !exists(path))).toEqual([]);
});
