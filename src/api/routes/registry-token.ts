// The registry's token realm (`GET /registry/token`): Basic credentials that Wharf issued
// (one-use, scoped) become a short-lived token. The route does its own authentication (the
// registry's, not tsuru's bearer tokens), so it runs with auth "none".
import type { FastifyInstance } from "fastify";
import { answerTokenRequest, REALM_PATH, type RealmAuthenticator } from "../../registry/realm.js";
import type { RegistryTokens } from "../../registry/tokens.js";

function strings(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
  return typeof v === "string" ? [v] : [];
}

export function registryTokenRoutes(
  app: FastifyInstance,
  tokens: RegistryTokens,
  authenticate: RealmAuthenticator,
): void {
  app.get(REALM_PATH, { config: { auth: "none" } }, async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const r = await answerTokenRequest(
      {
        service: strings(q.service)[0],
        scope: strings(q.scope),
        account: strings(q.account)[0],
        authorization: req.headers.authorization,
      },
      tokens,
      authenticate,
    );
    return reply.code(r.status).headers(r.headers).send(r.body);
  });
}
