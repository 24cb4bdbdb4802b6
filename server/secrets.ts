/**
 * Secrets at rest (docs/server.md "Secrets at rest"): JWT sign keys, OTP secrets, OTP recovery keys and key
 * transparency log keys are stored AES-256-GCM encrypted with a server key that is not in the database. Stored form:
 * `enc:v1:<key id>:<base64(iv ‖ ciphertext ‖ tag)>`, the column's purpose as associated data (a value
 * cannot be moved to another column). Several keys may be configured: the first encrypts, every one
 * decrypts (rotation). Values without the prefix are read as plain text (rows written before encryption).
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { sha256 } from "./crypto.js";
import type { SecretKind } from "./store/types.js";

export type SecretPurpose = "jwt-sign-key" | "otp-secret" | "otp-recovery-key" | "kt-log-key";

const PREFIX = "enc:v1:";

/** Thrown for a bad server key or a value no configured key opens. */
export class SecretKeyError extends Error {
  override readonly name = "SecretKeyError";
}

/** The id of a server key: the first 8 bytes of its SHA-256, hex. */
const keyIdOf = (key: Buffer): string => sha256(key).subarray(0, 8).toString("hex");

/**
 * Parses keys: base64 of 32 bytes each, separated by commas, spaces or new lines; `#` starts a comment line.
 * @throws SecretKeyError for a key that is not 32 bytes of base64, or no key at all.
 * @example const keys = parseSecretKeys(process.env.SENTC_SECRET_KEY ?? "", "SENTC_SECRET_KEY");
 */
export function parseSecretKeys(text: string, source: string): Buffer[] {
  const keys = text
    .split("\n")
    .filter((line) => !line.trim().startsWith("#"))
    .join(",")
    .split(/[\s,]+/)
    .filter((part) => part.length > 0)
    .map((part) => {
      const key = Buffer.from(part, "base64");
      if (key.length !== 32 || key.toString("base64") !== part)
        throw new SecretKeyError(`${source}: every server key must be the base64 of 32 random bytes`);
      return key;
    });
  if (keys.length === 0) throw new SecretKeyError(`${source}: no server key`);
  return keys;
}

/**
 * Reads the key file, or creates it (mode 0600) with one new key when it does not exist.
 * @throws SecretKeyError when the file holds no valid key.
 * @example const keys = loadOrCreateKeyFile("./data/files/.secret-key");
 */
export function loadOrCreateKeyFile(path: string): Buffer[] {
  try {
    return parseSecretKeys(readFileSync(path, "utf8"), path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(path, `${randomBytes(32).toString("base64")}\n`, { flag: "wx", mode: 0o600 });
    chmodSync(path, 0o600);
  } catch (error) {
    // Another process created it first: use that one.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return parseSecretKeys(readFileSync(path, "utf8"), path);
}

/**
 * Encrypts and opens secrets with the server keys.
 * @example const box = new SecretBox(keys); box.open(box.seal(secret, "otp-secret"), "otp-secret") === secret;
 */
export class SecretBox {
  private readonly keys: Array<{ id: string; key: Buffer }>;

  /** @param keys the first encrypts; all decrypt. */
  constructor(keys: Buffer[]) {
    if (keys.length === 0) throw new SecretKeyError("no server key");
    this.keys = keys.map((key) => ({ id: keyIdOf(key), key }));
  }

  /** A new box with one random key (in-memory databases). */
  static random(): SecretBox {
    return new SecretBox([randomBytes(32)]);
  }

  /** The start of every value sealed with the current key (`listStaleSecrets`). */
  get currentPrefix(): string {
    return `${PREFIX}${this.keys[0]!.id}:`;
  }

  /** True when `stored` is encrypted with the current (first) key. */
  isCurrent(stored: string): boolean {
    return stored.startsWith(`${PREFIX}${this.keys[0]!.id}:`);
  }

  /** Encrypts with the first key; `purpose` is bound as associated data. Never throws. */
  seal(plain: string, purpose: SecretPurpose): string {
    const { id, key } = this.keys[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(Buffer.from(purpose));
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return `${PREFIX}${id}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64")}`;
  }

  /** @throws SecretKeyError when no configured key opens the value (wrong key, tampering, other column). */
  open(stored: string, purpose: SecretPurpose): string {
    if (!stored.startsWith(PREFIX)) return stored;
    const [id, data] = stored.slice(PREFIX.length).split(":");
    const entry = this.keys.find((k) => k.id === id);
    if (!entry || data === undefined)
      throw new SecretKeyError(
        `a stored ${purpose} is encrypted with server key ${id ?? "?"}, which is not configured`,
      );
    const bytes = Buffer.from(data, "base64");
    try {
      const decipher = createDecipheriv("aes-256-gcm", entry.key, bytes.subarray(0, 12));
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString("utf8");
    } catch {
      throw new SecretKeyError(`a stored ${purpose} does not open with server key ${id}`);
    }
  }
}

/** What a store offers for re-encryption (a part of `Store`). */
export interface StaleSecretStore {
  listStaleSecrets(
    currentPrefix: string,
    limit: number,
  ): Promise<Record<SecretKind, Array<{ id: string; value: string }>>>;
  updateSecret(kind: SecretKind, id: string, value: string): Promise<void>;
}

const PURPOSE_OF = {
  jwtKeys: "jwt-sign-key",
  otpSecrets: "otp-secret",
  recoveryKeys: "otp-recovery-key",
  ktLogKeys: "kt-log-key",
} as const;

/**
 * Re-encrypts, at start, every secret that is in plain text or under an older key with the current key,
 * so an old key can be dropped after one start with the new key first. Returns how many were rewritten.
 * @throws SecretKeyError when a value is under a key that is not configured any more.
 * @example const rewritten = await resealSecrets(store, secrets);
 */
export async function resealSecrets(store: StaleSecretStore, box: SecretBox, batch = 500): Promise<number> {
  let total = 0;
  for (;;) {
    const stale = await store.listStaleSecrets(box.currentPrefix, batch);
    let count = 0;
    for (const kind of ["jwtKeys", "otpSecrets", "recoveryKeys", "ktLogKeys"] as const) {
      for (const { id, value } of stale[kind]) {
        await store.updateSecret(kind, id, box.seal(box.open(value, PURPOSE_OF[kind]), PURPOSE_OF[kind]));
        count++;
      }
    }
    total += count;
    if (count === 0) return total;
  }
}

/**
 * The server keys for secrets at rest, as the server and the `sentc-server app` commands find them: given keys,
 * else `SENTC_SECRET_KEY`, else the file in `SENTC_SECRET_KEY_FILE`, else a random key for a database in memory,
 * else `.secret-key` in the files folder (created on first use). Processes on one database need the same key.
 * @throws SecretKeyError for a malformed key list or key file.
 * @example const box = resolveSecretBox(undefined, false, "./data/files");
 */
export function resolveSecretBox(keys: Buffer[] | undefined, memory: boolean, filesDir: string): SecretBox {
  if (keys) return new SecretBox(keys);
  const fromEnv = process.env.SENTC_SECRET_KEY;
  if (fromEnv) return new SecretBox(parseSecretKeys(fromEnv, "SENTC_SECRET_KEY"));
  const file = process.env.SENTC_SECRET_KEY_FILE;
  if (file) return new SecretBox(parseSecretKeys(readFileSync(file, "utf8"), file));
  if (memory) return SecretBox.random();
  return new SecretBox(loadOrCreateKeyFile(join(filesDir, ".secret-key")));
}
