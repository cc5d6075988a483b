import { Duration } from "aws-cdk-lib";
import { Architecture, Runtime } from "aws-cdk-lib/aws-lambda";
import { type BundlingOptions, LogLevel, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";

/** The house defaults of every Kaikai function; `KaikaiFunctionProps` documents each one. */
export const KAIKAI_FUNCTION_DEFAULTS = {
  runtime: Runtime.NODEJS_24_X,
  architecture: Architecture.ARM_64,
  memorySizeMb: 256,
  timeout: Duration.seconds(30),
  logLevel: "INFO",
} as const;

/**
 * Lets CommonJS dependencies that call `require` (bundled into an ES module) keep working;
 * esbuild cannot rewrite a dynamic `require` of a Node built-in on its own.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __kaikaiCreateRequire } from 'node:module'; const require = __kaikaiCreateRequire(import.meta.url);";

/**
 * esbuild settings: one minified ES module with the AWS SDK bundled (no externals, so the
 * deployed SDK version is the tested one), linked source maps without sources content.
 */
export const KAIKAI_BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  mainFields: ["module", "main"],
  banner: ESM_REQUIRE_BANNER,
  externalModules: [],
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  forceDockerBundling: false,
  logLevel: LogLevel.ERROR,
};
