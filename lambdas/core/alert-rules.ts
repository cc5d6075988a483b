import * as z from "./schema.js";

export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Metrics a rule can watch on each reading. */
export const READING_METRICS = ["pm25", "temperature", "humidity", "co2"] as const;
/** Metrics a rule can watch on each hourly roll-up of a sensor. */
export const HOURLY_METRICS = ["pm25_mean", "temperature_mean", "humidity_mean", "co2_mean", "completeness"] as const;

const ruleBase = {
  id: z.string().check(z.regex(/^[a-z0-9_]{1,48}$/)),
  severity: z.enum(SEVERITIES),
  /** "above": breached when value > threshold, clears when value < threshold - hysteresis. */
  direction: z.enum(["above", "below"]),
  threshold: z.number(),
  hysteresis: z.number().check(z.gte(0)),
  reminderMinutes: z.int().check(z.gte(1)),
};

export const alertRuleSchema = z.discriminatedUnion("scope", [
  z.strictObject({ scope: z.literal("reading"), metric: z.enum(READING_METRICS), ...ruleBase }),
  z.strictObject({ scope: z.literal("hourly"), metric: z.enum(HOURLY_METRICS), ...ruleBase }),
]);
export type AlertRule = z.infer<typeof alertRuleSchema>;

export const alertRulesSchema = z.array(alertRuleSchema).check(
  z.superRefine((rules, ctx) => {
    const ids = new Set<string>();
    for (const [index, rule] of rules.entries()) {
      if (ids.has(rule.id))
        ctx.addIssue({ code: "custom", path: [index, "id"], message: `duplicate rule id ${rule.id}` });
      ids.add(rule.id);
    }
  }),
);
