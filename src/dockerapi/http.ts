// HTTP plumbing shared by the endpoint's handlers: Docker-style JSON errors, bounded JSON
// bodies, query parsing. Errors carry a status and a sentence, as dockerd's do, so the
// docker CLI prints "Error response from daemon: <sentence>".
import type { IncomingMessage, ServerResponse } from "node:http";

export class DockerApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (ref: string): DockerApiError => new DockerApiError(404, `No such container: ${ref}`);

export function notSupported(method: string, path: string): DockerApiError {
  return new DockerApiError(
    501,
    `${method} ${path.split("?")[0]!.slice(0, 200)} is not supported by Wharf's cluster endpoint: it serves containers, images, networks, volumes, exec, events, info and version (see wharf docker --help)`,
  );
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) });
  res.end(data);
}

export function sendError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { message });
}

export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { "Content-Length": 0 });
  res.end();
}

const BODY_LIMIT = 4 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = BODY_LIMIT): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new DockerApiError(413, `request body over ${limit} bytes: send a smaller one`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A JSON object body; an empty body is {} (the CLI sends none for some POSTs). */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readBody(req);
  if (raw.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(raw.toString("utf8"));
  } catch (e) {
    throw new DockerApiError(400, `invalid JSON body: ${(e as Error).message}`);
  }
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw new DockerApiError(400, "the request body must be a JSON object");
  return v as Record<string, unknown>;
}

/** Docker's `filters` query parameter: {"key": ["v", ...]} or the legacy {"key": {"v": true}}. */
export function parseFilters(raw: string | null): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!raw) return out;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new DockerApiError(400, `invalid filters "${raw.slice(0, 100)}": send a JSON object of lists`);
  }
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw new DockerApiError(400, "invalid filters: send a JSON object of lists");
  for (const [k, list] of Object.entries(v as Record<string, unknown>)) {
    if (Array.isArray(list)) out.set(k, list.map(String));
    else if (list && typeof list === "object") out.set(k, Object.keys(list as object));
    else throw new DockerApiError(400, `invalid filter "${k}": its value must be a list`);
  }
  return out;
}

export function checkFilters(filters: Map<string, string[]>, allowed: readonly string[]): void {
  for (const k of filters.keys())
    if (!allowed.includes(k)) throw new DockerApiError(400, `Invalid filter '${k}'`);
}

export const truthy = (v: string | null): boolean => v === "1" || v === "true" || v === "True";
