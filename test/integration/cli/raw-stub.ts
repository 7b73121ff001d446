// Test helpers for the deploy commands: a tsuru stand-in that keeps request bodies as
// raw bytes (the deploy upload is binary) and lets a test answer with a live stream,
// a multipart reader, a tar.gz reader, and a CLI runner that hands out the child so a
// test can press Ctrl-C (SIGINT).
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { extract } from "tar-stream";
import { CLI, type RunResult } from "./helpers.js";

export interface RawRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

export type Handler = (req: RawRequest, res: ServerResponse) => void | Promise<void>;

export interface RawStub {
  url: string;
  requests: RawRequest[];
  /** Answer `METHOD /exact/url?query` with a handler. */
  on(method: string, url: string, handler: Handler): void;
  reset(): void;
  close(): Promise<void>;
}

export async function startRawStub(): Promise<RawStub> {
  const requests: RawRequest[] = [];
  const handlers = new Map<string, Handler>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r: RawRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(r);
      const h = handlers.get(`${r.method} ${r.url}`);
      if (!h) {
        res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
        res.end(`stub: no reply for ${r.method} ${r.url}\n`);
        return;
      }
      void h(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  if (!addr || typeof addr === "string") throw new Error("stub did not bind");
  return {
    url: `http://127.0.0.1:${addr.port}`,
    requests,
    on: (method, url, handler) => handlers.set(`${method} ${url}`, handler),
    reset: () => {
      requests.length = 0;
      handlers.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A canned JSON (or empty 204) answer. */
export function json(body: unknown, status = 200): Handler {
  return (_req, res) => {
    if (body === undefined) {
      res.writeHead(status === 200 ? 204 : status).end();
      return;
    }
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };
}

export interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** Splits a multipart/form-data body into its parts, in order. */
export function parseMultipart(req: RawRequest): Part[] {
  const m = /boundary=(\S+)/.exec(String(req.headers["content-type"]));
  if (!m) throw new Error(`not multipart: ${String(req.headers["content-type"])}`);
  const delim = Buffer.from(`--${m[1]!}`);
  const parts: Part[] = [];
  let pos = req.body.indexOf(delim);
  for (;;) {
    const start = pos + delim.length;
    if (req.body.subarray(start, start + 2).toString() === "--") break;
    const headEnd = req.body.indexOf("\r\n\r\n", start);
    const next = req.body.indexOf(delim, headEnd);
    if (headEnd < 0 || next < 0) throw new Error("truncated multipart body");
    const head = req.body.subarray(start + 2, headEnd).toString();
    const name = /name="([^"]*)"/.exec(head)?.[1] ?? "";
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    const contentType = /content-type: *(\S+)/i.exec(head)?.[1];
    // The part's data ends with the CRLF that precedes the next delimiter.
    parts.push({ name, filename, contentType, data: req.body.subarray(headEnd + 4, next - 2) });
    pos = next;
  }
  return parts;
}

export interface TarItem {
  name: string;
  type: string;
  linkname?: string;
  content: string;
}

export async function untar(gz: Buffer): Promise<TarItem[]> {
  const items: TarItem[] = [];
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on("finish", resolve);
    ex.on("error", reject);
  });
  ex.on("entry", (h, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: unknown) => {
      chunks.push(c as Buffer);
    });
    stream.on("end", () => {
      items.push({
        name: h.name.replace(/\/$/, ""),
        type: h.type,
        linkname: h.linkname ?? undefined,
        content: Buffer.concat(chunks).toString(),
      });
      next();
    });
  });
  ex.end(gunzipSync(gz));
  await done;
  return items;
}

/** Runs `wharf args...` like runCli, but hands out the child (for signals). */
export function spawnCli(
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string } = {},
): { child: ChildProcess; stdout: () => string; result: Promise<RunResult> } {
  const home = mkdtempSync(join(tmpdir(), "wharf-cli-home-"));
  const env = { PATH: process.env.PATH ?? "", HOME: home, WHARF_HOME: home, ...opts.env };
  const child = spawn(process.execPath, [CLI, ...args], { env, cwd: opts.cwd ?? home });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const result = new Promise<RunResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
  child.stdin.end();
  return { child, stdout: () => stdout, result };
}
