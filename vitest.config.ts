import { defineConfig } from "vitest/config";
import { MODE_MATRIX, MODE_MATRIX_FILES } from "./test/support/sandbox-modes.js";

export default defineConfig({
  test: {
    globalSetup: ["test/support/global-setup.ts"],
    // 2 cores here: two workers keep DynamoDB Local and the sandbox responsive.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 90_000,
    reporters: ["default", "./test/support/count-reporter.ts"],
    // Every test once with the sandbox's default behaviour, then the paths iamport's undocumented
    // behaviour touches once per entry of the mode matrix (test/support/sandbox-modes.ts).
    // One project alone: `npx vitest run --project modes-a <files>`. `include` is set per project,
    // never at the root: `extends` concatenates arrays, so a root include would run everything again.
    projects: [
      { extends: true, test: { name: "default", include: ["test/**/*.test.ts"] } },
      ...MODE_MATRIX.map((entry) => ({
        extends: true as const,
        test: { name: entry.name, include: MODE_MATRIX_FILES, env: { SANDBOX_MODES: entry.modes } },
      })),
    ],
  },
});
