import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/emulator/**/*.test.ts"],
    globalSetup: ["test/emulator/require-endpoint.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
