// git's smart HTTP protocol through Debian's `git http-backend`, one process per request as a CGI:
// the request body goes to its stdin, its "Status:"/header lines become the response head and the
// rest streams back as it is written (receive-pack's sideband carries the hook's "remote:" lines,
// so a push's deploy shows while it runs).
import { spawn } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import { gitEnv } from "./repos.js";

export interface BackendRequest {
  root: string;
  /** /<app>.git/info/refs, /<app>.git/git-receive-pack, ... */
  pathInfo: string;
  method: string;
  query: string;
  headers: IncomingMessage["headers"];
  body: Readable | null;
  remoteUser: string;
  remoteAddr: string;
  /** Most request bytes accepted (the pack): past it the request is cut. */
  maxBytes: number;
  /** More environment for git (hooks path, the hook's socket and push token). */
  env: Record<string, string>;
}

const PASSED_HEADERS = ["content-type", "content-encoding", "git-protocol", "content-length"];

/** Runs http-backend for one request and answers through `res`; resolves when it exited. */
export function serveBackend(
  r: BackendRequest,
  res: ServerResponse,
): Promise<{ code: number; stderr: string }> {
  const env = gitEnv(r.root, {
    GIT_PROJECT_ROOT: r.root,
    GIT_HTTP_EXPORT_ALL: "1",
    PATH_INFO: r.pathInfo,
    REQUEST_METHOD: r.method,
    QUERY_STRING: r.query,
    REMOTE_USER: r.remoteUser,
    REMOTE_ADDR: r.remoteAddr,
    GATEWAY_INTERFACE: "CGI/1.1",
    ...r.env,
  });
  for (const h of PASSED_HEADERS) {
    const v = r.headers[h];
    if (typeof v !== "string") continue;
    const key =
      h === "content-type"
        ? "CONTENT_TYPE"
        : h === "content-length"
          ? "CONTENT_LENGTH"
          : `HTTP_${h.toUpperCase().replace(/-/g, "_")}`;
    env[key] = v;
  }
  const child = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  if (r.body) {
    let seen = 0;
    r.body.on("data", (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > r.maxBytes) {
        r.body?.destroy();
        child.kill("SIGKILL");
      }
    });
    r.body.pipe(child.stdin);
    r.body.on("error", () => child.kill("SIGKILL"));
  } else child.stdin.end();
  child.stdin.on("error", () => undefined);

  let head = Buffer.alloc(0);
  let headed = false;
  child.stdout.on("data", (chunk: Buffer) => {
    if (headed) return void res.write(chunk);
    head = Buffer.concat([head, chunk]);
    const text = head.toString("latin1");
    const end = text.search(/\r?\n\r?\n/);
    if (end < 0) {
      if (head.length > 64 * 1024) child.kill("SIGKILL");
      return;
    }
    headed = true;
    const sep = /\r?\n\r?\n/.exec(text)!;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of text.slice(0, end).split(/\r?\n/)) {
      const i = line.indexOf(":");
      if (i <= 0) continue;
      const k = line.slice(0, i).trim();
      const v = line.slice(i + 1).trim();
      if (k.toLowerCase() === "status") status = Number(v.split(" ")[0]) || 500;
      else headers[k] = v;
    }
    res.writeHead(status, headers);
    const rest = head.subarray(sep.index + sep[0].length);
    if (rest.length) res.write(rest);
  });
  return new Promise((resolve) => {
    child.on("close", (code) => {
      if (!headed) {
        res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end(`git could not serve this request (${code ?? "killed"}): try again.\n`);
      } else res.end();
      resolve({ code: code ?? -1, stderr });
    });
  });
}
