// The Engine API's X-Registry-Auth header. dockerd 20.10 decodes it with Go's
// base64.URLEncoding, which needs "=" padding; an unpadded header silently becomes an
// anonymous pull (registry-auth.md §5). Node's "base64url" drops padding, so pad here.

export type RegistryCredential =
  { registrytoken: string } | { username: string; password: string; serveraddress: string };

export function registryAuthHeader(cred: RegistryCredential): string {
  return Buffer.from(JSON.stringify(cred)).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}

/** dockerode's authconfig option that sends `header` verbatim (docker-modem uses `base64` as is). */
export function dockerodeAuth(cred: RegistryCredential): { authconfig: { base64: string } } {
  return { authconfig: { base64: registryAuthHeader(cred) } };
}
