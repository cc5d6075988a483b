import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/{unit,handlers,cdk,e2e,bundles,repo}/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
