/**
 * The house rules of ARCHITECTURE.md are Biome rules (biome.json, `noRestrictedImports` per folder),
 * so `npm run lint` fails on a forbidden import with the rule in its message. This runs the
 * project's Biome and configuration over probe files laid out like the repository: each forbidden
 * import is reported with its rule, each allowed one is not.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIOME = join(ROOT, "node_modules", ".bin", "biome");

/** A probe: a file at `path` that imports `specifier`, and the rule it must break (undefined: allowed). */
const PROBES: readonly { path: string; specifier: string; rule?: RegExp }[] = [
  { path: "lambdas/core/a.ts", specifier: "@aws-sdk/client-s3", rule: /lambdas\/core is pure domain/ },
  { path: "lambdas/core/b.ts", specifier: "@aws-lambda-powertools/logger", rule: /lambdas\/core is pure domain/ },
  { path: "lambdas/core/c.ts", specifier: "node:fs", rule: /lambdas\/core is pure domain/ },
  {
    path: "lambdas/core/d.ts",
    specifier: "../../local/runtime/start.js",
    rule: /nothing under lambdas\/ imports local\//,
  },
  { path: "lambdas/core/e.ts", specifier: "../../lib/config/stages.js", rule: /function code never imports lib\// },
  { path: "lambdas/core/f.ts", specifier: "../aws/iot-data.js", rule: /lambdas\/core imports only lambdas\/core/ },
  { path: "lambdas/core/g.ts", specifier: "./time.js" },
  { path: "lambdas/use-cases/a.ts", specifier: "@aws-sdk/client-sns", rule: /use cases are transport-neutral/ },
  {
    path: "lambdas/use-cases/b.ts",
    specifier: "../aws/alert-delivery.js",
    rule: /use cases never import the adapters/,
  },
  { path: "lambdas/use-cases/c.ts", specifier: "../core/rollup.js" },
  {
    path: "lambdas/aws/a.ts",
    specifier: "../../local/sqlite/database.js",
    rule: /nothing under lambdas\/ imports local\//,
  },
  { path: "lambdas/aws/b.ts", specifier: "@aws-sdk/client-s3" },
  { path: "lambdas/handlers/a.ts", specifier: "../../local/cli.js", rule: /nothing under lambdas\/ imports local\// },
  {
    path: "lib/constructs/a.ts",
    specifier: "../../lambdas/handlers/ingest.js",
    rule: /lib\/ never imports function code/,
  },
  {
    path: "lib/constructs/b.ts",
    specifier: "../../lambdas/use-cases/ingest.js",
    rule: /lib\/ never imports function code/,
  },
  { path: "lib/constructs/c.ts", specifier: "../../lambdas/bindings/entries.js" },
];

interface BiomeReport {
  readonly diagnostics: readonly {
    readonly message: string;
    readonly category: string;
    readonly location: { readonly path: string };
  }[];
}

let report: BiomeReport;
let sandbox: string;

beforeAll(() => {
  sandbox = mkdtempSync(join(tmpdir(), "kaikai-house-rules-"));
  copyFileSync(join(ROOT, "biome.json"), join(sandbox, "biome.json"));
  for (const { path, specifier } of PROBES) {
    mkdirSync(join(sandbox, dirname(path)), { recursive: true });
    writeFileSync(join(sandbox, path), `import { probe } from "${specifier}";\n\nexport const used = probe;\n`);
  }
  let output: string;
  try {
    output = execFileSync(BIOME, ["lint", "--vcs-enabled=false", "--reporter=json", "."], {
      cwd: sandbox,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch (error) {
    // Biome exits 1 when it reports an error: the report is still on stdout.
    output = String((error as { stdout?: unknown }).stdout);
  }
  report = JSON.parse(output) as BiomeReport;
});

afterAll(() => {
  rmSync(sandbox, { recursive: true, force: true });
});

describe("the house rules, enforced by the linter", () => {
  it.each(PROBES.filter((probe) => probe.rule !== undefined))("$path may not import $specifier", ({ path, rule }) => {
    const found = report.diagnostics.filter(
      (diagnostic) => diagnostic.location.path === path && diagnostic.category === "lint/style/noRestrictedImports",
    );
    expect(found.map((diagnostic) => diagnostic.message)).toEqual([expect.stringMatching(/^house rule: /)]);
    expect(found[0]?.message).toMatch(rule ?? /never/);
  });

  it.each(PROBES.filter((probe) => probe.rule === undefined))("$path may import $specifier", ({ path }) => {
    expect(
      report.diagnostics.filter(
        (diagnostic) => diagnostic.location.path === path && diagnostic.category === "lint/style/noRestrictedImports",
      ),
    ).toEqual([]);
  });
});
