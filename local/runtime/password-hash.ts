/**
 * Broker passwords as the config keeps them: scrypt in the PHC string format
 * (`$scrypt$ln=17,r=8,p=1$<salt>$<hash>`, base64 without padding), so that a leaked config gives
 * no password and its cost parameters travel with each hash.
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

/**
 * OWASP's Password Storage Cheat Sheet minimum for scrypt: N = 2^17, r = 8, p = 1 (128 MiB and
 * about 0.4 s a hash on this project's 2-core build machine).
 */
export const SCRYPT_COST = { ln: 17, r: 8, p: 1 } as const;
/** Below 2^14 (OWASP's floor with p = 5) a hash is refused rather than trusted. */
const MIN_LN = 14;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

export interface ScryptHash {
  readonly ln: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly key: Buffer;
}

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,})\$([A-Za-z0-9+/]{32,})$/;

/** The parts of a PHC scrypt string, or undefined when it is not one this module can check. */
export function parseScryptHash(text: string): ScryptHash | undefined {
  const match = PHC.exec(text);
  if (match === null) return undefined;
  const [ln, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (ln < MIN_LN || ln > 20 || r < 1 || p < 1) return undefined;
  return { ln, r, p, salt: Buffer.from(match[4] ?? "", "base64"), key: Buffer.from(match[5] ?? "", "base64") };
}

function derive(password: string, hash: Omit<ScryptHash, "key">, length: number): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** hash.ln, r: hash.r, p: hash.p, maxmem: 2 * 128 * hash.r * 2 ** hash.ln };
  return new Promise((resolve, reject) =>
    scrypt(password, hash.salt, length, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

const unpadded = (bytes: Buffer) => bytes.toString("base64").replace(/=+$/, "");

/** A new PHC scrypt string of `password`, with a random salt. */
export async function hashPassword(
  password: string,
  cost: Pick<ScryptHash, "ln" | "r" | "p"> = SCRYPT_COST,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, { ...cost, salt }, KEY_BYTES);
  return `$scrypt$ln=${cost.ln},r=${cost.r},p=${cost.p}$${unpadded(salt)}$${unpadded(key)}`;
}

/** Whether `password` is the one hashed; scrypt runs on libuv's thread pool, off the event loop. */
export async function verifyPassword(password: string, hash: ScryptHash): Promise<boolean> {
  const key = await derive(password, hash, hash.key.length);
  return timingSafeEqual(key, hash.key);
}
