// Password hashing (scrypt, memory-hard) and bearer tokens. Tokens are 32 random bytes
// shown once; only their sha256 is stored, so a leaked database yields no usable token.
import { hash as oneShotHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";

const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 32;

function scryptAsync(pw: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(pw, salt, KEYLEN, { N: n, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** Encoded as scrypt$N$r$p$salt$hash (base64) so parameters can be raised later. */
export async function hashPassword(pw: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(pw, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64")}$${key.toString("base64")}`;
}

export async function verifyPassword(pw: string, encoded: string): Promise<boolean> {
  const parts = encoded.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, "base64");
  const key = await scryptAsync(pw, Buffer.from(salt, "base64"), Number(n), Number(r), Number(p));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A fresh high-entropy token (64 hex chars). */
export function newToken(): string {
  return randomBytes(32).toString("hex");
}

export function hashToken(token: string): string {
  // One-shot hash: every authenticated request hashes its token, and a Hash object costs ~3x more.
  return oneShotHash("sha256", token, "hex");
}

/** Mongo-style ObjectId (24 lowercase hex): the tsuru client refuses anything else for event ids. */
export function newObjectId(now = Date.now()): string {
  const ts = Math.floor(now / 1000)
    .toString(16)
    .padStart(8, "0")
    .slice(-8);
  return ts + randomBytes(8).toString("hex");
}

export function isObjectId(s: string): boolean {
  return /^[0-9a-f]{24}$/.test(s);
}
