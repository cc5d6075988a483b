import { defineConfig } from "vitest/config";
import { sqlAsText } from "./test/sql-text.js";

export default defineConfig({
  plugins: [sqlAsText()],
  test: {
    // The SDK warns each worker that its 2027 releases need Node 22 (README, Requirements).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    include: ["test/{unit,handlers,cdk,e2e,bundles,repo}/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
