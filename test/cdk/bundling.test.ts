import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, RemovalPolicy, Stack } from "aws-cdk-lib";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { afterAll, describe, expect, it } from "vitest";
import { KaikaiFunction } from "../../lib/constructs/kaikai-function.js";
import { ESM_REQUIRE_BANNER } from "../../lib/constructs/kaikai-function-defaults.js";
import { logicalIdOf, resourcesOfType, synthStage } from "./synth-stage.js";

// The only CDK test that runs esbuild: the others read templates synthesized without bundling.
const { app, stack, template } = synthStage("dev", { bundle: true });
const assemblyDirectory = app.synth().directory;
afterAll(() => rmSync(assemblyDirectory, { recursive: true, force: true }));

/**
 * Optional signers the SDK tries to `require` inside a try/catch, for features these functions
 * do not use (CRT signing, SigV4a); the banner's `require` lets that try fail cleanly.
 */
const OPTIONAL_PACKAGES = ["@aws-sdk/signature-v4-crt", "@aws-sdk/signature-v4a"];

/** Packages (not Node built-ins) the bundle still imports or requires by name. */
function externalPackages(bundle: string): string[] {
  const packageName = "(?:@[a-z0-9-~][a-z0-9-._~]*/)?[a-z0-9-~][a-z0-9-._~]*(?:/[a-zA-Z0-9-._~/]*)?";
  const loads = new RegExp(`(?:\\bimport[^;]*?from\\s*|\\bimport\\(|\\brequire\\()["'](${packageName})["']`, "g");
  const specifiers = [...bundle.matchAll(loads)].map((match) => match[1] ?? "");
  const builtins = new Set(builtinModules);
  const packages = specifiers.filter(
    (name) => !name.startsWith("node:") && !builtins.has(name) && !name.startsWith("."),
  );
  return [...new Set(packages)].sort();
}

/** The chunks a module imports statically: esbuild writes those imports first, after the banner. */
function staticImports(code: string): string[] {
  const staticImport = /import(?:[\w$*{},\s]*from)?"(\.\/[^"]+)";?/y;
  staticImport.lastIndex = code.startsWith(ESM_REQUIRE_BANNER) ? ESM_REQUIRE_BANNER.length + 1 : 0;
  const chunks: string[] = [];
  for (let match = staticImport.exec(code); match !== null; match = staticImport.exec(code)) {
    chunks.push(match[1] ?? "");
  }
  return chunks;
}

function bundleDirectory(fn: KaikaiFunction): string {
  const resource = template.toJSON().Resources[logicalIdOf(fn.lambda)] as { Metadata: Record<string, string> };
  const assetPath = resource.Metadata["aws:asset:path"];
  if (assetPath === undefined) throw new Error(`no asset path on ${fn.node.path}`);
  return join(assemblyDirectory, assetPath);
}

/** Every module of a bundle, by file name: `index.mjs` and its chunks. */
function modulesOf(directory: string): Map<string, string> {
  const names = readdirSync(directory).filter((name) => name.endsWith(".mjs"));
  return new Map(names.map((name) => [name, readFileSync(join(directory, name), "utf8")]));
}

/** What Lambda loads at init: `index.mjs` and, transitively, the chunks it imports statically. */
function loadedAtInit(modules: ReadonlyMap<string, string>): string[] {
  const loaded = new Set<string>();
  const visit = (name: string): void => {
    if (loaded.has(name)) return;
    loaded.add(name);
    for (const chunk of staticImports(modules.get(name) ?? "")) visit(chunk.replace(/^\.\//, ""));
  };
  visit("index.mjs");
  return [...loaded];
}

describe.each(stack.functions.map((fn) => [fn.label, fn] as const))("the %s bundle", (_label, fn) => {
  const directory = bundleDirectory(fn);
  const modules = modulesOf(directory);

  it("is ES modules, index.mjs first, that give bundled CommonJS code a working require", () => {
    expect(modules.has("index.mjs")).toBe(true);
    for (const code of modules.values()) expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
  });

  it("carries its dependencies, the AWS SDK included, instead of loading them at run time", () => {
    const external = [...modules.values()].flatMap(externalPackages);
    expect(external.filter((name) => !OPTIONAL_PACKAGES.includes(name))).toEqual([]);
  });

  it("finds every chunk it imports beside index.mjs", () => {
    for (const name of loadedAtInit(modules)) expect(modules.has(name), name).toBe(true);
  });

  it("is minified and ships a source map for each module", () => {
    const code = [...modules.values()].join("\n");
    expect(code.length / code.split("\n").length).toBeGreaterThan(1000);
    for (const [name, moduleCode] of modules) {
      expect(existsSync(join(directory, `${name}.map`)), name).toBe(true);
      expect(moduleCode.trimEnd().endsWith(`//# sourceMappingURL=${name}.map`), name).toBe(true);
    }
  });
});

it("loads the ingest function's store client for its stage only, and its S3, SNS and IoT data clients only when a batch needs them", () => {
  const ingest = stack.functions.find((fn) => fn.label === "ingest");
  if (ingest === undefined) throw new Error("no ingest function");
  const modules = modulesOf(bundleDirectory(ingest));
  const atInit = loadedAtInit(modules)
    .map((name) => modules.get(name) ?? "")
    .join("\n");
  const everything = [...modules.values()].join("\n");
  // The store clients are chunks of their own: the entry imports the stage's one as it starts.
  const chosenAtStart = ['"TimestreamWriteClient"', '"DynamoDBClient"'];
  const lazyClients = [...chosenAtStart, '"S3Client"', '"SNSClient"', '"IoTDataPlaneClient"'];

  for (const client of lazyClients) {
    expect(everything, client).toContain(client);
    expect(atInit, client).not.toContain(client);
  }
});

it("bundles each function once", () => {
  // Plus the provider of the IoT endpoint lookup, whose code is CDK's own prebuilt asset.
  expect(Object.keys(resourcesOfType(template, "AWS::Lambda::Function"))).toHaveLength(stack.functions.length + 1);
  expect(new Set(stack.functions.map(bundleDirectory)).size).toBe(stack.functions.length);
});

it("fails the synth with esbuild's error when an entry does not build, instead of trying Docker", () => {
  const outdir = mkdtempSync(join(tmpdir(), "kaikai-broken-bundle-"));
  try {
    const brokenStack = new Stack(new App({ outdir }), "Broken");
    const bundleBrokenEntry = () =>
      new KaikaiFunction(brokenStack, "Broken", {
        entry: "lambdas/handlers/no-such-entry.lambda.ts",
        label: "broken",
        purpose: "an entry that does not exist",
        stage: "dev",
        logRetention: RetentionDays.ONE_DAY,
        logRemovalPolicy: RemovalPolicy.DESTROY,
      });
    expect(bundleBrokenEntry).toThrow(/Could not resolve .*no-such-entry\.lambda\.ts/);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
