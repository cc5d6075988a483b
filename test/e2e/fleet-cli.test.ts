/**
 * `kaikai fleet` as a user runs it, before anything reaches AWS: a missing stage and missing
 * credentials each end in one line that says what to fix, never a stack trace.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

/** The CLI with no AWS credentials anywhere it could find them, and no network lookups for them. */
function fleet(args: readonly string[]) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AWS_")));
  const result = spawnSync(process.execPath, ["--import", "tsx", "local/cli.ts", "fleet", ...args], {
    env: {
      ...env,
      AWS_REGION: "eu-west-1",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
      AWS_CONFIG_FILE: "/nonexistent/config",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      NO_COLOR: "1",
    },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderrLines: result.stderr.trim().split("\n") };
}

describe("kaikai fleet on the command line", () => {
  it("asks for a stage it knows", () => {
    const { status, stderrLines } = fleet(["--stage", "qa"]);
    expect(status).toBe(2);
    expect(stderrLines).toEqual([expect.stringMatching(/^kaikai: fleet needs --stage, one of dev, staging, prod \(/)]);
  });

  it("says in one line that it found no credentials, and changes nothing", () => {
    const { status, stdout, stderrLines } = fleet(["--stage", "dev", "--dry-run"]);
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderrLines).toEqual([
      expect.stringMatching(/^kaikai: AWS IoT for stage dev: CredentialsProviderError: .*credentials.* cdk uses\)$/),
    ]);
  });
});
