/**
 * The zod the Lambda functions parse with at cold start: zod/mini, the functional API of the same
 * zod, whose schemas tree-shake, so a bundle carries only the validators it uses instead of all
 * of zod's classic API (a tenth of the ingest bundle and a sizeable share of its init). Unlike
 * classic zod, mini sets no locale of its own: English is set here so that errors name the
 * problem ("expected string, received undefined") rather than "Invalid input". Import it as
 * `import * as z from "./schema.js"`.
 */
import { en } from "zod/locales";
import { config } from "zod/mini";

config(en());

// Re-exported name by name (not as one namespace object) so that bundlers keep only what is used.
export * from "zod/mini";
