import { Duration } from "aws-cdk-lib";

/** Defaults of `IngestionProps`; each is documented on its prop. */
export const INGESTION_DEFAULTS = {
  /** Timestream takes at most 100 records per WriteRecords call: one call per full batch. */
  batchSize: 100,
  maxBatchingWindow: Duration.seconds(5),
  maxReceiveCount: 5,
  timeout: Duration.seconds(60),
  memorySizeMb: 512,
} as const;
