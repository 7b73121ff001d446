// SSH public keys are parsed down to their blob fields and fingerprinted as OpenSSH does.
// Keys are made with node:crypto and encoded in OpenSSH's wire format (test/support/ssh-key.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { parsePublicKey } from "../../../src/domain/ssh-keys.js";
import { ed25519Key, rsaKey } from "../../support/ssh-key.js";

test("an ed25519 key is kept as given, with OpenSSH's SHA256 fingerprint", () => {
  const { line, blob } = ed25519Key("dev@laptop");
  const k = parsePublicKey(`${line}\n`);
  assert.equal(k.type, "ssh-ed25519");
  assert.equal(k.line, line);
  assert.equal(
    k.fingerprint,
    `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`,
  );
});

test("the newlines tsuru's key-add strips, or leaves, do not matter", () => {
  const { line } = ed25519Key("a b c");
  assert.equal(parsePublicKey(line.replace(" a b c", "\n a b c")).line, line);
});

test("RSA keys need 2048 bits", () => {
  assert.equal(parsePublicKey(rsaKey(2048)).type, "ssh-rsa");
  assert.throws(() => parsePublicKey(rsaKey(1024)), /1024 bits is too weak/);
});

test("garbage, private keys, mismatched types and truncated blobs are 400s with a sentence", () => {
  const { line } = ed25519Key("dev@laptop");
  const b64 = line.split(" ")[1]!;
  const cases: Array<[string, RegExp]> = [
    ["hello", /unknown key type/],
    ["-----BEGIN OPENSSH PRIVATE KEY-----", /private key must never be sent/],
    [`ssh-rsa ${b64}`, /does not match its type/],
    [`ssh-ed25519 ${Buffer.from(b64, "base64").subarray(0, 20).toString("base64")}`, /truncated/],
    ["ssh-ed25519 !!!", /not base64/],
    [
      `ssh-ed25519 ${Buffer.concat([Buffer.from(b64, "base64"), Buffer.from([1])]).toString("base64")}`,
      /extra bytes/,
    ],
  ];
  for (const [text, re] of cases)
    assert.throws(
      () => parsePublicKey(text),
      (e: Error & { status?: number }) =>
        e.status === 400 && re.test(e.message) && /public key file/.test(e.message),
      text,
    );
});
