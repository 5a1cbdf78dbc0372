/**
 * `npm run bench [-- --runs N]`: every measurement the README's Measurements
 * section shows, in one run (ratios are only meaningful within one run on a
 * shared machine): bundle sizes and module init against the floor, cold and
 * warm first requests, the round trips (DynamoDB and iamport) of each order
 * and charge-worker operation, the charge worker's throughput against its
 * ideal, and a webhook burst. Tables on stdout.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { benchBundles, bundleTable } from "./bundles.js";
import { benchColdStart } from "./cold-start.js";

/**
 * A bench that runs the handlers in this process gets a process of its own: a container
 * (config, clients) is built once per process, as in a Lambda instance, so two local stacks
 * cannot share one; and the charge worker's heap is then its own.
 */
async function inOwnProcess(file: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", fileURLToPath(new URL(file, import.meta.url))],
    { maxBuffer: 16 * 2 ** 20, env: process.env },
  );
  return stdout.trim();
}

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 11;
console.log(`npm run bench, ${new Date().toISOString().slice(0, 10)}, ${process.platform}/${process.arch}\n`);
console.log(bundleTable(await benchBundles(runs), runs));
console.log("");
console.log(await benchColdStart(runs));
console.log("");
console.log(await inOwnProcess("./round-trips.ts"));
console.log("");
console.log(await inOwnProcess("./charge-throughput.ts"));
console.log("");
console.log(await inOwnProcess("./webhook-burst.ts"));
