// Test helpers: a recording fastify stub that plays a tsuru server, and a runner for
// the built `wharf` CLI as a child process.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Fastify from "fastify";
import { isFresh } from "../../support/fresh-build.js";

export const ROOT = resolve(import.meta.dirname, "..", "..", "..");
export const CLI = join(ROOT, "dist", "src", "cli", "main.js");

/** Compiles the project so the tests run the CLI users run (dist/). */
export function buildCli(): void {
  if (process.env.WHARF_TEST_SKIP_BUILD) return;
  const inputs = ["src", "tsconfig.json", "package.json"].map((p) => join(ROOT, p));
  if (isFresh(CLI, inputs)) return;
  // Other areas may have type errors mid-work; tsc still emits, and we only need ours.
  spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", ROOT], {
    stdio: "ignore",
  });
  if (!existsSync(CLI)) throw new Error(`build did not produce ${CLI}`);
}

export interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Canned {
  status?: number;
  body?: unknown;
  contentType?: string;
}

export interface Stub {
  url: string;
  requests: Recorded[];
  /** Answer `METHOD /path?query` (the exact URL as sent) with a canned response. */
  on(method: string, url: string, reply: Canned): void;
  reset(): void;
  close(): Promise<void>;
}

export async function startStub(): Promise<Stub> {
  const app = Fastify();
  // Keep bodies as the exact text the CLI sent, whatever the content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => done(null, body));
  const requests: Recorded[] = [];
  const replies = new Map<string, Canned>();
  app.all("*", async (req, reply) => {
    requests.push({
      method: req.method,
      url: req.url,
      headers: req.headers,
      body: typeof req.body === "string" ? req.body : "",
    });
    const canned = replies.get(`${req.method} ${req.url}`);
    if (!canned) {
      return reply
        .code(404)
        .type("text/plain; charset=utf-8")
        .send(`stub: no reply for ${req.method} ${req.url}\n`);
    }
    const status = canned.status ?? 200;
    if (canned.body === undefined) return reply.code(status).send();
    const type =
      canned.contentType ??
      (typeof canned.body === "string" ? "text/plain; charset=utf-8" : "application/json");
    const payload = typeof canned.body === "string" ? canned.body : JSON.stringify(canned.body);
    return reply.code(status).type(type).send(payload);
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const addr = app.server.address();
  if (!addr || typeof addr === "string") throw new Error("stub did not bind");
  return {
    url: `http://127.0.0.1:${addr.port}`,
    requests,
    on: (method, url, r) => replies.set(`${method} ${url}`, r),
    reset: () => {
      requests.length = 0;
      replies.clear();
    },
    close: () => app.close(),
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `wharf args...` with its own WHARF_HOME; never inherits the developer's setup. */
export function runCli(
  args: string[],
  opts: { env?: Record<string, string>; input?: string; cwd?: string; home?: string } = {},
): Promise<RunResult> {
  const home = opts.home ?? mkdtempSync(join(tmpdir(), "wharf-cli-home-"));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: home,
    WHARF_HOME: home,
    ...opts.env,
  };
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, cwd: opts.cwd ?? home });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? "");
  });
}

/** A stream body in application/x-json-stream framing. */
export function jsonStream(...messages: Array<{ Message?: string; Error?: string }>): Canned {
  return {
    body:
      messages
        .map((m) => JSON.stringify({ Message: "", Timestamp: "2026-01-01T00:00:00Z", ...m }))
        .join("\n") + "\n",
    contentType: "application/x-json-stream",
  };
}
