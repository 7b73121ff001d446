// Encryption at rest for certificate keys: AES-256-GCM with a 32-byte key kept outside the database,
// in a file (WHARF_SECRET_KEY, default <dataDir>/secret.key) created 0600 on first use. Every server
// and router sharing a database must share this file; a database dump alone reveals no key.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const VERSION = "v1";

/** Where the key file is: WHARF_SECRET_KEY, else secret.key in the data directory. */
export function secretKeyPath(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.WHARF_SECRET_KEY || join(dataDir, "secret.key");
}

/** Reads the key file, creating it (0600, random) when it does not exist yet. */
export function loadSecretKey(path: string): Buffer {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    try {
      // wx: two processes starting at once must not both write a different key.
      writeFileSync(path, randomBytes(32).toString("hex") + "\n", { mode: 0o600, flag: "wx" });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    text = readFileSync(path, "utf8");
  }
  const key = Buffer.from(text.trim(), "hex");
  if (key.length !== 32) {
    throw new Error(`secret key file ${path} must hold 64 hex characters (32 bytes); it does not`);
  }
  return key;
}

export function seal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([c.update(plaintext, "utf8"), c.final()]);
  return `${VERSION}:${Buffer.concat([iv, c.getAuthTag(), body]).toString("base64")}`;
}

export function unseal(key: Buffer, sealed: string): string {
  const [v, b64] = sealed.split(":", 2);
  if (v !== VERSION || !b64) throw new Error("unknown secret envelope format");
  const raw = Buffer.from(b64, "base64");
  const d = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
  d.setAuthTag(raw.subarray(12, 28));
  // A wrong key file fails here (authentication), never yields garbage.
  return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString("utf8");
}
