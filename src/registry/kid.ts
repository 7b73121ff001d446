// The key ID Distribution 2.8 looks up in its rootcertbundle: libtrust's fingerprint of the
// signing key (SHA-256 of the DER SubjectPublicKeyInfo, first 240 bits, base32 without
// padding, 12 groups of 4 joined by ":"). libtrust util.go keyIDFromCryptoKey.
import { createHash, type KeyObject } from "node:crypto";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function base32NoPad(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function libtrustKeyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: "spki", format: "der" });
  const digest = createHash("sha256").update(der).digest().subarray(0, 30);
  return base32NoPad(digest).match(/.{4}/g)!.join(":");
}
