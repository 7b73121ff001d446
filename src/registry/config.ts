// The `auth.token` section of Debian's docker-registry (Distribution 2.8) configuration:
// Wharf is the only issuer it trusts, through a bundle holding Wharf's token certificate.

export interface TokenAuthSettings {
  /** Where clients fetch tokens: Wharf's https://HOST:PORT/registry/token. */
  realm: string;
  service: string;
  issuer: string;
  /** PEM file with the certificate of the token signing key. */
  rootCertBundle: string;
}

export const DEFAULT_SERVICE = "wharf-registry";
export const DEFAULT_ISSUER = "wharf";

/** YAML lines of the auth section (one provider only, as the registry requires). */
export function tokenAuthYaml(s: TokenAuthSettings): string[] {
  for (const [k, v] of Object.entries(s)) {
    if (!v || /["\n]/.test(v)) throw new Error(`registry token setting ${k} must be a non-empty single line`);
  }
  return [
    "auth:",
    "  token:",
    `    realm: "${s.realm}"`,
    `    service: "${s.service}"`,
    `    issuer: "${s.issuer}"`,
    `    rootcertbundle: "${s.rootCertBundle}"`,
  ];
}
