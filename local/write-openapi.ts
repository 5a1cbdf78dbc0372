/** `npm run openapi`: writes docs/openapi.json from the zod schemas (a test keeps it current). */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { buildOpenApi } from "./openapi.js";
import { repoRoot } from "./serverless-routes.js";

const file = resolve(repoRoot, "docs/openapi.json");
writeFileSync(file, `${JSON.stringify(buildOpenApi(), null, 2)}\n`);
console.log(`wrote ${file}`);
