import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  AssetHashType,
  BundlingOutput,
  CfnResource,
  DockerImage,
  type Duration,
  type ILocalBundling,
  type RemovalPolicy,
  Stack,
} from "aws-cdk-lib";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { type AssetCode, Code, Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type * as Esbuild from "esbuild";
import { BUNDLED_CONFIG_IDENTIFIER, type BundledConfig } from "../../lambdas/bindings/bundled-config.js";
import { ENV } from "../../lambdas/bindings/environment.js";
import { METRICS_NAMESPACE, METRICS_SERVICE } from "../../lambdas/bindings/metrics.js";
import { kaikaiFunctionName } from "../../lambdas/bindings/resources.js";
import { acknowledgeWildcard, arnWildcardFinding, wildcardArnFinding } from "../nag.js";
import type { IotDataEndpoint } from "./iot-data-endpoint.js";
import { KAIKAI_ESBUILD, KAIKAI_FUNCTION_DEFAULTS, KAIKAI_HANDLER } from "./kaikai-function-defaults.js";

/** The repository root: entries, esbuild and tsconfig.json are resolved against it. */
export const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export type EnvKey = (typeof ENV)[keyof typeof ENV];
export type PowertoolsLogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR";

/** A Timestream table as the functions see it. */
export interface TimestreamTableRef {
  readonly databaseName: string;
  readonly tableName: string;
  readonly tableArn: string;
}

/** `write`: WriteRecords into the table. `query`: Select from it. */
export type TableAccess = "write" | "query";

export type DynamoDbAccess = "put" | "query" | "batch-write";

const DYNAMODB_ACTIONS: Readonly<Record<DynamoDbAccess, string>> = {
  put: "dynamodb:PutItem",
  query: "dynamodb:Query",
  "batch-write": "dynamodb:BatchWriteItem",
};

export interface KaikaiFunctionProps {
  /** Entry file, relative to the repository root (one of FUNCTION_ENTRIES). */
  readonly entry: string;
  /** Short kebab-case name (`ingest`, `hourly-rollup`): labels its alarms and widgets. */
  readonly label: string;
  /** What the function does, in a few words (role and function descriptions). */
  readonly purpose: string;
  readonly stage: string;
  /** Retention of the function's log group. */
  readonly logRetention: RetentionDays;
  /** What happens to the log group when the stack is deleted. */
  readonly logRemovalPolicy: RemovalPolicy;
  /** @default 256 */
  readonly memorySizeMb?: number;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  /** @default "INFO" */
  readonly logLevel?: PowertoolsLogLevel;
  /**
   * Data bundled into the function's code at synth rather than given in its environment: the
   * registry and the alert rules (lambdas/bindings/bundled-config.ts).
   * @default none
   */
  readonly bundledConfig?: BundledConfig;
}

/**
 * The house Lambda function: Node.js 24 on arm64, ES modules bundled and code-split locally by
 * esbuild with the SDK inside (`index.mjs` and its chunks), source maps on, its own log group with
 * a retention, Powertools settings, and a role that starts empty. Access is given only through the
 * `bind*` / `allow*` methods, each of which sets the environment variable and the matching
 * least-privilege grant together.
 */
export class KaikaiFunction extends Construct {
  public readonly lambda: LambdaFunction;
  public readonly role: Role;
  public readonly logGroup: LogGroup;
  public readonly label: string;
  public readonly timeout: Duration;
  private describeEndpointsGranted = false;

  constructor(scope: Construct, id: string, props: KaikaiFunctionProps) {
    super(scope, id);
    // Even a synth that skips bundling fails early, with the fix, when esbuild is missing.
    localEsbuild();
    this.label = props.label;
    this.timeout = props.timeout ?? KAIKAI_FUNCTION_DEFAULTS.timeout;

    this.logGroup = new LogGroup(this, "Logs", {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `${props.purpose} (${props.stage})`,
    });
    this.logGroup.grantWrite(this.role);

    this.lambda = new LambdaFunction(this, "Function", {
      functionName: kaikaiFunctionName(props.stage, props.label),
      code: bundledCode(props.entry, props.bundledConfig),
      handler: KAIKAI_HANDLER,
      runtime: KAIKAI_FUNCTION_DEFAULTS.runtime,
      architecture: KAIKAI_FUNCTION_DEFAULTS.architecture,
      memorySize: props.memorySizeMb ?? KAIKAI_FUNCTION_DEFAULTS.memorySizeMb,
      timeout: this.timeout,
      role: this.role,
      logGroup: this.logGroup,
      tracing: KAIKAI_FUNCTION_DEFAULTS.tracing,
      description: props.purpose,
      environment: {
        NODE_OPTIONS: "--enable-source-maps",
        // One service for every function: metrics are keyed by their whole dimension set, and the
        // dashboard and alarms read `{ service, stage }` (lambdas/bindings/metrics.ts).
        POWERTOOLS_SERVICE_NAME: METRICS_SERVICE,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? KAIKAI_FUNCTION_DEFAULTS.logLevel,
        [ENV.stage]: props.stage,
      },
    });
    // CDK makes the function depend on its whole role construct, so that the role's policy exists
    // before the first invocation (and before the SQS mapping checks it); cfn-lint flags the half
    // of that already implied by the role's GetAtt (W3005).
    const cfnFunction = this.lambda.node.defaultChild;
    if (CfnResource.isCfnResource(cfnFunction)) {
      cfnFunction.addMetadata("cfn-lint", { config: { ignore_checks: ["W3005"] } });
    }
    acknowledgeWildcard(
      this.role,
      "Resource::*",
      "Only actions without a resource type, which IAM accepts on `*` alone: X-Ray's PutTraceSegments and PutTelemetryRecords (active tracing) and, where the function uses Timestream, timestream:DescribeEndpoints (the SDK's cell endpoint discovery).",
    );
  }

  /** Sets a plain configuration value (no access is implied). */
  setEnvironment(key: EnvKey, value: string): this {
    this.lambda.addEnvironment(key, value);
    return this;
  }

  /**
   * Points `key` at a Timestream table (and TIMESTREAM_DATABASE at its database, STORE at
   * Timestream) and grants `access` on it only.
   */
  bindTimestreamTable(key: EnvKey, table: TimestreamTableRef, access: TableAccess): this {
    this.lambda.addEnvironment(key, table.tableName);
    this.lambda.addEnvironment(ENV.timestreamDatabase, table.databaseName);
    this.lambda.addEnvironment(ENV.store, "timestream");
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [access === "write" ? "timestream:WriteRecords" : "timestream:Select"],
        resources: [table.tableArn],
      }),
    );
    this.grantDescribeEndpoints();
    return this;
  }

  /**
   * Points `key` at a DynamoDB table (and STORE at DynamoDB) and grants one kind of access on the
   * table itself, never its indexes or another table: `put` (conditional puts, which is what
   * TransactWriteItems needs for its Puts), `query` (key-range reads) or `batch-write`. The table's
   * key is granted for what DynamoDB does with it on the function's behalf: decrypt to read,
   * encrypt and make data keys to write.
   */
  bindDynamoDbTable(key: EnvKey, table: ITable, access: DynamoDbAccess): this {
    this.lambda.addEnvironment(key, table.tableName);
    this.lambda.addEnvironment(ENV.store, "dynamodb");
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: [DYNAMODB_ACTIONS[access]], resources: [table.tableArn] }),
    );
    if (table.encryptionKey) {
      this.allowKeyUse(
        table.encryptionKey,
        access === "query" ? ["kms:Decrypt"] : ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
      );
    }
    return this;
  }

  /** Points `key` at a bucket and lets the function put objects under `prefix` only. */
  bindBucket(key: EnvKey, bucket: IBucket, prefix: string): this {
    this.lambda.addEnvironment(key, bucket.bucketName);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ["s3:PutObject"], resources: [bucket.arnForObjects(`${prefix}*`)] }),
    );
    acknowledgeWildcard(
      this.role,
      arnWildcardFinding(bucket, `/${prefix}*`),
      `Objects are written with generated names, only under the ${prefix} prefix of this bucket.`,
    );
    if (bucket.encryptionKey) this.allowKeyUse(bucket.encryptionKey, ["kms:GenerateDataKey"]);
    return this;
  }

  /**
   * Points `key` at an SQS queue (its URL) and grants one side of it: `send` (SendMessage) or
   * `consume` (ReceiveMessage and DeleteMessage), with what its key needs for that side.
   */
  bindQueue(key: EnvKey, queue: IQueue, access: "send" | "consume"): this {
    this.lambda.addEnvironment(key, queue.queueUrl);
    this.allowQueue(queue, access);
    return this;
  }

  /**
   * Sends an asynchronous invocation that still fails after `retryAttempts` retries to `queue`
   * (Lambda's on-failure destination), with only the grants sending there needs: CDK's
   * SqsDestination would grant the queue's key with wildcard actions.
   */
  sendFailuresTo(queue: IQueue, retryAttempts: number): this {
    this.allowQueue(queue, "send");
    this.lambda.configureAsyncInvoke({ onFailure: { bind: () => ({ destination: queue.queueArn }) }, retryAttempts });
    return this;
  }

  private allowQueue(queue: IQueue, access: "send" | "consume"): void {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: access === "send" ? ["sqs:SendMessage"] : ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
        resources: [queue.queueArn],
      }),
    );
    if (queue.encryptionMasterKey) {
      this.allowKeyUse(
        queue.encryptionMasterKey,
        access === "send" ? ["kms:GenerateDataKey", "kms:Decrypt"] : ["kms:Decrypt"],
      );
    }
  }

  /** Points `key` at another function (its name) and lets this one invoke it. */
  allowInvoke(key: EnvKey, fn: KaikaiFunction): this {
    this.lambda.addEnvironment(key, fn.lambda.functionName);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ["lambda:InvokeFunction"], resources: [fn.lambda.functionArn] }),
    );
    return this;
  }

  /** Points `key` at an SNS topic and lets the function publish to it. */
  bindTopic(key: EnvKey, topic: ITopic): this {
    this.lambda.addEnvironment(key, topic.topicArn);
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ["sns:Publish"], resources: [topic.topicArn] }));
    if (topic.masterKey) this.allowKeyUse(topic.masterKey, ["kms:GenerateDataKey", "kms:Decrypt"]);
    return this;
  }

  /**
   * Points the function's IoT data client at the account's ATS endpoint; the function itself needs
   * no grant for it (publish and shadow access come from `allowIotPublish` / `allowNamedShadow`).
   */
  bindIotDataEndpoint(endpoint: IotDataEndpoint): this {
    this.lambda.addEnvironment(ENV.iotDataEndpoint, endpoint.url);
    return this;
  }

  /** Lets the function publish on exactly these MQTT topics (IoT data plane). */
  allowIotPublish(topicNames: readonly string[]): this {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ["iot:Publish"],
        resources: topicNames.map((topicName) => iotArn(this, "topic", topicName)),
      }),
    );
    return this;
  }

  /**
   * Lets the function publish on every topic under `prefix` (a sensor's alert topic, for every
   * sensor of a fleet that may grow without a stack update); the wildcard is acknowledged with
   * `reason`, and nothing outside the prefix is granted.
   */
  allowIotPublishUnder(prefix: string, reason: string): this {
    const topics = iotArn(this, "topic", `${prefix}*`);
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ["iot:Publish"], resources: [topics] }));
    acknowledgeWildcard(this.role, wildcardArnFinding(this, topics), reason);
    return this;
  }

  /**
   * Lets the function read and update the named shadow `shadowName` of any thing of the account,
   * and no other shadow: the fleet's things are made by `kaikai fleet`, not listed in the stack.
   */
  allowNamedShadowOfEveryThing(shadowName: string): this {
    const shadows = iotArn(this, "thing", `*/${shadowName}`);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ["iot:GetThingShadow", "iot:UpdateThingShadow"], resources: [shadows] }),
    );
    acknowledgeWildcard(
      this.role,
      wildcardArnFinding(this, shadows),
      `Only the ${shadowName} named shadow, of whichever sensor a reading or an hour is about; the fleet's things are not in the stack, so that it grows without a stack update.`,
    );
    return this;
  }

  private allowKeyUse(key: IKey, actions: readonly string[]): void {
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: [...actions], resources: [key.keyArn] }));
  }

  /** DescribeEndpoints has no resource type: it is the one action granted on `*`. */
  private grantDescribeEndpoints(): void {
    if (this.describeEndpointsGranted) return;
    this.describeEndpointsGranted = true;
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ["timestream:DescribeEndpoints"], resources: ["*"] }),
    );
  }
}

