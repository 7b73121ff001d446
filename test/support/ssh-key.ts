// Real OpenSSH public key lines for tests, made with node's crypto (no ssh-keygen needed): the
// key blob is the key type and the key's numbers, each a length-prefixed string (RFC 4253).
import { generateKeyPairSync } from "node:crypto";

const field = (b: Buffer) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
};
const mpint = (b: Buffer) => field(b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);

/** A fresh "ssh-ed25519 AAAA… comment" line and its blob. */
export function ed25519Key(comment = ""): { line: string; blob: Buffer } {
  const x = generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" }).x!;
  const blob = Buffer.concat([field(Buffer.from("ssh-ed25519")), field(Buffer.from(x, "base64url"))]);
  return { line: `ssh-ed25519 ${blob.toString("base64")}${comment ? ` ${comment}` : ""}`, blob };
}

/** An "ssh-rsa" line with a modulus of `bits` bits. */
export function rsaKey(bits: number): string {
  const jwk = generateKeyPairSync("rsa", { modulusLength: bits }).publicKey.export({ format: "jwk" });
  const blob = Buffer.concat([
    field(Buffer.from("ssh-rsa")),
    mpint(Buffer.from(jwk.e!, "base64url")),
    mpint(Buffer.from(jwk.n!, "base64url")),
  ]);
  return `ssh-rsa ${blob.toString("base64")}`;
}
