import type { RemovalPolicy } from "aws-cdk-lib";
import { AttributeType, BillingMode, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { CfnDatabase, CfnTable } from "aws-cdk-lib/aws-timestream";
import type { Construct } from "constructs";
import { ENV } from "../../lambdas/bindings/environment.js";
import { TABLES } from "../../lambdas/bindings/resources.js";
import type { StoreKind } from "../../lambdas/bindings/stores.js";
import { acknowledgeTimestreamMaintenance } from "../nag.js";
import type { KaikaiFunction, TableAccess, TimestreamTableRef } from "./kaikai-function.js";

/**
 * The stage's store as the functions see it: each `bind*` points a function at one kind of data
 * (its environment variable and STORE) and grants it exactly `access` to the table that holds it.
 */
export interface StoreTables {
  readonly kind: StoreKind;
  bindReadings(fn: KaikaiFunction, access: TableAccess): void;
  bindHourlyAggregates(fn: KaikaiFunction, access: TableAccess): void;
  bindZoneAggregates(fn: KaikaiFunction, access: TableAccess): void;
}

/** Where Timestream writes its reports of records it refused during magnetic-store writes. */
export const MAGNETIC_REJECTS_PREFIX = "magnetic-rejects/";

export interface TimestreamTablesProps {
  readonly databaseName: string;
  readonly memoryRetentionHours: number;
  readonly magneticRetentionDays: number;
  readonly key: IKey;
  /** Magnetic-store reject reports go here, under MAGNETIC_REJECTS_PREFIX. */
  readonly rejectsBucketName: string;
  readonly removalPolicy: RemovalPolicy;
}

/** Timestream for LiveAnalytics: a database and a table per kind of data. */
export class TimestreamTables implements StoreTables {
  readonly kind = "timestream";
  readonly database: CfnDatabase;
  readonly measurementsTable: CfnTable;
  readonly hourlyAggregatesTable: CfnTable;
  readonly zoneAggregatesTable: CfnTable;
  readonly measurements: TimestreamTableRef;
  readonly hourlyAggregates: TimestreamTableRef;
  readonly zoneAggregates: TimestreamTableRef;

  /** The resources are made in `scope` itself, so that their logical ids do not change with this class. */
  constructor(scope: Construct, props: TimestreamTablesProps) {
    this.database = new CfnDatabase(scope, "Database", {
      databaseName: props.databaseName,
      kmsKeyId: props.key.keyArn,
    });
    this.database.applyRemovalPolicy(props.removalPolicy);
    acknowledgeTimestreamMaintenance(this.database);

    const table = (logicalId: string, tableName: string): [CfnTable, TimestreamTableRef] => {
      const cfnTable = new CfnTable(scope, logicalId, {
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
              BucketName: props.rejectsBucketName,
              EncryptionOption: "SSE_KMS",
              KmsKeyId: props.key.keyArn,
              ObjectKeyPrefix: `${MAGNETIC_REJECTS_PREFIX}${tableName}/`,
            },
          },
        },
      });
      acknowledgeTimestreamMaintenance(cfnTable);
      cfnTable.applyRemovalPolicy(props.removalPolicy);
      return [cfnTable, { databaseName: props.databaseName, tableName, tableArn: cfnTable.attrArn }];
    };
    [this.measurementsTable, this.measurements] = table("Measurements", TABLES.measurements);
    [this.hourlyAggregatesTable, this.hourlyAggregates] = table("HourlyAggregates", TABLES.hourlyAggregates);
    [this.zoneAggregatesTable, this.zoneAggregates] = table("ZoneAggregates", TABLES.zoneAggregates);
  }

  bindReadings(fn: KaikaiFunction, access: TableAccess): void {
    fn.bindTimestreamTable(ENV.measurementsTable, this.measurements, access);
  }

  bindHourlyAggregates(fn: KaikaiFunction, access: TableAccess): void {
    fn.bindTimestreamTable(ENV.hourlyAggregatesTable, this.hourlyAggregates, access);
  }

  bindZoneAggregates(fn: KaikaiFunction, access: TableAccess): void {
    fn.bindTimestreamTable(ENV.zoneAggregatesTable, this.zoneAggregates, access);
  }
}

export interface DynamoDbTablesProps {
  readonly key: IKey;
  /** Keep the tables (deletion protection on, retained when the stack is deleted). */
  readonly retainData: boolean;
  readonly removalPolicy: RemovalPolicy;
}

/** The readings table's TTL attribute (lambdas/aws/dynamodb/items.ts writes it). */
export const READINGS_TTL_ATTRIBUTE = "expires_at";

/**
 * DynamoDB, for accounts without Timestream: the readings keyed by sensor and reading time, and
 * one table of the hourly and zone roll-ups (partition per kind and hour). On-demand, encrypted
 * with the stage's key, point-in-time recovery on; readings expire by TTL.
 */
export class DynamoDbTables implements StoreTables {
  readonly kind = "dynamodb";
  readonly readings: Table;
  readonly aggregates: Table;

  constructor(scope: Construct, props: DynamoDbTablesProps) {
    const common = {
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.retainData,
      removalPolicy: props.removalPolicy,
    } as const;
    this.readings = new Table(scope, "Readings", {
      ...common,
      partitionKey: { name: "sensor_id", type: AttributeType.STRING },
      sortKey: { name: "timestamp", type: AttributeType.NUMBER },
      timeToLiveAttribute: READINGS_TTL_ATTRIBUTE,
    });
    this.aggregates = new Table(scope, "Aggregates", {
      ...common,
      partitionKey: { name: "pk", type: AttributeType.STRING },
      sortKey: { name: "sk", type: AttributeType.STRING },
    });
  }

  bindReadings(fn: KaikaiFunction, access: TableAccess): void {
    fn.bindDynamoDbTable(ENV.measurementsTable, this.readings, access === "write" ? "put" : "query");
  }

  bindHourlyAggregates(fn: KaikaiFunction, access: TableAccess): void {
    fn.bindDynamoDbTable(ENV.hourlyAggregatesTable, this.aggregates, access === "write" ? "batch-write" : "query");
  }

  bindZoneAggregates(fn: KaikaiFunction, access: TableAccess): void {
    fn.bindDynamoDbTable(ENV.zoneAggregatesTable, this.aggregates, access === "write" ? "batch-write" : "query");
  }
}
