import { timingSafeEqual } from "node:crypto";
import type { Server } from "node:net";

/** Compares a secret in constant time for its length, so that the time taken does not say how much matched. */
export const sameSecret = (given: Buffer | string, expected: string): boolean => {
  const actual = Buffer.from(given);
  const wanted = Buffer.from(expected);
  return actual.length === wanted.length && timingSafeEqual(actual, wanted);
};

/** Resolves with the port listened on (the one given, or the free one picked for 0). */
function listenOn(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : port);
    });
  });
}

const isAddressInUse = (error: unknown): boolean =>
  error instanceof Error && "code" in error && error.code === "EADDRINUSE";

/** How many ports from a default to try when it is taken. */
const PORT_SEARCH = 20;

/** A fixed port, or `defaultPort` and the ones after it, to try in turn. */
export const candidatePorts = (port: number | undefined, defaultPort: number): readonly number[] =>
  port === undefined ? Array.from({ length: PORT_SEARCH }, (_, i) => defaultPort + i) : [port];

/** Listens on the first candidate port that is not taken; any other error stops the search. */
export async function listenOnFirstFree(server: Server, host: string, candidates: readonly number[]): Promise<number> {
  for (const [index, candidate] of candidates.entries()) {
    try {
      return await listenOn(server, host, candidate);
    } catch (error) {
      if (!isAddressInUse(error) || index === candidates.length - 1) throw error;
    }
  }
  throw new Error("no port to listen on");
}
