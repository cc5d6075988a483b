import { Duration } from "aws-cdk-lib";

/** Defaults of `IngestionProps`; each is documented on its prop. */
export const INGESTION_DEFAULTS = {
  /** Timestream takes at most 100 records per WriteRecords call: one call per full batch. */
  batchSize: 100,
  maxBatchingWindow: Duration.seconds(5),
  maxReceiveCount: 5,
  timeout: Duration.seconds(60),
  memorySizeMb: 512,
  /**
   * The least SQS event sources allow. Each instance makes one store write of 100 readings at a
   * time, so two carry a fleet reporting every minute many times the seed's, and a backlog drains
   * at a steady rate instead of scaling out into the store's throttling (and, after
   * maxReceiveCount receives, the dead-letter queue).
   */
  maxConcurrency: 2,
} as const;
