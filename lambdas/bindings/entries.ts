/**
 * The entry file of each function, relative to the repository root: the stack points the house
 * function construct at these paths and never imports what they contain.
 */
export const FUNCTION_ENTRIES = {
  ingest: "lambdas/handlers/ingest.ts",
  hourlyRollup: "lambdas/handlers/hourly-rollup.ts",
  zoneRollup: "lambdas/handlers/zone-rollup.ts",
} as const;
