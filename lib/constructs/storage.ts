import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import { Key } from "aws-cdk-lib/aws-kms";
import { BlockPublicAccess, Bucket, BucketEncryption } from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import type { StoreKind } from "../../lambdas/bindings/stores.js";
import { DynamoDbTables, TimestreamTables } from "./store-tables.js";

export interface StorageProps {
  /** Where readings and roll-ups are kept. */
  readonly store: StoreKind;
  /** Timestream database name (and the key's description). */
  readonly databaseName: string;
  /** Hours a record stays in the (fast) memory store. */
  readonly memoryRetentionHours: number;
  /** Days a record stays in the magnetic store; also the oldest record it accepts. */
  readonly magneticRetentionDays: number;
  /** Days before a quarantined object expires (current and noncurrent versions). */
  readonly quarantineExpirationDays: number;
  /** Keep the data stores (and their key) when the stack is deleted. */
  readonly retainData: boolean;
}

const STORE_NAMES: Readonly<Record<StoreKind, string>> = { timestream: "Timestream", dynamodb: "DynamoDB" };

/**
 * The stage's store (Timestream's database and tables, or DynamoDB's tables), and the quarantine
 * bucket where refused readings, rule errors and Timestream's magnetic-store reject reports are
 * kept, all encrypted with one customer key. The store's resources are made in this construct's
 * scope, with the ids they always had.
 */
export class Storage extends Construct {
  /** Encrypts the database, the quarantine and the queues (buffer and dead-letter queues). */
  public readonly key: Key;
  /** The store's tables, and how a function is bound to each kind of data in them. */
  public readonly tables: TimestreamTables | DynamoDbTables;
  public readonly quarantineBucket: Bucket;
  public readonly accessLogsBucket: Bucket;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    // Grant log delivery through the logs bucket's policy rather than the legacy ACL
    // (cfn-lint W3045); buckets here then keep ACLs disabled.
    this.node.setContext("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", true);
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.key = new Key(this, "Key", {
      enableKeyRotation: true,
      description: `Kaikai data at rest (${props.databaseName}): ${STORE_NAMES[props.store]}, quarantine, queues`,
      removalPolicy,
    });

    this.accessLogsBucket = new Bucket(this, "AccessLogs", {
      // S3 server access logging can only deliver to a bucket with S3-managed keys.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(props.quarantineExpirationDays) }],
      removalPolicy,
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: "AwsSolutions-S1",
      reason: "This bucket receives the quarantine bucket's access logs; logging it to itself would loop.",
    });

    this.quarantineBucket = new Bucket(this, "Quarantine", {
      encryption: BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: "quarantine/",
      lifecycleRules: [
        {
          expiration: Duration.days(props.quarantineExpirationDays),
          noncurrentVersionExpiration: Duration.days(props.quarantineExpirationDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy,
    });

    this.tables =
      props.store === "dynamodb"
        ? new DynamoDbTables(this, { key: this.key, retainData: props.retainData, removalPolicy })
        : new TimestreamTables(this, {
            databaseName: props.databaseName,
            memoryRetentionHours: props.memoryRetentionHours,
            magneticRetentionDays: props.magneticRetentionDays,
            key: this.key,
            rejectsBucketName: this.quarantineBucket.bucketName,
            removalPolicy,
          });
  }
}
