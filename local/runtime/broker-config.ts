import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { adjacencyGraphs, dictionary } from "@zxcvbn-ts/language-common";
import { translations } from "@zxcvbn-ts/language-en";
import { z } from "zod";

/** The `--config` file (JSON): who may connect to the embedded broker when it listens beyond loopback. */
const brokerConfigSchema = z
  .object({
    broker: z
      .object({
        username: z.string().min(1).optional(),
        password: z.string().min(8, "at least 8 characters").optional(),
        /** Paths relative to the config file. With `ca`, clients must present a certificate it signed. */
        tls: z.object({ key: z.string(), cert: z.string(), ca: z.string().optional() }).strict().optional(),
      })
      .strict()
      .refine((broker) => (broker.username === undefined) === (broker.password === undefined), {
        message: "username and password go together",
      }),
  })
  .strict();

export interface BrokerAuth {
  readonly password?: { readonly username: string; readonly password: string };
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer; readonly ca?: Buffer };
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** zxcvbn's scale: 3 is "safely unguessable: moderate protection from offline slow-hash scenario". */
const MIN_PASSWORD_SCORE = 3;

/** Why a broker password is too weak to guard a network (zxcvbn, with the username as a hint), or undefined. */
function weakPasswordReason(password: string, username: string): string | undefined {
  const strength = new ZxcvbnFactory({ graphs: adjacencyGraphs, dictionary, translations }).check(password, [
    username,
    "kaikai",
  ]);
  if (strength.score >= MIN_PASSWORD_SCORE) return undefined;
  const pattern = strength.feedback.warning === null ? "" : ` (${strength.feedback.warning.replace(/\.$/, "")})`;
  return `zxcvbn scores it ${strength.score} of 4${pattern}; ${MIN_PASSWORD_SCORE} is needed: use four or more random words`;
}

export function loadBrokerAuth(path: string): BrokerAuth {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError(`cannot read config ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = brokerConfigSchema.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(`invalid config ${path}: ${z.prettifyError(parsed.error).replaceAll("\n", " ")}`);
  const { username, password, tls } = parsed.data.broker;
  const weakness =
    password === undefined || username === undefined ? undefined : weakPasswordReason(password, username);
  if (weakness !== undefined) throw new ConfigError(`broker.password in ${path} is too weak: ${weakness}`);
  const read = (file: string) => readFileSync(resolve(dirname(path), file));
  try {
    return {
      ...(username !== undefined && password !== undefined ? { password: { username, password } } : {}),
      ...(tls === undefined
        ? {}
        : { tls: { key: read(tls.key), cert: read(tls.cert), ...(tls.ca === undefined ? {} : { ca: read(tls.ca) }) } }),
    };
  } catch (error) {
    throw new ConfigError(
      `cannot read a TLS file of ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

export const isLoopback = (host: string): boolean =>
  host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

/** Anonymous clients are only acceptable on loopback: anything wider needs a password or client certificates. */
export function assertSafeListen(host: string, auth: BrokerAuth): void {
  if (isLoopback(host)) return;
  const clientCertificates = auth.tls?.ca !== undefined;
  if (auth.password === undefined && !clientCertificates) {
    throw new ConfigError(
      `--listen ${host} is wider than loopback: give --config with broker.username/password or broker.tls with a ca for client certificates`,
    );
  }
}
