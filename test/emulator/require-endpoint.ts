/**
 * Global setup of the emulator tier. The tier proves the AWS adapters against a real AWS API
 * endpoint, so without one it must fail loudly: passing with nothing to talk to would prove nothing.
 */

const HELP = `
The emulator tier needs an AWS API emulator: set AWS_ENDPOINT_URL to it.
  moto (runs anywhere):   moto_server -H 127.0.0.1 -p 5000 &
                          AWS_ENDPOINT_URL=http://127.0.0.1:5000 npm run test:emulator
  LocalStack (token):     see localstack/README.md, then
                          AWS_ENDPOINT_URL=http://localhost:4566 npm run test:emulator
`;

/** A freshly started emulator takes a few seconds to listen; CI starts it just before the tier. */
const READY_TIMEOUT_MS = 30_000;
const RETRY_EVERY_MS = 250;

export default async function requireEndpoint(): Promise<void> {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (endpoint === undefined || endpoint === "") {
    throw new Error(`AWS_ENDPOINT_URL is not set: the emulator tier did not run.${HELP}`);
  }
  await waitUntilAnswering(endpoint);
  // Emulators accept any credentials; fake ones mean no real key is ever needed, read or sent.
  process.env.AWS_ACCESS_KEY_ID ??= "testing";
  process.env.AWS_SECRET_ACCESS_KEY ??= "testing";
  process.env.AWS_REGION ??= process.env.AWS_DEFAULT_REGION ?? "us-east-1";
}

async function waitUntilAnswering(endpoint: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      // Any HTTP answer, even an error status, means something is listening.
      await fetch(endpoint, { signal: AbortSignal.timeout(2_000) });
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, RETRY_EVERY_MS));
    }
  }
  const cause = lastError instanceof Error ? (lastError.cause ?? lastError.message) : lastError;
  throw new Error(
    `Nothing answers at AWS_ENDPOINT_URL=${endpoint} after ${READY_TIMEOUT_MS / 1000} s (${String(cause)}).${HELP}`,
  );
}
