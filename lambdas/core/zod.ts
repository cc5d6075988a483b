/**
 * The zod the functions parse with: zod/mini, the functional API of the same zod, whose schemas
 * tree-shake, so a bundle carries only the validators it uses instead of all of zod's classic API
 * (a tenth of the ingest bundle and a sizeable share of its init). Import it as
 * `import * as z from "./zod.js"`.
 */
import { en } from "zod/locales";
import type { $ZodIssue, ParseContext } from "zod/v4/core";

// Re-exported name by name (not as one namespace object) so that bundlers keep only what is used.
export * from "zod/mini";

/**
 * Parse options that word errors in English ("expected string, received undefined") rather than
 * mini's bare "Invalid input", passed to each parse instead of set in zod's process-wide config, so
 * that importing this module changes nothing for anyone else.
 */
export const inEnglish: ParseContext<$ZodIssue> = { error: en().localeError };
