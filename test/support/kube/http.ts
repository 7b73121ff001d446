// The stand-in's REST layer: parses Kubernetes API paths (core and named groups,
// namespaced and cluster-scoped, subresources), authenticates and authorizes, and
// maps the verbs (get, list, watch, create, update, patch, delete, deletecollection)
// onto the registry, answering with the API server's JSON shapes and Status errors.
// Part of the stand-in (see server.ts).
import type { IncomingMessage, ServerResponse } from "node:http";
import { authorize, type Authenticator, type Principal } from "./auth.js";
import { discovery } from "./discovery.js";
import type { LogBook } from "./logs.js";
import type { Registry } from "./registry.js";
import { findResource, fieldLabels, apiVersionOf, type ResourceType } from "./resources.js";
import {
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
} from "./selectors.js";
import {
  ApiError,
  badRequest,
  forbidden,
  gone,
  methodNotAllowed,
  pathNotFound,
  unauthorized,
  unsupportedMediaType,
} from "./status.js";
import type { KObject } from "./store.js";
import type { WatchHub } from "./watch.js";

export interface ApiTarget {
  resource: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** Resolves /api/v1/... and /apis/G/V/... paths to a resource target. */
export function parseResourcePath(path: string): ApiTarget | undefined {
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === "api" && parts.length >= 2) [group, version, rest] = ["", parts[1]!, parts.slice(2)];
  else if (parts[0] === "apis" && parts.length >= 3)
    [group, version, rest] = [parts[1]!, parts[2]!, parts.slice(3)];
  else return undefined;
  if (rest.length >= 3 && rest[0] === "namespaces") {
    const resource = findResource(group, version, rest[2]!);
    if (resource?.namespaced && rest.length <= 5)
      return { resource, namespace: rest[1], name: rest[3], subresource: rest[4] };
    if (!resource) return undefined;
  }
  const resource = findResource(group, version, rest[0] ?? "");
  if (!resource || rest.length > 3) return undefined;
  return { resource, name: rest[1], subresource: rest[2] };
}

/** One request as the stand-in saw it, for tests that list the calls a client makes. */
export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  contentType?: string;
  userAgent?: string;
  code: number;
  user?: string;
}

export interface HttpDeps {
  /** Test hooks: called before a resource request is served (e.g. to write concurrently first). */
  beforeServe?: (method: string, t: ApiTarget) => void;
  record?: (r: RequestRecord) => void;
  registry: Registry;
  auth: Authenticator;
  watches: WatchHub;
  logs: LogBook;
  serverAddress: () => string;
}

const MAX_BODY = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<unknown> {
  // Protobuf (what kubectl's typed clients send by default) is not served: only JSON.
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim();
  if (type === "application/vnd.kubernetes.protobuf" || type === "application/cbor")
    throw unsupportedMediaType(type);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY)
      throw new ApiError({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: "Request entity too large: limit is 3145728",
        reason: "RequestEntityTooLarge",
        code: 413,
      });
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`json: cannot unmarshal the request body: ${(e as Error).message}`);
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-cache, private",
  });
  res.end(text);
}

export function sendError(res: ServerResponse, e: unknown): void {
  if (e instanceof ApiError) return sendJson(res, e.status.code, e.status);
  if (e instanceof SelectorError) return sendJson(res, 400, badRequest(e.message).status);
  const message = e instanceof Error ? e.message : String(e);
  sendJson(res, 500, {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason: "InternalError",
    code: 500,
  });
}

export function requestRecord(deps: HttpDeps, req: IncomingMessage, code: number): RequestRecord {
  const url = new URL(req.url ?? "/", "https://stand-in");
  const p = deps.auth.authenticate(req);
  return {
    method: req.method ?? "GET",
    path: url.pathname,
    query: url.search,
    ...(req.headers["content-type"] ? { contentType: req.headers["content-type"] } : {}),
    ...(req.headers["user-agent"] ? { userAgent: req.headers["user-agent"] } : {}),
    code,
    ...(p ? { user: p.name } : {}),
  };
}

const PUBLIC = new Set(["/version", "/healthz", "/livez", "/readyz"]);

