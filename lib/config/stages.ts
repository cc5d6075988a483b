import { readFileSync } from "node:fs";
import { z } from "zod";
import { DEFAULT_STORE, STORES } from "../../lambdas/bindings/stores.js";
import { alertRulesSchema } from "../../lambdas/core/alerts.js";
import { LANGUAGES } from "../../lambdas/core/aqi.js";
import { DEFAULT_TIME_ZONE, isTimeZone } from "../../lambdas/core/daily.js";
import { DAY_MS } from "../../lambdas/core/time.js";

export const STAGE_NAMES = ["dev", "staging", "prod"] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** Per-stage settings, read from the `kaikai:stages` context of cdk.json and checked at synth. */
export const stageConfigSchema = z
  .object({
    /**
     * Where readings and roll-ups are kept: Timestream for LiveAnalytics (accounts that have it) or
     * DynamoDB (any account). `-c kaikai:store=...` overrides it for every stage.
     */
    store: z.enum(STORES).default(DEFAULT_STORE),
    /** Timestream memory store retention; readings newer than this are written to memory. */
    memoryRetentionHours: z.number().int().min(1).max(8766),
    /** Timestream magnetic store retention; also the oldest reading the store accepts. */
    magneticRetentionDays: z.number().int().min(1).max(73_000),
    /** CloudWatch Logs retention for every function. */
    logRetentionDays: z.number().int().min(1),
    /** Days before quarantined payloads expire. */
    quarantineExpirationDays: z.number().int().min(1),
    /** Addresses subscribed to the air-quality alerts topic. */
    alertEmails: z.array(z.email()),
    /** Addresses subscribed to the ops topic (alarms). */
    opsEmails: z.array(z.email()),
    alertRules: alertRulesSchema,
    /**
     * The IANA time zone whose calendar days the daily means and WHO figures cover (Dakar and
     * Saint-Louis: Africa/Dakar, UTC+0 without daylight saving).
     */
    timeZone: z
      .string()
      .refine(isTimeZone, "must be an IANA time zone name, e.g. Africa/Dakar")
      .default(DEFAULT_TIME_ZONE),
    /** The language of alert texts: en or fr. */
    alertLanguage: z.enum(LANGUAGES).default("en"),
    /** Alarm thresholds. */
    ops: z
      .object({
        rejectSharePercent: z.number().min(0).max(100),
        silentMinutes: z.number().int().min(1),
        minActiveSensors: z.number().int().min(0),
      })
      .strict(),
    /**
     * Ingest instances the buffer queue may run at once (SQS event source maximum concurrency,
     * 2 to 1000): raise it with the fleet, keeping the store's write rate below its throttling.
     */
    ingestMaxConcurrency: z.number().int().min(2).max(1000).default(2),
    /** Retain data stores when the stack is deleted. */
    retainData: z.boolean(),
  })
  .strict();

export type StageConfig = z.infer<typeof stageConfigSchema>;

/** The oldest reading a stage's store accepts, as an age: its magnetic store retention. */
export function maxReadingAgeMs(stage: Pick<StageConfig, "magneticRetentionDays">): number {
  return stage.magneticRetentionDays * DAY_MS;
}

const stagesSchema = z.object(
  Object.fromEntries(STAGE_NAMES.map((name) => [name, stageConfigSchema])) as Record<
    StageName,
    typeof stageConfigSchema
  >,
);
export type Stages = z.infer<typeof stagesSchema>;

export const STAGES_CONTEXT_KEY = "kaikai:stages";
/** `npx cdk synth -c kaikai:store=dynamodb`: one store for every stage, whatever cdk.json says. */
export const STORE_CONTEXT_KEY = "kaikai:store";

/** The stages with the store override applied; throws naming the context key on a store it does not know. */
export function withStoreOverride(stages: Stages, override: unknown): Stages {
  if (override === undefined) return stages;
  const store = z.enum(STORES).safeParse(override);
  if (!store.success) {
    throw new Error(`invalid -c ${STORE_CONTEXT_KEY}=${String(override)}: use one of ${STORES.join(", ")}`);
  }
  return Object.fromEntries(
    Object.entries(stages).map(([name, config]) => [name, { ...config, store: store.data }]),
  ) as Stages;
}

/** Validates the `kaikai:stages` context value; throws with every bad path named. */
export function parseStages(context: unknown): Stages {
  const result = stagesSchema.safeParse(context);
  if (!result.success) {
    throw new Error(`invalid ${STAGES_CONTEXT_KEY} in cdk.json:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}

const CDK_JSON = new URL("../../cdk.json", import.meta.url);
const cdkJsonSchema = z.object({ context: z.record(z.string(), z.unknown()).default({}) });

/** The context of a cdk.json file (the stages and CDK's feature flags), as `cdk synth` reads it. */
export function readCdkContext(path: URL | string = CDK_JSON): Record<string, unknown> {
  return cdkJsonSchema.parse(JSON.parse(readFileSync(path, "utf8"))).context;
}

/** Reads the stages from a cdk.json file, for the local runtime and tests that run outside `cdk`. */
export function loadStagesFromCdkJson(path: URL | string = CDK_JSON): Stages {
  return parseStages(readCdkContext(path)[STAGES_CONTEXT_KEY]);
}
