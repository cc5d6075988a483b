/**
 * How an entry reads its environment: once, at cold start, against a schema the entry owns; a
 * bad environment fails the init with one error naming every missing or invalid variable.
 */
import { bundledConfigText } from "../bindings/bundled-config.js";
import { ENV } from "../bindings/environment.js";
import { DEFAULT_STORE, STORES, type StoreKind } from "../bindings/stores.js";
import { type AlertRule, alertRulesSchema } from "../core/alerts.js";
import { LANGUAGES, type Language } from "../core/aqi.js";
import { parseRegistry, type SensorRegistry } from "../core/sensor.js";
import { isoDateOf } from "../core/time.js";
import * as z from "../core/zod.js";

export function parseEnvironment<T extends z.ZodMiniType>(schema: T, env: NodeJS.ProcessEnv, what: string): z.infer<T> {
  const parsed = schema.safeParse(env, z.inEnglish);
  if (!parsed.success) throw new Error(`${what} environment is invalid:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export const requiredText = z.string().check(z.minLength(1));

/**
 * What every function's environment holds: its stage, its store and, in AWS, the IoT data
 * endpoint (unset outside AWS, where the IoT client keeps the SDK's endpoint resolution). Each
 * entry extends it with its own variables, for the store it is given.
 */
export const functionEnvSchema = z.object({
  [ENV.stage]: requiredText,
  [ENV.store]: z.optional(z.enum(STORES)),
  [ENV.iotDataEndpoint]: z.optional(z.url()),
});

/** STORE, `timestream` when unset; throws naming the variable when it is neither store. */
export function readStoreKind(env: NodeJS.ProcessEnv): StoreKind {
  const vars = parseEnvironment(z.object({ [ENV.store]: z.optional(z.enum(STORES)) }), env, "function");
  return vars[ENV.store] ?? DEFAULT_STORE;
}

/** The store a function is given: Timestream names its database; DynamoDB needs only table names. */
export type StoreTarget = { readonly kind: "timestream"; readonly database: string } | { readonly kind: "dynamodb" };

const timestreamEnvSchema = z.object({ [ENV.timestreamDatabase]: requiredText });

/**
 * An entry's variables (`schema`) and its store's, checked together so that one error names every
 * missing or invalid variable.
 */
export function parseStoreEnvironment<T extends z.ZodMiniObject>(
  schema: T,
  env: NodeJS.ProcessEnv,
  what: string,
): { readonly vars: z.infer<T>; readonly store: StoreTarget } {
  const kind = readStoreKind(env);
  const vars = schema.safeParse(env, z.inEnglish);
  const timestream = kind === "timestream" ? timestreamEnvSchema.safeParse(env, z.inEnglish) : undefined;
  if (!vars.success || timestream?.success === false) {
    const problems = [timestream, vars].flatMap((result) =>
      result === undefined || result.success ? [] : [z.prettifyError(result.error)],
    );
    throw new Error(`${what} environment is invalid:\n${problems.join("\n")}`);
  }
  return {
    vars: vars.data,
    store:
      timestream === undefined
        ? { kind: "dynamodb" }
        : { kind: "timestream", database: timestream.data[ENV.timestreamDatabase] },
  };
}

/** What a function was bundled with, checked: its registry and the stage's alert rules, when it has them. */
export interface BundledData {
  readonly registry?: SensorRegistry;
  readonly alertRules?: readonly AlertRule[];
}

const bundledConfigSchema = z.object({
  registry: z.optional(z.array(z.unknown())),
  alertRules: z.optional(z.unknown()),
});

/**
 * The function's bundled data (lambdas/bindings/bundled-config.ts), `text` being its JSON; the
 * registry is checked as at synth, against `today`.
 */
export function readBundledData(text: string | undefined, today: string): BundledData {
  if (text === undefined) return {};
  const parsed = bundledConfigSchema.safeParse(JSON.parse(text), z.inEnglish);
  if (!parsed.success) throw new Error(`the bundled configuration is invalid:\n${z.prettifyError(parsed.error)}`);
  const { registry, alertRules } = parsed.data;
  return {
    ...(registry === undefined ? {} : { registry: parseRegistry(registry, { today }) }),
    ...(alertRules === undefined ? {} : { alertRules: alertRulesSchema.parse(alertRules, z.inEnglish) }),
  };
}

/** What this function was bundled with, its registry checked against the date it starts on. */
export const readFunctionBundledData = (): BundledData => readBundledData(bundledConfigText(), isoDateOf(Date.now()));

/** The registry the function was bundled with; a function that enriches readings cannot start without it. */
export function requireRegistry(data: BundledData, what: string): SensorRegistry {
  if (data.registry === undefined) throw new Error(`${what} was bundled without the sensor registry`);
  return data.registry;
}

export interface AlertConfig {
  readonly rules: readonly AlertRule[];
  readonly topicArn: string;
  /** The language of the e-mail texts. */
  readonly language: Language;
}

/**
 * The bundled alert rules, ALERTS_TOPIC_ARN (required once there are rules) and ALERT_LANGUAGE
 * (`en` when unset).
 */
export function readAlertConfig(env: NodeJS.ProcessEnv, rules: readonly AlertRule[]): AlertConfig {
  const vars = parseEnvironment(
    z.object({ [ENV.alertsTopicArn]: requiredText, [ENV.alertLanguage]: z.optional(z.enum(LANGUAGES)) }),
    env,
    "alerting",
  );
  return { rules, topicArn: vars[ENV.alertsTopicArn], language: vars[ENV.alertLanguage] ?? "en" };
}

/** Alerting of the ingest function: none when it was bundled without alert rules. */
export function readOptionalAlertConfig(env: NodeJS.ProcessEnv, data: BundledData): AlertConfig | undefined {
  return data.alertRules === undefined ? undefined : readAlertConfig(env, data.alertRules);
}
