import { Duration } from "aws-cdk-lib";
import { Architecture, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import type { BuildOptions } from "esbuild";

/** The house defaults of every Kaikai function; `KaikaiFunctionProps` documents each one. */
export const KAIKAI_FUNCTION_DEFAULTS = {
  runtime: Runtime.NODEJS_24_X,
  architecture: Architecture.ARM_64,
  memorySizeMb: 256,
  timeout: Duration.seconds(30),
  logLevel: "INFO",
  /** X-Ray: each invocation a trace, its SDK calls subsegments (Powertools Tracer in lambdas/aws/powertools.ts). */
  tracing: Tracing.ACTIVE,
} as const;

/** Each bundle's entry module is `index.mjs` at the root of its asset; this is what it exports. */
export const KAIKAI_HANDLER = "index.handler";

/**
 * Lets CommonJS dependencies that call `require` (bundled into an ES module) keep working;
 * esbuild cannot rewrite a dynamic `require` of a Node built-in on its own.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __kaikaiCreateRequire } from 'node:module'; const require = __kaikaiCreateRequire(import.meta.url);";

/**
 * esbuild settings: minified ES modules with the AWS SDK bundled (no externals, so the deployed
 * SDK version is the tested one), linked source maps without sources content. Code splitting puts
 * what an entry loads by dynamic `import()` (a client only some invocations need) in chunks beside
 * `index.mjs`, so that Lambda's init parses and runs only what the handler needs from the start.
 */
export const KAIKAI_ESBUILD: Readonly<BuildOptions> = {
  bundle: true,
  platform: "node",
  // The runtime's Node.js (KAIKAI_FUNCTION_DEFAULTS.runtime).
  target: "node24",
  format: "esm",
  splitting: true,
  outExtension: { ".js": ".mjs" },
  mainFields: ["module", "main"],
  banner: { js: ESM_REQUIRE_BANNER },
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  // The roll-ups' Timestream queries are the files of sql/timestream, imported as text.
  loader: { ".sql": "text" },
  // Errors reach the synth as the thrown error's message, warnings are printed by the construct.
  logLevel: "silent",
};
