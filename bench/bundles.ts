/**
 * Bundle size and module-initialisation time of every function, built with
 * the same esbuild options as serverless.yml (custom.esbuild).
 *
 *   npx tsx bench/bundles.ts [--runs 15]
 *
 * Init time is measured as `node bundle.mjs` (import + top-level code, no
 * invocation) minus an empty `node` start, median of N runs, in one session
 * so the ratio between functions is meaningful on a noisy machine. Lambda's
 * cold start adds its own sandbox start on top of this.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { readServerlessFunctions, repoRoot } from "../local/serverless-routes.js";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 15;
const out = mkdtempSync(join(tmpdir(), "bench-bundles-"));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function timeNode(args: string[]): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    execFileSync(process.execPath, args, { stdio: "ignore", env: { PATH: process.env.PATH ?? "" } });
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(samples);
}

const rows: string[] = [];
const empty = join(out, "empty.mjs");
writeFileSync(empty, "");
const baseline = timeNode([empty]);
for (const fn of readServerlessFunctions()) {
  const outfile = join(out, `${fn.name}.mjs`);
  await build({
    entryPoints: [resolve(repoRoot, fn.file)],
    bundle: true,
    minify: true,
    platform: "node",
    format: "esm",
    target: "node22",
    outfile,
    logLevel: "error",
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  });
  const size = statSync(outfile).size;
  const gzip = gzipSync(readFileSync(outfile)).length;
  const init = timeNode([outfile]) - baseline;
  rows.push(
    `| ${fn.name} | ${(size / 1024).toFixed(0)} KB | ${(gzip / 1024).toFixed(0)} KB | ${init.toFixed(0)} ms |`,
  );
}
rmSync(out, { recursive: true, force: true });
console.log(
  `node ${process.version}, ${runs} runs each, empty node start ${baseline.toFixed(0)} ms (subtracted)\n`,
);
console.log("| function | bundle | gzip | init |\n|---|---|---|---|");
console.log(rows.join("\n"));
