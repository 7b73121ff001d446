// The web dashboard's static files under /dashboard/ (built by `npm run build` into
// dist/dashboard), on the API's own origin so the browser calls the API without CORS.
// Each file is read and compressed (brotli, gzip) the first time it is asked for and kept in
// memory until it changes on disk (a rebuild). Page paths answer the app shell (index.html),
// so a reload on /dashboard/apps/x works; missing assets are 404s.
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { extname, join, resolve, sep } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { sendError } from "./errors.js";

export const DASHBOARD_PREFIX = "/dashboard/";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

/** Everything the dashboard loads comes from this origin; nothing may frame it. */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

interface Asset {
  /** The file's mtime and size when it was read: a rebuild changes them. */
  stamp: string;
  type: string;
  raw: Buffer;
  br?: Buffer;
  gzip?: Buffer;
}

/** The built bundle: WHARF_DASHBOARD_DIR, else dist/dashboard next to this code (built or run by tsx). */
export function dashboardDir(configured: string): string {
  if (configured) return resolve(configured);
  const here = import.meta.dirname;
  const candidates = [resolve(here, "..", "..", "dashboard"), resolve(here, "..", "..", "dist", "dashboard")];
  return candidates.find((d) => existsSync(join(d, "index.html"))) ?? candidates[0]!;
}

function compressible(type: string): boolean {
  return /^(text\/|application\/json|image\/svg)/.test(type);
}

/** The encoding to answer with: brotli, then gzip, when the client accepts it (q=0 refuses). */
function pickEncoding(accept: string): "br" | "gzip" | "" {
  const offered = new Map<string, number>();
  for (const part of accept.toLowerCase().split(",")) {
    const [name, ...params] = part.trim().split(";");
    const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find((v) => v !== undefined);
    if (name) offered.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const ok = (e: string) => (offered.get(e) ?? offered.get("*") ?? 0) > 0;
  return ok("br") ? "br" : ok("gzip") ? "gzip" : "";
}

export function registerDashboard(app: FastifyInstance, configuredDir = ""): void {
  const root = dashboardDir(configuredDir);
  const cache = new Map<string, Asset>();
  const realRoot = () => (existsSync(root) ? realpathSync(root) : root);

  const load = (rel: string): Asset | null => {
    const file = resolve(root, rel);
    // Only files inside the bundle: "..", encoded or not, and symlinks out of it are 404s.
    if (!file.startsWith(root + sep) || !existsSync(file)) return null;
    let real: string;
    let stamp: string;
    let raw: Buffer;
    try {
      real = realpathSync(file);
      if (!real.startsWith(realRoot() + sep)) return null;
      const st = statSync(real);
      if (!st.isFile()) return null;
      stamp = `${st.mtimeMs}:${st.size}`;
      const hit = cache.get(rel);
      if (hit?.stamp === stamp) return hit;
      raw = readFileSync(real);
    } catch {
      return null; // gone between the checks, or unreadable
    }
    const type = TYPES[extname(real).toLowerCase()] ?? "application/octet-stream";
    const asset: Asset = { stamp, type, raw };
    if (compressible(type) && raw.length > 256) {
      asset.br = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
      asset.gzip = gzipSync(raw, { level: 9 });
    }
    cache.set(rel, asset);
    return asset;
  };

  const send = (req: FastifyRequest, reply: FastifyReply, asset: Asset, immutable: boolean) => {
    const enc = pickEncoding(String(req.headers["accept-encoding"] ?? ""));
    const body = (enc === "br" && asset.br) || (enc === "gzip" && asset.gzip) || asset.raw;
    reply.headers(SECURITY_HEADERS);
    reply.header("content-type", asset.type);
    reply.header("vary", "accept-encoding");
    // Hashed asset names change with their content; the shell must always be asked again.
    reply.header("cache-control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
    if (body !== asset.raw) reply.header("content-encoding", enc);
    return reply.code(200).send(body);
  };

  const opts = { config: { auth: "none" as const }, schema: { hide: true } };
  const shell = (req: FastifyRequest, reply: FastifyReply) => {
    const index = load("index.html");
    if (!index)
      return sendError(
        reply,
        503,
        "The dashboard is not built on this server: run `npm run build` in Wharf's directory, then reload.",
      );
    return send(req, reply, index, false);
  };
  // The router ignores trailing slashes, so "/dashboard/" arrives here too: it is the shell.
  app.get("/dashboard", opts, async (req, reply) =>
    req.url.split("?")[0]!.endsWith("/") ? shell(req, reply) : reply.redirect(DASHBOARD_PREFIX, 302),
  );
  app.get("/dashboard/*", opts, async (req, reply) => {
    const tail = (req.params as Record<string, string>)["*"] ?? "";
    let rel: string;
    try {
      rel = decodeURIComponent(tail.split("?")[0]!);
    } catch {
      return sendError(reply, 400, "Malformed path: the URL holds an invalid percent-encoding.");
    }
    if (rel.includes("\u0000")) return sendError(reply, 400, "Malformed path: it contains a NUL character.");
    const file = rel && !rel.endsWith("/") ? load(rel) : null;
    if (file) return send(req, reply, file, rel.startsWith("assets/"));
    // Built files live at the top (index.html) or under assets/; a miss there is a 404. Deeper
    // paths are the dashboard's pages, whose names may hold dots (/nodes/https://10.0.0.5:2376).
    if (rel.startsWith("assets/") || (!rel.includes("/") && extname(rel)))
      return sendError(reply, 404, `Not found: ${DASHBOARD_PREFIX}${rel.slice(0, 200)}.`);
    return shell(req, reply);
  });
  // tsuru clients never call "/" (every request has a version prefix): a browser opening the
  // server's address is sent to the dashboard; anything else gets the API's 404 as before.
  app.get("/", opts, async (req, reply) => {
    if (String(req.headers.accept ?? "").includes("text/html")) return reply.redirect(DASHBOARD_PREFIX, 302);
    return sendError(
      reply,
      404,
      "Not found: GET / is not a Wharf API route; the dashboard is at /dashboard/.",
    );
  });
}
