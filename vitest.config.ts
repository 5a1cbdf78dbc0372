import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    // 2 cores here: two workers keep DynamoDB Local and the sandbox responsive.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 90_000,
    reporters: ["default", "./test/support/count-reporter.ts"],
  },
});