function iotArn(scope: Construct, resource: "topic" | "thing", resourceName: string): string {
  return Stack.of(scope).formatArn({ service: "iot", resource, resourceName });
}

/**
 * The entry bundled by the local esbuild. The asset hash is the bundle's own, so that a change in
 * any code the function ships (ours or a dependency's) redeploys it, and nothing else does.
 */
function bundledCode(entry: string, bundledConfig: BundledConfig | undefined): AssetCode {
  return Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // The type requires an image; it is never pulled nor run, since local bundling succeeds or throws.
      image: DockerImage.fromRegistry("kaikai-bundles-locally-never-in-docker"),
      outputType: BundlingOutput.NOT_ARCHIVED,
      local: new LocalEsbuild(entry, bundledConfig),
    },
  });
}

/**
 * Bundles one entry into `index.mjs` and its chunks. CDK keys its bundling cache on these fields
 * (it serialises the bundling options), so two entries never share a bundle.
 */
class LocalEsbuild implements ILocalBundling {
  readonly entry: string;
  readonly options: Readonly<Esbuild.BuildOptions>;

  constructor(entry: string, bundledConfig: BundledConfig | undefined) {
    this.entry = entry;
    // The config's JSON text becomes a string literal in the code (a define takes a JS expression).
    this.options =
      bundledConfig === undefined
        ? KAIKAI_ESBUILD
        : { ...KAIKAI_ESBUILD, define: { [BUNDLED_CONFIG_IDENTIFIER]: JSON.stringify(JSON.stringify(bundledConfig)) } };
  }

  /** Never answers `false`: CDK would then bundle in Docker. A failed build throws instead. */
  tryBundle(outputDir: string): boolean {
    const esbuild = localEsbuild();
    const { warnings } = esbuild.buildSync({
      ...this.options,
      absWorkingDir: PROJECT_ROOT,
      entryPoints: { index: join(PROJECT_ROOT, this.entry) },
      outdir: outputDir,
    });
    if (warnings.length > 0) console.warn(esbuild.formatMessagesSync(warnings, { kind: "warning" }).join("\n"));
    return true;
  }
}

/** The project's esbuild; without it the synth fails with the fix rather than turning to Docker. */
function localEsbuild(): typeof Esbuild {
  try {
    return createRequire(join(PROJECT_ROOT, "package.json"))("esbuild");
  } catch (cause) {
    throw new Error("esbuild is not installed locally (run `npm ci`): Kaikai functions never bundle in Docker", {
      cause,
    });
  }
}
