/**
 * Who a client of the embedded broker is, and what that lets it do. Each credential is one
 * identity: a sensor may publish only on its own telemetry topic (as the cloud's IoT policy
 * allows a thing), an observer (a dashboard, a bridge) may only follow the pipeline's alerts and
 * aggregates, an admin may do both and subscribe to anything.
 */
import { createHash } from "node:crypto";
import { alertTopic, sensorIdFromTopic } from "../../lambdas/core/topics.js";
import { sameSecret } from "./listen.js";
import { type ScryptHash, verifyPassword } from "./password-hash.js";

export const SHARED_ROLES = ["observer", "admin"] as const;
export type SharedRole = (typeof SHARED_ROLES)[number];

export type BrokerRole = { readonly kind: "sensor"; readonly sensorId: string } | { readonly kind: SharedRole };

export const ADMIN: BrokerRole = { kind: "admin" };

/** Whether `role` may publish on `topic`, a telemetry topic (anything else is refused to every client). */
export function mayPublish(role: BrokerRole, topic: string): boolean {
  if (role.kind === "admin") return true;
  return role.kind === "sensor" && sensorIdFromTopic(topic) === role.sensorId;
}

/**
 * Whether `role` may subscribe to `filter`. A sensor: its own alerts; an observer: filters whose
 * first two levels are literally `kaikai/alerts` or `kaikai/aggregates` (so no wildcard reaches
 * another sensor's telemetry or the broker's `$SYS`); an admin: anything.
 */
export function maySubscribe(role: BrokerRole, filter: string): boolean {
  if (role.kind === "admin") return true;
  if (role.kind === "sensor") return filter === alertTopic(role.sensorId);
  const [root, branch] = filter.split("/");
  return root === "kaikai" && (branch === "alerts" || branch === "aggregates");
}

export const describeRole = (role: BrokerRole): string =>
  role.kind === "sensor" ? `sensor ${role.sensorId}` : role.kind;

/** A login of the config: the username, its password's scrypt hash, and the identity it is. */
export interface PasswordClient {
  readonly username: string;
  readonly passwordHash: ScryptHash;
  readonly role: BrokerRole;
}

/** A login that lives only as long as the process (the built-in simulator's): no hash needed for a random secret. */
export interface SessionClient {
  readonly username: string;
  readonly secret: string;
  readonly role: BrokerRole;
}

export interface Identities {
  /** The identity of a username and password, or undefined when they do not match. */
  byPassword(username: string, password: string): Promise<BrokerRole | undefined>;
  /**
   * The identity of a client certificate's subject common name: a sensor of the fleet, or a name
   * the config gives a role; undefined for any other name (a certificate from the CA is not
   * enough: `CN=laptop` is nobody).
   */
  byCertificate(commonName: string): BrokerRole | undefined;
}

const digest = (password: string) => createHash("sha256").update(password).digest("hex");

export function makeIdentities(deps: {
  readonly clients?: readonly PasswordClient[];
  readonly sessionClients?: readonly SessionClient[];
  readonly certificateRoles?: ReadonlyMap<string, SharedRole>;
  /** Whether a name is a sensor of the running fleet. */
  readonly isSensor: (sensorId: string) => boolean;
}): Identities {
  const configured = deps.clients ?? [];
  const clients = new Map(configured.map((client) => [client.username, client]));
  const sessions = new Map((deps.sessionClients ?? []).map((client) => [client.username, client]));
  // A sensor reconnects often; scrypt costs 0.4 s and 128 MiB. The last password that verified
  // is remembered by its SHA-256, so only a new or wrong password pays for scrypt again.
  const verified = new Map<string, string>();
  return {
    async byPassword(username, password) {
      const session = sessions.get(username);
      if (session !== undefined) return sameSecret(password, session.secret) ? session.role : undefined;
      const client = clients.get(username);
      if (client === undefined) {
        // As slow as a wrong password, so that timing does not tell which usernames exist.
        const any = configured[0];
        if (any !== undefined) await verifyPassword(password, any.passwordHash);
        return undefined;
      }
      const known = verified.get(username);
      if (known !== undefined && sameSecret(digest(password), known)) return client.role;
      if (!(await verifyPassword(password, client.passwordHash))) return undefined;
      verified.set(username, digest(password));
      return client.role;
    },
    byCertificate(commonName) {
      const shared = deps.certificateRoles?.get(commonName);
      if (shared !== undefined) return { kind: shared };
      return deps.isSensor(commonName) ? { kind: "sensor", sensorId: commonName } : undefined;
    },
  };
}
