import { defineConfig } from "vitest/config";
import { sqlAsText } from "./test/sql-text.js";

/** The dashboard in a real headless Chromium (Debian's chromium package; CHROMIUM_PATH to use another). */
export default defineConfig({
  plugins: [sqlAsText()],
  test: {
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    include: ["test/browser/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
