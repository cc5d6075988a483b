/**
 * The data a function is bundled with instead of given in its environment (Lambda caps an
 * environment at 4 KB, which a registry outgrows at about 14 sensors): the registry's entries and
 * the stage's alert rules, as the JSON text of a BundledConfig. The house function construct has
 * esbuild define KAIKAI_BUNDLED_CONFIG with it at synth (lib/constructs/kaikai-function.ts); code
 * run without bundling (tests) sets a global of that name instead.
 */
import type { AlertRule } from "../core/alerts.js";
import type { RegistryEntry } from "../core/sensor.js";

export const BUNDLED_CONFIG_IDENTIFIER = "KAIKAI_BUNDLED_CONFIG";

export interface BundledConfig {
  readonly registry?: readonly RegistryEntry[];
  readonly alertRules?: readonly AlertRule[];
}

declare const KAIKAI_BUNDLED_CONFIG: string | undefined;

/** The JSON text the function was bundled with; undefined when it was bundled with none. */
export function bundledConfigText(): string | undefined {
  return typeof KAIKAI_BUNDLED_CONFIG === "string" ? KAIKAI_BUNDLED_CONFIG : undefined;
}
