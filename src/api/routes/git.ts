// git push deploys: git's smart HTTP protocol at /apps/<app>.git (clone, fetch and push), behind
// Wharf's tokens as HTTP Basic passwords (so git's credential helpers keep them; the user name is
// not read). Fetching needs app.read, pushing app.deploy; a push is deployed by its pre-receive
// hook (src/git/push.ts) while the pusher watches. Registered with the deploy routes.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Readable } from "node:stream";
import { join } from "node:path";
import type { DeployCtx } from "../../deploy/context.js";
import { authenticate } from "../../domain/services/auth.js";
import { visibleApp } from "../../domain/services/app-read.js";
import type { Principal } from "../../domain/services/principal.js";
import { BadRequestError, NotFoundError, UnauthorizedError } from "../../domain/errors.js";
import { validateAppName } from "../../domain/names.js";
import { Repos } from "../../git/repos.js";
import { HookServer } from "../../git/hook.js";
import { serveBackend } from "../../git/http-backend.js";
import { PushGuard, busySentence, runPush } from "../../git/push.js";
import { param } from "./util.js";

const CONTENT_TYPES = ["application/x-git-receive-pack-request", "application/x-git-upload-pack-request"];

/** The token from `Authorization: Basic base64(user:token)`; "" when there is none. */
function basicToken(req: FastifyRequest): string {
  const h = req.headers.authorization ?? "";
  const m = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(h);
  if (!m) return "";
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const i = decoded.indexOf(":");
  return i < 0 ? "" : decoded.slice(i + 1);
}

class GitUnauthorized extends UnauthorizedError {
  constructor() {
    super(
      "Give your Wharf token as the password (any user name): git asks for it, or a credential helper keeps it.",
    );
  }
}

function repoName(req: FastifyRequest): string {
  const raw = param(req, "app");
  if (!raw.endsWith(".git")) throw new NotFoundError("Not found: git repositories are at /apps/APP.git.");
  const app = raw.slice(0, -".git".length);
  validateAppName(app);
  return app;
}

export function gitRoutes(app: FastifyInstance, dc: DeployCtx): void {
  const ctx = dc.ctx;
  if (!ctx.settings.dataDir) return;
  const repos = new Repos(join(ctx.settings.dataDir, "git"));
  ctx.repos = repos;
  const hooks = new HookServer(repos.hooksDir);
  const guard = new PushGuard();
  const domain =
    (ctx.settings.routers.find((r) => r.default) ?? ctx.settings.routers[0])?.domain ?? "wharf.localhost";
  // The embedded router's port once it listens; separate routers' ports aren't known here.
  const appUrl = (name: string) => {
    const port = ctx.routerHttpPort;
    return `http://${name}.${domain}${port && port !== 80 ? `:${port}` : ""}/`;
  };
  app.addHook("onClose", () => hooks.stop());
  app.addContentTypeParser(CONTENT_TYPES, (_req, payload, done) => done(null, payload));

  async function caller(req: FastifyRequest, reply: FastifyReply): Promise<Principal> {
    const p = await authenticate(ctx, basicToken(req));
    if (!p || p.kind === "node-agent") {
      reply.header("www-authenticate", 'Basic realm="Wharf"');
      throw new GitUnauthorized();
    }
    return p;
  }

  async function serve(
    req: FastifyRequest,
    reply: FastifyReply,
    service: string,
    path: string,
  ): Promise<void> {
    if (service !== "git-upload-pack" && service !== "git-receive-pack")
      throw new BadRequestError("Wharf serves git's smart HTTP protocol only: use git 1.6.6 or later.");
    const name = repoName(req);
    const p = await caller(req, reply);
    const push = service === "git-receive-pack";
    await visibleApp(ctx, p, name, push ? "app.deploy.git" : "app.read");
    if (push) await repos.ensure(name);
    else if (!(await repos.exists(name)))
      throw new NotFoundError(`App "${name}" has no repository yet: push to it first.`);
    const socket = await hooks.start((s) => repos.installHook(s));
    let locked = false;
    const token = push
      ? hooks.register(async (call, out) => {
          const holder = guard.take(name, p.email || p.tokenId);
          if (holder) {
            out(`${await busySentence(dc, name, holder)}\n`);
            return 1;
          }
          locked = true;
          return runPush({ dc, repos, appUrl }, p, name, call, out);
        })
      : "";
    reply.hijack();
    try {
      await serveBackend(
        {
          root: repos.root,
          pathInfo: `/${name}.git${path}`,
          method: req.method,
          query: (req.url.split("?")[1] ?? "").slice(0, 1000),
          headers: req.headers,
          body: req.method === "POST" ? ((req.body as Readable | undefined) ?? req.raw) : null,
          remoteUser: p.email || p.tokenId,
          remoteAddr: req.ip,
          maxBytes: dc.settings.maxArchiveBytes,
          env: {
            GIT_CONFIG_COUNT: "1",
            GIT_CONFIG_KEY_0: "core.hooksPath",
            GIT_CONFIG_VALUE_0: repos.hooksDir,
            WHARF_GIT_SOCKET: socket,
            ...(token ? { WHARF_GIT_PUSH: token } : {}),
          },
        },
        reply.raw,
      );
    } finally {
      if (token) hooks.unregister(token);
      if (locked) guard.release(name);
    }
  }

  const config0 = { config: { auth: "none" as const }, schema: { hide: true } };
  app.get("/apps/:app/info/refs", config0, async (req, reply) =>
    serve(req, reply, String((req.query as Record<string, unknown>).service ?? ""), "/info/refs"),
  );
  app.post("/apps/:app/git-upload-pack", config0, async (req, reply) =>
    serve(req, reply, "git-upload-pack", "/git-upload-pack"),
  );
  app.post("/apps/:app/git-receive-pack", config0, async (req, reply) =>
    serve(req, reply, "git-receive-pack", "/git-receive-pack"),
  );
}
