import { existsSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { KaikaiFunction } from "../../lib/constructs/kaikai-function.js";
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
  const loads = new RegExp(`(?:^import[^;]*?from\\s*|\\bimport\\(|\\brequire\\()["'](${packageName})["']`, "gm");
  const specifiers = [...bundle.matchAll(loads)].map((match) => match[1] ?? "");
  const builtins = new Set(builtinModules);
  const packages = specifiers.filter(
    (name) => !name.startsWith("node:") && !builtins.has(name) && !name.startsWith("."),
  );
  return [...new Set(packages)].sort();
}

function bundleDirectory(fn: KaikaiFunction): string {
  const resource = template.toJSON().Resources[logicalIdOf(fn.lambda)] as { Metadata: Record<string, string> };
  const assetPath = resource.Metadata["aws:asset:path"];
  if (assetPath === undefined) throw new Error(`no asset path on ${fn.node.path}`);
  return join(assemblyDirectory, assetPath);
}

describe.each(stack.functions.map((fn) => [fn.label, fn] as const))("the %s bundle", (_label, fn) => {
  const directory = bundleDirectory(fn);
  const code = readFileSync(join(directory, "index.mjs"), "utf8");

  it("is one ES module that gives bundled CommonJS code a working require", () => {
    expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
  });

  it("carries its dependencies, the AWS SDK included, instead of loading them at run time", () => {
    expect(externalPackages(code).filter((name) => !OPTIONAL_PACKAGES.includes(name))).toEqual([]);
  });

  it("is minified and ships its source map", () => {
    const lines = code.split("\n");
    expect(code.length / lines.length).toBeGreaterThan(1000);
    expect(existsSync(join(directory, "index.mjs.map"))).toBe(true);
    expect(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/.test(code)).toBe(true);
  });
});

it("bundles each function once", () => {
  // Plus the provider of the IoT endpoint lookup, whose code is CDK's own prebuilt asset.
  expect(Object.keys(resourcesOfType(template, "AWS::Lambda::Function"))).toHaveLength(stack.functions.length + 1);
  expect(new Set(stack.functions.map(bundleDirectory)).size).toBe(stack.functions.length);
});
