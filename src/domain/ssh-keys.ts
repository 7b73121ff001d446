// SSH public keys as users paste them ("ssh-ed25519 AAAA… comment", tsuru key-add sends the file
// with its newlines removed): parsed down to the key blob's fields, so only a real, strong public
// key is stored, and fingerprinted as OpenSSH does (SHA256:base64 of the blob, no padding).
import { createHash } from "node:crypto";
import { BadRequestError } from "./errors.js";

export interface ParsedKey {
  type: string;
  /** The key line Wharf keeps: type, base64 blob and the comment, if any. */
  line: string;
  fingerprint: string;
}

const ECDSA_CURVES: Record<string, { curve: string; pointBytes: number }> = {
  "ecdsa-sha2-nistp256": { curve: "nistp256", pointBytes: 65 },
  "ecdsa-sha2-nistp384": { curve: "nistp384", pointBytes: 97 },
  "ecdsa-sha2-nistp521": { curve: "nistp521", pointBytes: 133 },
};
const TYPES = [
  "ssh-ed25519",
  "ssh-rsa",
  ...Object.keys(ECDSA_CURVES),
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
];
const MIN_RSA_BITS = 2048;

/** Reads the blob's length-prefixed fields (RFC 4251 string / mpint). */
class Reader {
  private off = 0;
  constructor(private readonly buf: Buffer) {}
  field(): Buffer {
    if (this.off + 4 > this.buf.length) throw new Error("truncated");
    const n = this.buf.readUInt32BE(this.off);
    this.off += 4;
    if (n > this.buf.length - this.off) throw new Error("truncated");
    const out = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return out;
  }
  done(): boolean {
    return this.off === this.buf.length;
  }
}

function bitLength(mpint: Buffer): number {
  let i = 0;
  while (i < mpint.length && mpint[i] === 0) i++;
  if (i === mpint.length) return 0;
  return (mpint.length - i - 1) * 8 + (32 - Math.clz32(mpint[i]!));
}

function invalid(why: string): BadRequestError {
  return new BadRequestError(
    `Invalid SSH public key: ${why}. Give the content of a public key file, such as ~/.ssh/id_ed25519.pub.`,
  );
}

export function parsePublicKey(text: string): ParsedKey {
  const trimmed = text.replace(/[\r\n]+/g, "").trim();
  if (trimmed.length > 16 * 1024) throw invalid("it is too long");
  if (/^-----BEGIN/.test(trimmed)) throw invalid("this is a PEM file; a private key must never be sent");
  const [type = "", b64 = "", ...rest] = trimmed.split(/\s+/);
  if (!TYPES.includes(type))
    throw invalid(`unknown key type "${type.slice(0, 40)}" (use ${TYPES.slice(0, 3).join(", ")}, …)`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw invalid("the key data is not base64");
  const blob = Buffer.from(b64, "base64");
  try {
    const r = new Reader(blob);
    if (r.field().toString("latin1") !== type) throw invalid("the key data does not match its type");
    if (type === "ssh-ed25519") {
      if (r.field().length !== 32) throw invalid("an ed25519 key has 32 bytes");
    } else if (type === "ssh-rsa") {
      r.field(); // e
      const bits = bitLength(r.field());
      if (bits < MIN_RSA_BITS)
        throw invalid(`an RSA key of ${bits} bits is too weak (${MIN_RSA_BITS} at least)`);
    } else if (ECDSA_CURVES[type]) {
      const c = ECDSA_CURVES[type]!;
      if (r.field().toString("latin1") !== c.curve) throw invalid("the curve does not match the key type");
      const q = r.field();
      if (q.length !== c.pointBytes || q[0] !== 4) throw invalid("the curve point is malformed");
    } else {
      // Security keys: the public part, then the application string.
      r.field();
      if (type.startsWith("sk-ecdsa")) r.field();
      r.field();
    }
    if (!r.done()) throw invalid("there are extra bytes after the key");
  } catch (e) {
    if (e instanceof BadRequestError) throw e;
    throw invalid("the key data is truncated");
  }
  const comment = rest.join(" ").slice(0, 256);
  const fingerprint = `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
  return { type, line: comment ? `${type} ${b64} ${comment}` : `${type} ${b64}`, fingerprint };
}
