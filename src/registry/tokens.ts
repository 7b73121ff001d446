// Wharf as Distribution's token issuer: short-lived ES256 JWTs scoped to exact repositories
// and actions, in the form registry 2.8 verifies (registry/auth/token/token.go): one string
// `aud`, a libtrust `kid`, a raw r||s signature (jose's JWS ES256 is exactly that).
import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { SignJWT } from "jose";
import { libtrustKeyId } from "./kid.js";
import type { Access } from "./scope.js";

export interface MintedToken {
  token: string;
  expiresIn: number;
  issuedAt: string;
}

export interface TokenIssuerOptions {
  /** The P-256 private key whose certificate is the registry's rootcertbundle. */
  key: KeyObject;
  /** The registry's auth.token.issuer. */
  issuer: string;
  /** The registry's auth.token.service, sent as `aud`. */
  service: string;
  /** Lifetime; the spec asks for at least 60 s, and the registry adds 60 s of leeway. */
  ttlSeconds?: number;
  now?: () => number;
}

export const DEFAULT_TOKEN_TTL_SECONDS = 300;

export class RegistryTokens {
  readonly kid: string;
  readonly issuer: string;
  readonly service: string;
  private readonly ttl: number;
  private readonly now: () => number;

  constructor(private readonly o: TokenIssuerOptions) {
    if (o.key.asymmetricKeyType !== "ec" || o.key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
      throw new Error("the registry token key must be an EC P-256 private key (registry 2.8 checks ES256)");
    }
    this.kid = libtrustKeyId(createPublicKey(o.key));
    this.issuer = o.issuer;
    this.service = o.service;
    this.ttl = Math.max(60, o.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS);
    this.now = o.now ?? Date.now;
  }

  /** A token for `subject` (logged by the registry as the user) carrying exactly `access`. */
  async mint(subject: string, access: Access[]): Promise<MintedToken> {
    const nowMs = this.now();
    const iat = Math.floor(nowMs / 1000);
    const token = await new SignJWT({ access: access.map((a) => ({ ...a, actions: [...a.actions] })) })
      .setProtectedHeader({ alg: "ES256", typ: "JWT", kid: this.kid })
      .setIssuer(this.issuer)
      .setSubject(subject)
      .setAudience(this.service)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + this.ttl)
      .setJti(randomUUID())
      .sign(this.o.key);
    return { token, expiresIn: this.ttl, issuedAt: new Date(iat * 1000).toISOString() };
  }
}

/** Loads the signing key from a PEM file (mode 0600, written by Pki.issueSigner). */
export async function loadRegistryTokens(
  keyFile: string,
  o: Omit<TokenIssuerOptions, "key">,
): Promise<RegistryTokens> {
  const pem = await readFile(keyFile).catch(() => {
    throw new Error(`cannot read the registry token key ${keyFile}: issue it with the cluster's PKI first`);
  });
  return new RegistryTokens({ ...o, key: createPrivateKey(pem) });
}
