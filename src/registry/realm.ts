// The token endpoint the registry's challenge names (`GET <realm>?service=&scope=&account=`,
// HTTP Basic credentials). Anonymous callers are refused; an authenticated caller gets a
// token carrying the intersection of what it asked for and what its credential grants.
import { intersect, parseScopes, ScopeError, type Access } from "./scope.js";
import type { RegistryTokens } from "./tokens.js";

export interface RealmRequest {
  service?: string;
  scope: string[];
  account?: string;
  authorization?: string;
}

export interface RealmReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Turns Basic credentials into a grant; undefined means "not a valid credential". */
export type RealmAuthenticator = (
  username: string,
  password: string,
) => { subject: string; access: Access[] } | undefined;

export const REALM_PATH = "/registry/token";

function text(status: number, message: string, headers: Record<string, string> = {}): RealmReply {
  return {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
    body: `${message}\n`,
  };
}

function basic(header: string | undefined): { user: string; pass: string } | undefined {
  const m = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), pass: decoded.slice(colon + 1) };
}

export async function answerTokenRequest(
  req: RealmRequest,
  tokens: RegistryTokens,
  authenticate: RealmAuthenticator,
): Promise<RealmReply> {
  if (req.service !== tokens.service) {
    return text(400, `service must be "${tokens.service}" (the registry's auth.token.service)`);
  }
  let requested: Access[];
  try {
    requested = parseScopes(req.scope);
  } catch (err) {
    if (err instanceof ScopeError) return text(400, err.message);
    throw err;
  }
  const challenge = { "www-authenticate": `Basic realm="${tokens.service}"` };
  const cred = basic(req.authorization);
  if (!cred) return text(401, "the registry needs credentials: anonymous access is refused", challenge);
  if (req.account !== undefined && req.account !== cred.user) {
    return text(400, `account "${req.account.slice(0, 80)}" does not match the Basic user name`);
  }
  const grant = authenticate(cred.user, cred.pass);
  if (!grant)
    return text(
      401,
      "these registry credentials are not valid (they are one-use and short-lived)",
      challenge,
    );
  const minted = await tokens.mint(grant.subject, intersect(requested, grant.access));
  return {
    status: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      token: minted.token,
      access_token: minted.token,
      expires_in: minted.expiresIn,
      issued_at: minted.issuedAt,
    }),
  };
}
