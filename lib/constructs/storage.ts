import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import { Key } from "aws-cdk-lib/aws-kms";
import { BlockPublicAccess, Bucket, BucketEncryption } from "aws-cdk-lib/aws-s3";
import { CfnDatabase, CfnTable } from "aws-cdk-lib/aws-timestream";
import { Construct } from "constructs";
import { TABLES } from "../../lambdas/bindings/resources.js";
import { acknowledgeTimestreamMaintenance } from "../nag.js";
import type { TimestreamTableRef } from "./kaikai-function.js";

/** Where Timestream writes its reports of records it refused during magnetic-store writes. */
export const MAGNETIC_REJECTS_PREFIX = "magnetic-rejects/";

export interface StorageProps {
  /** Timestream database name. */
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

/**
 * Timestream database and tables, and the quarantine bucket where refused readings, rule errors
 * and magnetic-store reject reports are kept, all encrypted with one customer key.
 */
export class Storage extends Construct {
  /** Encrypts the database, the quarantine and the queues (buffer and dead-letter queues). */
  public readonly key: Key;
  public readonly database: CfnDatabase;
  public readonly measurementsTable: CfnTable;
  public readonly hourlyAggregatesTable: CfnTable;
  public readonly zoneAggregatesTable: CfnTable;
  public readonly measurements: TimestreamTableRef;
  public readonly hourlyAggregates: TimestreamTableRef;
  public readonly zoneAggregates: TimestreamTableRef;
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
      description: `Kaikai data at rest (${props.databaseName}): Timestream, quarantine, queues`,
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

    this.database = new CfnDatabase(this, "Database", {
      databaseName: props.databaseName,
      kmsKeyId: this.key.keyArn,
    });
    this.database.applyRemovalPolicy(removalPolicy);
    acknowledgeTimestreamMaintenance(this.database);

    const table = (logicalId: string, tableName: string): [CfnTable, TimestreamTableRef] => {
      const cfnTable = new CfnTable(this, logicalId, {
        databaseName: this.database.ref,
        tableName,
        retentionProperties: {
          MemoryStoreRetentionPeriodInHours: String(props.memoryRetentionHours),
          MagneticStoreRetentionPeriodInDays: String(props.magneticRetentionDays),
        },
        magneticStoreWriteProperties: {
          EnableMagneticStoreWrites: true,
          MagneticStoreRejectedDataLocation: {
            S3Configuration: {
              BucketName: this.quarantineBucket.bucketName,
              EncryptionOption: "SSE_KMS",
              KmsKeyId: this.key.keyArn,
              ObjectKeyPrefix: `${MAGNETIC_REJECTS_PREFIX}${tableName}/`,
            },
          },
        },
      });
      acknowledgeTimestreamMaintenance(cfnTable);
      cfnTable.applyRemovalPolicy(removalPolicy);
      return [cfnTable, { databaseName: props.databaseName, tableName, tableArn: cfnTable.attrArn }];
    };
    [this.measurementsTable, this.measurements] = table("Measurements", TABLES.measurements);
    [this.hourlyAggregatesTable, this.hourlyAggregates] = table("HourlyAggregates", TABLES.hourlyAggregates);
    [this.zoneAggregatesTable, this.zoneAggregates] = table("ZoneAggregates", TABLES.zoneAggregates);
  }
}
