// Credentials of built-in service instances. Passwords are generated here and only their
// verifiers go to the containers: a SCRAM-SHA-256 verifier for PostgreSQL roles (RFC 5802 /
// RFC 7677, the form PostgreSQL stores in pg_authid), a SHA-256 for Redis ACL users. So a
// container's env, `docker inspect` and the service's own logs never hold a password.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";

/** 32 random characters from [A-Za-z0-9]: safe in URLs and SQL literals without escaping. */
export function newPassword(length = 32): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const out: string[] = [];
  // Rejection sampling keeps every character equally likely (256 is not a multiple of 62).
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248 && out.length < length) out.push(alphabet[b % 62]!);
    }
  }
  return out.join("");
}

const SCRAM_ITERATIONS = 4096;

/** `SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>`, as PostgreSQL accepts in PASSWORD '...'. */
export function scramSha256Verifier(
  password: string,
  salt = randomBytes(16),
  iterations = SCRAM_ITERATIONS,
): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/** Hex SHA-256, the form of a Redis ACL password given as `#<hex>`. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
