/**
 * Builds Lambda bundles exactly as the stack does: each entry goes through the house construct
 * (KaikaiFunction, so the house esbuild settings, code splitting included) in a CDK app synthesised
 * into a temporary directory; the function's asset directory is its bundle, `index.mjs` and chunks.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { App, CfnElement, RemovalPolicy, Stack } from "aws-cdk-lib";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { BundledConfig } from "../../lambdas/bindings/bundled-config.js";
import { KaikaiFunction } from "../../lib/constructs/kaikai-function.js";
import { ESM_REQUIRE_BANNER } from "../../lib/constructs/kaikai-function-defaults.js";

export interface BundleSpec {
  readonly label: string;
  /** Entry file relative to the repository root. */
  readonly entry: string;
  /** What the stack would bundle into it (the registry, the alert rules). */
  readonly bundledConfig?: BundledConfig;
}

export interface BuiltBundle extends BundleSpec {
  /** The entry module, `index.mjs`. */
  readonly file: string;
  /** Every module the function ships: the entry and all its chunks. */
  readonly bytes: number;
  /** The entry and the chunks it imports statically: what Lambda loads at init. */
  readonly initBytes: number;
  /** The variables the house construct gives the function. */
  readonly environment: Readonly<Record<string, string>>;
}

const STACK = "KaikaiBench";

interface TemplateResource {
  readonly Type: string;
  readonly Metadata?: Record<string, unknown>;
  readonly Properties?: { readonly Environment?: { readonly Variables?: Record<string, string> } };
}

export function buildBundles(specs: readonly BundleSpec[], outdir: string): BuiltBundle[] {
  const app = new App({ outdir, context: { "aws:cdk:enable-asset-metadata": true } });
  const stack = new Stack(app, STACK);
  const logicalIds = new Map<string, string>();
  for (const { label, entry, bundledConfig } of specs) {
    const built = new KaikaiFunction(stack, label, {
      entry,
      ...(bundledConfig === undefined ? {} : { bundledConfig }),
      label,
      purpose: `benchmark of ${label}`,
      stage: "bench",
      logRetention: RetentionDays.ONE_WEEK,
      logRemovalPolicy: RemovalPolicy.DESTROY,
      // The probes answer on stdout: an INFO line at init would garble their report.
      logLevel: "ERROR",
    });
    const resource = built.lambda.node.defaultChild;
    if (resource instanceof CfnElement) logicalIds.set(label, stack.getLogicalId(resource));
  }
  const template = app.synth().getStackByName(STACK).template as { Resources: Record<string, TemplateResource> };
  return specs.map((spec) => {
    const resource = template.Resources[logicalIds.get(spec.label) ?? ""];
    const asset = resource?.Metadata?.["aws:asset:path"];
    if (typeof asset !== "string") throw new Error(`no bundle was synthesised for ${spec.label}`);
    const file = join(outdir, asset, "index.mjs");
    const environment = resource?.Properties?.Environment?.Variables ?? {};
    return { ...spec, file, bytes: modulesBytes(join(outdir, asset)), initBytes: initBytes(file), environment };
  });
}

function modulesBytes(directory: string): number {
  return readdirSync(directory)
    .filter((name) => name.endsWith(".mjs"))
    .reduce((total, name) => total + statSync(join(directory, name)).size, 0);
}

/** One static import as esbuild writes it, minified: `import{a as b}from"./chunk-X.mjs";`. */
const STATIC_IMPORT = /import(?:[\w$*{},\s]*from)?"(\.\/[^"]+)";?/y;

/** The chunks a module imports statically: esbuild puts those imports first, after the banner. */
function staticImports(code: string): string[] {
  STATIC_IMPORT.lastIndex = code.startsWith(ESM_REQUIRE_BANNER) ? ESM_REQUIRE_BANNER.length + 1 : 0;
  const chunks: string[] = [];
  for (let match = STATIC_IMPORT.exec(code); match !== null; match = STATIC_IMPORT.exec(code)) {
    chunks.push(match[1] ?? "");
  }
  return chunks;
}

function initBytes(entry: string): number {
  const loaded = new Set<string>();
  const visit = (file: string): void => {
    if (loaded.has(file)) return;
    loaded.add(file);
    for (const chunk of staticImports(readFileSync(file, "utf8"))) visit(join(dirname(file), chunk));
  };
  visit(entry);
  return [...loaded].reduce((total, file) => total + statSync(file).size, 0);
}
