/** `npm run events`: writes docs/events.json from the zod schemas (a test keeps it current). */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { buildEventsCatalogue } from "./events-catalogue.js";
import { repoRoot } from "./serverless-routes.js";

const file = resolve(repoRoot, "docs/events.json");
writeFileSync(file, `${JSON.stringify(buildEventsCatalogue(), null, 2)}\n`);
console.log(`wrote ${file}`);
