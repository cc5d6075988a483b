/**
 * Builds the dev stage's functions exactly as `cdk synth` does (local esbuild, the house bundling
 * options) and runs a bundle's `handler` in a fresh Node process, as Lambda would load it.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import type { StoreKind } from "../../lambdas/bindings/stores.js";
import type { Sensor } from "../../lambdas/core/sensor.js";
import { logicalIdOf, type Resources, STAGES, type SynthesizedStage, synthStage } from "../cdk/synth-stage.js";
import type { FakeAws } from "./fake-aws.js";

const run = promisify(execFile);

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";

export interface BundledFunction {
  readonly label: string;
  /** The bundle's entry module (index.mjs in the staged asset). */
  readonly entry: string;
  /** The function's environment from the template, with tokens resolved to fake names. */
  readonly environment: Readonly<Record<string, string>>;
  readonly handler: string;
}

const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  "AWS::AccountId": ACCOUNT,
  "AWS::Region": REGION,
  "AWS::Partition": "aws",
  "AWS::URLSuffix": "amazonaws.com",
};

/** What CloudFormation would put in place of a token, with made-up physical names. */
function resolveToken(value: unknown, resources: Resources): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "object" && value !== null) {
    if ("Ref" in value && typeof value.Ref === "string") {
      const pseudo = PSEUDO_PARAMETERS[value.Ref];
      if (pseudo !== undefined) return pseudo;
      const physicalName = `fake-${value.Ref.toLowerCase()}`;
      // The Ref of a topic is its ARN; of the other resources used here, their name.
      return resources[value.Ref]?.Type === "AWS::SNS::Topic"
        ? `arn:aws:sns:${REGION}:${ACCOUNT}:${physicalName}`
        : physicalName;
    }
    if ("Fn::GetAtt" in value && Array.isArray(value["Fn::GetAtt"])) {
      return `fake-${value["Fn::GetAtt"].join("-").toLowerCase()}`;
    }
    if ("Fn::Join" in value && Array.isArray(value["Fn::Join"])) {
      const [separator, parts] = value["Fn::Join"] as [string, unknown[]];
      return parts.map((part) => resolveToken(part, resources)).join(separator);
    }
  }
  throw new Error(`a bundle test cannot resolve ${JSON.stringify(value)}`);
}

export interface BuiltBundles {
  readonly functions: Readonly<Record<string, BundledFunction>>;
  /** The cloud assembly directory holding the bundles; the caller removes it. */
  readonly outdir: string;
}

/**
 * One synthesis of the dev stage with real bundling, for its store or `store` and its registry or
 * `sensors`; every function, by its label.
 */
export function buildBundles(
  options: { readonly store?: StoreKind; readonly sensors?: readonly Sensor[] } = {},
): BuiltBundles {
  const { store, sensors } = options;
  const synthesized = synthStage("dev", {
    bundle: true,
    ...(store === undefined ? {} : { config: { ...STAGES.dev, store } }),
    ...(sensors === undefined ? {} : { sensors }),
  });
  return bundlesOf(synthesized);
}

/** The functions of a stage synthesized with real bundling, by their label. */
export function bundlesOf({ app, stack, template }: SynthesizedStage): BuiltBundles {
  const resources = template.toJSON().Resources as Resources;
  const functions: Record<string, BundledFunction> = {};
  for (const fn of stack.functions) {
    const properties = resources[logicalIdOf(fn.lambda)]?.Properties ?? {};
    const code = properties.Code as { S3Key?: string } | undefined;
    const assetHash = code?.S3Key?.replace(/\.zip$/, "");
    if (!assetHash) throw new Error(`${fn.label}: no asset key in the template`);
    const entry = join(app.outdir, `asset.${assetHash}`, "index.mjs");
    if (!existsSync(entry)) throw new Error(`${fn.label}: the staged asset has no index.mjs (${entry})`);
    const variables = (properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    functions[fn.label] = {
      label: fn.label,
      entry,
      handler: String(properties.Handler),
      environment: Object.fromEntries(
        Object.entries(variables).map(([name, value]) => [name, resolveToken(value, resources)]),
      ),
    };
  }
  return { functions, outdir: app.outdir };
}

export interface Invocation {
  /** What the handler returned. */
  readonly result: unknown;
  /** Every line the function printed (logs and EMF). */
  readonly lines: readonly string[];
}

const RESULT_MARK = "KAIKAI_BUNDLE_RESULT ";

/** Imports the bundle in a new Node process (module scope runs with the function's env), calls handler once. */
const RUNNER = `
const { handler } = await import(process.env.KAIKAI_BUNDLE_URL);
const context = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:${REGION}:${ACCOUNT}:function:" + process.env.AWS_LAMBDA_FUNCTION_NAME,
  memoryLimitInMB: "256",
  awsRequestId: "bundle-test-request",
  logGroupName: "/aws/lambda/bundle-test",
  logStreamName: "bundle-test",
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30000,
  done() {}, fail() {}, succeed() {},
};
const result = await handler(JSON.parse(process.env.KAIKAI_BUNDLE_EVENT), context);
process.stdout.write("\\n${RESULT_MARK}" + JSON.stringify(result ?? null) + "\\n");
process.exit(0);
`;

export async function invokeBundle(fn: BundledFunction, event: unknown, fakeAws: FakeAws): Promise<Invocation> {
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", RUNNER], {
    env: {
      PATH: process.env.PATH ?? "",
      ...fn.environment,
      AWS_ENDPOINT_URL: fakeAws.url,
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ACCESS_KEY_ID: "fake-access-key",
      AWS_SECRET_ACCESS_KEY: "fake-secret-key",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_LAMBDA_FUNCTION_NAME: `kaikai-dev-${fn.label}`,
      KAIKAI_BUNDLE_URL: pathToFileURL(fn.entry).href,
      KAIKAI_BUNDLE_EVENT: JSON.stringify(event),
    },
    maxBuffer: 32 * 1024 * 1024,
    timeout: 60_000,
  });
  const lines = stdout.split("\n");
  const resultLine = lines.find((line) => line.startsWith(RESULT_MARK));
  if (resultLine === undefined) throw new Error(`${fn.label}: the handler returned nothing\n${stdout}`);
  return { result: JSON.parse(resultLine.slice(RESULT_MARK.length)), lines };
}

/** The values of a metric over the EMF lines a function printed. */
export function emfValues(lines: readonly string[], metricName: string): number[] {
  return lines.flatMap((line) => {
    if (!line.startsWith("{") || !line.includes('"_aws"')) return [];
    const value = (JSON.parse(line) as Record<string, unknown>)[metricName];
    if (value === undefined) return [];
    return (Array.isArray(value) ? value : [value]).map(Number);
  });
}
