/**
 * `npm run bench [-- --runs N]`: every measurement the README's Measurements
 * section shows, in one run (ratios are only meaningful within one run on a
 * shared machine): bundle sizes and module init against the floor, cold and
 * warm first requests, and completion under load. Tables on stdout.
 */
import { benchBundles, bundleTable } from "./bundles.js";
import { benchColdStart } from "./cold-start.js";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 11;
console.log(`npm run bench, ${new Date().toISOString().slice(0, 10)}, ${process.platform}/${process.arch}\n`);
console.log(bundleTable(await benchBundles(runs), runs));
console.log("");
console.log(await benchColdStart(runs));
