/**
 * Bundle size and module-initialisation time of every function, built as
 * serverless.yml builds them (bench/build.ts), against the floor bundle (a
 * DynamoDB client and one GetItem, built the way the project used to).
 *
 *   npx tsx bench/bundles.ts [--runs 11]
 *
 * Init is the `import()` of the bundle in a fresh Node process (module load and top-level code, no
 * invocation), timed inside it; floor and function alternate sample by sample (paired), so a noisy moment
 * hits both. The ratio
 * is the median of the per-pair ratios, with its min–max. Lambda adds its own sandbox start to both.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { readServerlessFunctions } from "../local/serverless-routes.js";
import { buildFloor, buildFunction } from "./build.js";

export interface BundleRow {
  name: string;
  kb: number;
  gzipKb: number;
  initMs: number;
  ratio: { median: number; min: number; max: number };
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? 0;

/** A fresh Node process imports the bundle; the import (module load and top-level code) is timed inside it. */
function importOnce(file: string): number {
  const out = execFileSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `const t = performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now() - t);`,
    ],
    { encoding: "utf8", env: { PATH: process.env.PATH ?? "", AWS_REGION: "ap-northeast-2" } },
  );
  return Number(out.trim());
}

export async function benchBundles(runs: number): Promise<{ floor: BundleRow; rows: BundleRow[] }> {
  const out = mkdtempSync(join(tmpdir(), "bench-bundles-"));
  try {
    const floorFile = join(out, "floor.mjs");
    await buildFloor(floorFile);
    const size = (file: string) => ({
      kb: statSync(file).size / 1024,
      gzipKb: gzipSync(readFileSync(file)).length / 1024,
    });
    const floorSamples: number[] = [];
    const rows: BundleRow[] = [];
    importOnce(floorFile); // warm the file cache before anything is timed
    for (const fn of readServerlessFunctions()) {
      const file = join(out, `${fn.name}.mjs`);
      await buildFunction(fn.file, file);
      importOnce(file);
      const ratios: number[] = [];
      const own: number[] = [];
      for (let i = 0; i < runs; i++) {
        const floor = importOnce(floorFile);
        const mine = importOnce(file);
        floorSamples.push(floor);
        own.push(mine);
        ratios.push(mine / floor);
      }
      rows.push({
        name: fn.name,
        ...size(file),
        initMs: median(own),
        ratio: { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) },
      });
    }
    const floor: BundleRow = {
      name: "floor (DynamoDB client + GetItem)",
      ...size(floorFile),
      initMs: median(floorSamples),
      ratio: { median: 1, min: 1, max: 1 },
    };
    return { floor, rows };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export function bundleTable({ floor, rows }: { floor: BundleRow; rows: BundleRow[] }, runs: number): string {
  const line = (r: BundleRow) =>
    `| ${r.name} | ${r.kb.toFixed(0)} KB | ${r.gzipKb.toFixed(0)} KB | ${r.initMs.toFixed(0)} ms | ${r.ratio.median.toFixed(2)}× (${r.ratio.min.toFixed(2)}–${r.ratio.max.toFixed(2)}) |`;
  return [
    `Bundles and module init (node ${process.version}; ${runs} paired runs per function, medians; init = the bundle's import in a fresh process)`,
    "",
    "| function | bundle | gzip | init | init ÷ floor |",
    "|---|---|---|---|---|",
    line(floor),
    ...rows.map(line),
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 11;
  console.log(bundleTable(await benchBundles(runs), runs));
}
