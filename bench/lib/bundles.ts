/**
 * Builds Lambda bundles exactly as the stack does: each entry goes through the house construct
 * (KaikaiFunction, so NodejsFunction with the house esbuild settings) in a CDK app synthesised
 * into a temporary directory; the function's asset directory is its bundle.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, CfnElement, RemovalPolicy, Stack } from "aws-cdk-lib";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { KaikaiFunction } from "../../lib/constructs/kaikai-function.js";

export interface BundleSpec {
  readonly label: string;
  /** Entry file relative to the repository root. */
  readonly entry: string;
}

export interface BuiltBundle extends BundleSpec {
  readonly file: string;
  readonly bytes: number;
}

const STACK = "KaikaiBench";

interface TemplateResource {
  readonly Type: string;
  readonly Metadata?: Record<string, unknown>;
}

export function buildBundles(specs: readonly BundleSpec[], outdir: string): BuiltBundle[] {
  const app = new App({ outdir, context: { "aws:cdk:enable-asset-metadata": true } });
  const stack = new Stack(app, STACK);
  const logicalIds = new Map<string, string>();
  for (const { label, entry } of specs) {
    const built = new KaikaiFunction(stack, label, {
      entry,
      label,
      purpose: `benchmark of ${label}`,
      stage: "bench",
      logRetention: RetentionDays.ONE_WEEK,
      logRemovalPolicy: RemovalPolicy.DESTROY,
    });
    const resource = built.lambda.node.defaultChild;
    if (resource instanceof CfnElement) logicalIds.set(label, stack.getLogicalId(resource));
  }
  const template = app.synth().getStackByName(STACK).template as { Resources: Record<string, TemplateResource> };
  return specs.map((spec) => {
    const asset = template.Resources[logicalIds.get(spec.label) ?? ""]?.Metadata?.["aws:asset:path"];
    if (typeof asset !== "string") throw new Error(`no bundle was synthesised for ${spec.label}`);
    const file = join(outdir, asset, "index.mjs");
    return { ...spec, file, bytes: readFileSync(file).byteLength };
  });
}
