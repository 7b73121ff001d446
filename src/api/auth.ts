// Bearer-token authentication as a preHandler. tsuru takes the last space-separated word
// of the Authorization header; an unknown token is treated as no token (401).
import type { FastifyReply, FastifyRequest } from "fastify";
import { ForbiddenError, UnauthorizedError } from "../domain/errors.js";
import { authenticate } from "../domain/services/auth.js";
import type { Ctx } from "../domain/services/context.js";
import type { Principal } from "../domain/services/principal.js";

export type AuthMode = "required" | "optional" | "none";

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
    handlerStarted?: boolean;
  }
  interface FastifyContextConfig {
    auth?: AuthMode;
    /** A node agent's route: only node-agent tokens may call it, and they may call nothing else. */
    agent?: boolean;
  }
}

export function bearer(req: FastifyRequest): string {
  const h = req.headers.authorization;
  if (!h) return "";
  const parts = h.trim().split(/\s+/);
  return parts[parts.length - 1] ?? "";
}

export function authHook(ctx: Ctx) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    req.handlerStarted = true;
    const mode: AuthMode = req.routeOptions.config.auth ?? "required";
    if (mode === "none") return;
    const token = bearer(req);
    req.principal = token ? await authenticate(ctx, token) : null;
    if (!req.principal && mode === "required") throw new UnauthorizedError();
    const agentRoute = req.routeOptions.config.agent === true;
    if (req.principal?.kind === "node-agent" && !agentRoute)
      throw new ForbiddenError(
        "This token belongs to a node agent: it can only report its own node's status and logs.",
      );
    if (agentRoute && req.principal && req.principal.kind !== "node-agent")
      throw new ForbiddenError("Only node agents call this route, with the token Wharf gave them.");
  };
}

/** The authenticated principal of a route whose auth mode is "required". */
export function principal(req: FastifyRequest): Principal {
  if (!req.principal) throw new UnauthorizedError();
  return req.principal;
}
