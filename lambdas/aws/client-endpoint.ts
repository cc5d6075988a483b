/**
 * The endpoint an SDK client is built with: the config's own, else an emulator's
 * `AWS_ENDPOINT_URL_<SERVICE>` or `AWS_ENDPOINT_URL`, else `fallback`; with none of them the SDK
 * keeps its own resolution. Passed explicitly rather than left to the SDK's reading of those
 * variables because only an explicit endpoint turns Timestream's endpoint discovery off, which no
 * emulator serves (setting `endpointDiscoveryEnabled: false` beside an endpoint makes the SDK throw).
 */
export function withEndpointFromEnv<Config extends { readonly endpoint?: unknown }>(
  config: Config,
  serviceVariable: `AWS_ENDPOINT_URL_${string}`,
  env: NodeJS.ProcessEnv,
  fallback?: string,
): Config {
  if (config.endpoint !== undefined) return config;
  const endpoint = env[serviceVariable] ?? env.AWS_ENDPOINT_URL ?? fallback;
  return endpoint === undefined ? config : { ...config, endpoint };
}
