import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { adjacencyGraphs, dictionary } from "@zxcvbn-ts/language-common";
import { translations } from "@zxcvbn-ts/language-en";
import { z } from "zod";
import { type PasswordClient, SHARED_ROLES, type SharedRole } from "./broker-identity.js";
import { parseScryptHash } from "./password-hash.js";

const HASH_COMMAND = "npx kaikai broker hash-password";

/** One login: a sensor's (it may publish only as that sensor) or an observer's or admin's. */
const clientSchema = z
  .object({
    username: z.string().min(1).max(128),
    password_hash: z.string().transform((text, ctx) => {
      const hash = parseScryptHash(text);
      if (hash !== undefined) return hash;
      ctx.addIssue({
        code: "custom",
        message: `not a scrypt hash ($scrypt$ln=..,r=..,p=..$salt$hash): make one with ${HASH_COMMAND}`,
      });
      return z.NEVER;
    }),
    sensor: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional(),
    role: z.enum(SHARED_ROLES).optional(),
  })
  .strict()
  .refine((client) => (client.sensor === undefined) !== (client.role === undefined), {
    message: 'each client is either a sensor ("sensor": "SENS001") or has a "role" (observer or admin)',
  });

/** The `--config` file (JSON): who may connect to the embedded broker when it listens beyond loopback. */
const brokerConfigSchema = z
  .object({
    broker: z
      .object({
        clients: z
          .array(clientSchema)
          .min(1)
          .refine((clients) => new Set(clients.map((client) => client.username)).size === clients.length, {
            message: "usernames must differ",
          })
          .optional(),
        /**
         * Paths relative to the config file. With `ca`, clients must present a certificate it
         * signed, whose subject CN is a sensor id or a name given a role in `roles`.
         */
        tls: z
          .object({
            key: z.string(),
            cert: z.string(),
            ca: z.string().optional(),
            roles: z.record(z.string().min(1), z.enum(SHARED_ROLES)).optional(),
          })
          .strict()
          .optional(),
      })
      .strict(),
  })
  .strict();

export interface BrokerAuth {
  /** Logins by username and password, each one identity. */
  readonly clients?: readonly PasswordClient[];
  /** Roles of certificate subject names; any other name must be a sensor id. */
  readonly certificateRoles?: ReadonlyMap<string, SharedRole>;
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
export function weakPasswordReason(password: string, username: string): string | undefined {
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
  if (!parsed.success) {
    const broker = (raw as { broker?: Record<string, unknown> } | null)?.broker;
    if (broker !== null && typeof broker === "object" && ("username" in broker || "password" in broker)) {
      throw new ConfigError(
        `${path}: broker.username/password is one login shared by every client, which lets any of them publish as any sensor: give broker.clients instead, one per sensor ({"username", "password_hash", "sensor"}, the hash from ${HASH_COMMAND})`,
      );
    }
    const clients = broker !== null && typeof broker === "object" ? broker.clients : undefined;
    if (
      Array.isArray(clients) &&
      clients.some((client) => typeof client === "object" && client !== null && "password" in client)
    ) {
      throw new ConfigError(
        `${path}: a client's password is kept only as its hash: replace "password" by "password_hash" from ${HASH_COMMAND}`,
      );
    }
    throw new ConfigError(`invalid config ${path}: ${z.prettifyError(parsed.error).replaceAll("\n", " ")}`);
  }
  const { clients, tls } = parsed.data.broker;
  const read = (file: string) => readFileSync(resolve(dirname(path), file));
  const passwordClients = (clients ?? []).map(
    (client): PasswordClient => ({
      username: client.username,
      passwordHash: client.password_hash,
      role:
        client.sensor === undefined ? { kind: client.role ?? "observer" } : { kind: "sensor", sensorId: client.sensor },
    }),
  );
  try {
    return {
      ...(passwordClients.length === 0 ? {} : { clients: passwordClients }),
      ...(tls?.roles === undefined ? {} : { certificateRoles: new Map(Object.entries(tls.roles)) }),
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

/** Anonymous clients are only acceptable on loopback: anything wider needs logins or client certificates. */
export function assertSafeListen(host: string, auth: BrokerAuth): void {
  if (isLoopback(host)) return;
  const clientCertificates = auth.tls?.ca !== undefined;
  if (auth.clients === undefined && !clientCertificates) {
    throw new ConfigError(
      `--listen ${host} is wider than loopback: give --config with broker.clients (a login per sensor) or broker.tls with a ca for client certificates`,
    );
  }
}