/** The RBAC verb of a request, as the real authorizer derives it. */
export function verbOf(method: string, t: ApiTarget, watch: boolean): string {
  switch (method) {
    case "GET":
    case "HEAD":
      return t.name === undefined ? (watch ? "watch" : "list") : "get";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return t.name === undefined ? "deletecollection" : "delete";
    default:
      return method.toLowerCase();
  }
}

export function authenticateAndAuthorize(
  deps: HttpDeps,
  req: IncomingMessage,
  t: ApiTarget,
  verb: string,
): Principal {
  const p = deps.auth.authenticate(req);
  if (!p) throw unauthorized();
  const res = t.subresource ? `${t.resource.plural}/${t.subresource}` : t.resource.plural;
  const ns = t.resource.namespaced ? t.namespace : undefined;
  if (!authorize(p, verb, res, ns)) throw forbidden(p.name, verb, t.resource, t.subresource, ns, t.name);
  return p;
}

function listOf(t: ApiTarget, items: KObject[], rv: string, cont?: string): unknown {
  return {
    kind: `${t.resource.kind}List`,
    apiVersion: apiVersionOf(t.resource),
    metadata: { resourceVersion: rv, ...(cont ? { continue: cont } : {}) },
    // Items of a typed list carry no kind/apiVersion, as the real server encodes them.
    items: items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest),
  };
}

export async function handleHttp(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "https://stand-in");
  const q = url.searchParams;
  const method = req.method ?? "GET";
  // A watch that is cut never finishes: record on close as well, once.
  let recorded = false;
  const record = () => {
    if (recorded) return;
    recorded = true;
    deps.record?.(requestRecord(deps, req, res.statusCode));
  };
  res.on("finish", record);
  res.on("close", record);
  try {
    if (PUBLIC.has(url.pathname) && method === "GET") {
      if (url.pathname === "/version") return sendJson(res, 200, discovery("/version", ""));
      res.writeHead(200, { "Content-Type": "text/plain" });
      return void res.end("ok");
    }
    const doc = discovery(url.pathname.replace(/\/$/, ""), deps.serverAddress());
    if (doc !== undefined) {
      if (!deps.auth.authenticate(req)) throw unauthorized();
      return sendJson(res, 200, doc);
    }
    const t = parseResourcePath(url.pathname);
    if (!t) {
      if (!deps.auth.authenticate(req)) throw unauthorized();
      throw pathNotFound();
    }
    const watch = q.get("watch") === "true" || q.get("watch") === "1";
    const verb = verbOf(method, t, watch);
    authenticateAndAuthorize(deps, req, t, verb);
    deps.beforeServe?.(method, t);
    await dispatch(deps, req, res, t, method, q, watch);
  } catch (e) {
    if (!res.headersSent) sendError(res, e);
    else res.destroy();
  }
}

