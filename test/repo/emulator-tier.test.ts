import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** `npm run test:emulator` as a user runs it, with the given endpoint (or none). */
function runEmulatorTier(endpoint: string | undefined) {
  const { AWS_ENDPOINT_URL: _ignored, ...env } = process.env;
  const result = spawnSync(
    process.execPath,
    ["node_modules/vitest/vitest.mjs", "run", "--config", "vitest.emulator.config.ts"],
    {
      cwd: ROOT,
      env: { ...env, ...(endpoint === undefined ? {} : { AWS_ENDPOINT_URL: endpoint }), NO_COLOR: "1" },
      encoding: "utf8",
      timeout: 90_000,
    },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("the emulator tier", () => {
  it("refuses to pass without an endpoint, and says how to get one", () => {
    const { status, output } = runEmulatorTier(undefined);
    expect(status).not.toBe(0);
    expect(output).toContain("AWS_ENDPOINT_URL is not set: the emulator tier did not run.");
    expect(output).toContain("moto_server -H 127.0.0.1");
  });
});