async function dispatch(
  deps: HttpDeps,
  req: IncomingMessage,
  res: ServerResponse,
  t: ApiTarget,
  method: string,
  q: URLSearchParams,
  watch: boolean,
): Promise<void> {
  const { registry } = deps;
  const store = registry.store;
  const r = t.resource;
  const ns = r.namespaced ? t.namespace : undefined;
  if (r.namespaced && t.name !== undefined && ns === undefined) throw pathNotFound();
  const sub = t.subresource;
  if (sub && !r.subresources.includes(sub)) throw pathNotFound();

  if (t.name === undefined) {
    const labels = parseLabelSelector(q.get("labelSelector") ?? undefined);
    const fields = parseFieldSelector(q.get("fieldSelector") ?? undefined, fieldLabels(r));
    const keep = (o: KObject) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o);
    if (method === "GET" && watch) {
      const timeout = q.get("timeoutSeconds");
      return deps.watches.serve(
        {
          resource: r,
          ...(ns !== undefined ? { namespace: ns } : {}),
          labels,
          fields,
          ...(q.get("resourceVersion") !== null ? { resourceVersion: q.get("resourceVersion")! } : {}),
          bookmarks: q.get("allowWatchBookmarks") === "true",
          ...(timeout ? { timeoutSeconds: Number(timeout) } : {}),
        },
        res,
      );
    }
    if (method === "GET") return sendJson(res, 200, list(deps, t, q, keep));
    if (method === "POST") {
      const created = registry.create(r, ns, await readBody(req));
      return sendJson(res, 201, created);
    }
    if (method === "DELETE") {
      const items = registry.deleteCollection(r, ns, (o) => !keep(o));
      return sendJson(res, 200, listOf(t, items, String(store.currentRv)));
    }
    throw methodNotAllowed();
  }

  const name = t.name;
  if (sub === "log" || sub === "exec" || sub === "attach") {
    if (sub === "log" && method === "GET") return deps.logs.serve(store.mustGet(r, ns, name), q, req, res);
    throw badRequest(`Upgrade request required`);
  }
  if (method === "GET") {
    const obj = store.mustGet(r, ns, name);
    return sendJson(res, 200, sub === "scale" ? registry.scaleOf(r, obj) : obj);
  }
  if (method === "PUT") {
    const body = await readBody(req);
    if (sub === "status") return sendJson(res, 200, registry.updateStatus(r, ns, name, body));
    if (sub === "scale") return sendJson(res, 200, registry.updateScale(r, ns, name, body));
    return sendJson(res, 200, registry.update(r, ns, name, body));
  }
  if (method === "PATCH") {
    const body = await readBody(req);
    return sendJson(res, 200, registry.patch(r, ns, name, req.headers["content-type"] ?? "", body, sub));
  }
  if (method === "DELETE") {
    const body = ((await readBody(req)) ?? {}) as {
      propagationPolicy?: "Orphan";
      gracePeriodSeconds?: number;
      preconditions?: { uid?: string; resourceVersion?: string };
    };
    const policy = q.get("propagationPolicy") ?? body.propagationPolicy;
    const grace = q.get("gracePeriodSeconds") ?? body.gracePeriodSeconds;
    const { object, gone: removed } = registry.delete(r, ns, name, {
      ...(policy ? { propagationPolicy: policy as "Orphan" } : {}),
      ...(grace !== undefined && grace !== null ? { gracePeriodSeconds: Number(grace) } : {}),
      ...(body.preconditions ? { preconditions: body.preconditions } : {}),
    });
    if (r.returnsObjectOnDelete || !removed) return sendJson(res, 200, object);
    return sendJson(res, 200, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: { name, ...(r.group ? { group: r.group } : {}), kind: r.plural, uid: object.metadata.uid },
    });
  }
  throw methodNotAllowed();
}

function list(deps: HttpDeps, t: ApiTarget, q: URLSearchParams, keep: (o: KObject) => boolean): unknown {
  const store = deps.registry.store;
  const rv = q.get("resourceVersion");
  if (rv && rv !== "0" && q.get("resourceVersionMatch") === "Exact" && Number(rv) < store.oldestResumableRv) {
    throw gone(`The resourceVersion for the provided list is too old.`);
  }
  let items = store.list(t.resource, t.resource.namespaced ? t.namespace : undefined).filter(keep);
  items.sort((a, b) =>
    `${a.metadata.namespace ?? ""}/${a.metadata.name}`.localeCompare(
      `${b.metadata.namespace ?? ""}/${b.metadata.name}`,
    ),
  );
  let listRv = String(store.currentRv);
  const cont = q.get("continue");
  if (cont) {
    let token: { rv: number; start: string };
    try {
      token = JSON.parse(Buffer.from(cont, "base64url").toString());
    } catch {
      throw badRequest("continue key is not valid: illegal base64 data");
    }
    if (token.rv < store.oldestResumableRv) {
      throw gone(
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.",
      );
    }
    // The stand-in lists the current state after the key, not a snapshot at the token's version.
    items = items.filter((o) => `${o.metadata.namespace ?? ""}/${o.metadata.name}` > token.start);
    listRv = String(token.rv);
  }
  const limit = Number(q.get("limit") ?? 0);
  if (limit > 0 && items.length > limit) {
    const page = items.slice(0, limit);
    const last = page[page.length - 1]!;
    const next = Buffer.from(
      JSON.stringify({ rv: Number(listRv), start: `${last.metadata.namespace ?? ""}/${last.metadata.name}` }),
    ).toString("base64url");
    return listOf(t, page, listRv, next);
  }
  return listOf(t, items, listRv);
}
