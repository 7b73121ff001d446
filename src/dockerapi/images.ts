// Images across the caller's nodes (§6.1, §6.3): the list merged by image id, pulls fanned
// out to every healthy node of the caller's pools with Swarm's progress lines, removal on
// every node holding the image. An app's image in the cluster registry belongs to the
// app's teams: other callers get "No such image", in lists too.
import type { Call, Handler } from "./context.js";
import { DockerApiError, sendJson } from "./http.js";
import { engineCall, engineMessage, proxyStream } from "./proxy.js";
import { nodeName, type Scope } from "./scope.js";
import type { ImageSummary } from "./node-state.js";

/** The repository of a reference (no tag or digest). */
export function repositoryOf(ref: string): string {
  const at = ref.indexOf("@");
  const noDigest = at < 0 ? ref : ref.slice(0, at);
  const colon = noDigest.lastIndexOf(":");
  return colon > noDigest.lastIndexOf("/") ? noDigest.slice(0, colon) : noDigest;
}

/** Apps whose images the caller may not see, by repository (`<registry>/<app>`). */
async function hiddenRepositories(c: Call, scope: Scope): Promise<Set<string>> {
  if (!c.ctx.registry) return new Set();
  const apps = await c.ctx.store.listApps();
  const mine = new Set(scope.caller.teams);
  return new Set(
    apps.filter((a) => !a.teams.some((t) => mine.has(t))).map((a) => `${c.ctx.registry}/${a.name}`),
  );
}

export async function checkImage(c: Call, scope: Scope, ref: string): Promise<void> {
  if ((await hiddenRepositories(c, scope)).has(repositoryOf(ref)))
    throw new DockerApiError(404, `No such image: ${ref}`);
}

const healthy = (scope: Scope) => scope.nodes.filter((n) => n.health.state !== "unhealthy");

export const list: Handler = async (c) => {
  const scope = await c.scope();
  const hidden = await hiddenRepositories(c, scope);
  const byId = new Map<string, ImageSummary & { RepoTags: string[]; RepoDigests: string[] }>();
  for (const node of healthy(scope))
    for (const img of c.ctx.states.images(node.address)) {
      const tags = (img.RepoTags ?? []).filter((t) => !hidden.has(repositoryOf(t)));
      if ((img.RepoTags ?? []).length && !tags.length) continue;
      const cur = byId.get(img.Id);
      if (!cur) byId.set(img.Id, { ...img, RepoTags: tags, RepoDigests: [...(img.RepoDigests ?? [])] });
      else {
        cur.RepoTags = [...new Set([...cur.RepoTags, ...tags])];
        cur.RepoDigests = [...new Set([...cur.RepoDigests, ...(img.RepoDigests ?? [])])];
      }
    }
  sendJson(
    c.res,
    200,
    [...byId.values()].sort((a, b) => b.Created - a.Created),
  );
};

/** POST /images/create?fromImage=…: a pull on every healthy node, progress lines tagged with the node. */
export const pull: Handler = async (c) => {
  const from = c.query.get("fromImage") ?? "";
  if (!from)
    throw new DockerApiError(
      400,
      "image import (fromSrc) is not supported by Wharf's cluster endpoint: pull from the cluster registry instead",
    );
  const scope = await c.scope();
  const tag = c.query.get("tag") ?? "";
  const ref = tag ? `${from}${tag.startsWith("sha256:") ? "@" : ":"}${tag}` : from;
  await checkImage(c, scope, ref);
  const nodes = healthy(scope);
  if (!nodes.length) throw new DockerApiError(503, "No healthy node available in the cluster");
  c.res.writeHead(200, { "Content-Type": "application/json" });
  c.res.flushHeaders();
  const auth = c.req.headers["x-registry-auth"];
  const errors: string[] = [];
  let ok = 0;
  await Promise.all(
    nodes.map(async (node) => {
      const name = nodeName(node);
      const line = (status: string) =>
        c.res.write(JSON.stringify({ status: `Pulling ${ref}... : ${status}`, id: name }) + "\n");
      line("downloading");
      const b = await engineCall(
        c.ctx.engines.engine(node.address),
        "POST",
        `${c.version}/images/create?${c.query}`,
        undefined,
        typeof auth === "string" ? { "x-registry-auth": auth } : {},
        600_000,
      ).catch((e: unknown) => ({
        status: 502,
        body: Buffer.from(JSON.stringify({ message: (e as Error).message })),
        headers: {},
      }));
      const lines = b.body.toString("utf8").split("\n").filter(Boolean);
      const failed =
        b.status !== 200
          ? engineMessage(b)
          : lines
              .map((l) => {
                try {
                  return (JSON.parse(l) as { error?: string }).error;
                } catch {
                  return undefined;
                }
              })
              .find(Boolean);
      if (failed) {
        errors.push(`${name}: ${failed}`);
        line(`error: ${failed}`);
      } else {
        ok++;
        line("downloaded");
      }
      await c.ctx.states.refreshImages(node.address);
    }),
  );
  if (ok === 0 || errors.length) {
    const message = `pull of ${ref} failed on ${errors.length} of ${nodes.length} nodes: ${errors.join("; ")}`;
    c.res.write(JSON.stringify({ errorDetail: { message }, error: message }) + "\n");
  }
  c.res.end();
};

/** Nodes of the scope holding an image by id, tag or repository. */
function holders(c: Call, scope: Scope, ref: string) {
  const repo = repositoryOf(ref);
  return healthy(scope).filter((n) =>
    c.ctx.states
      .images(n.address)
      .some(
        (i) =>
          i.Id === ref ||
          i.Id === `sha256:${ref}` ||
          i.Id.startsWith(`sha256:${ref}`) ||
          (i.RepoTags ?? []).some(
            (t) =>
              t === ref ||
              t === `${ref}:latest` ||
              (repo === ref && repositoryOf(t) === ref && t.endsWith(":latest")),
          ),
      ),
  );
}

export const remove: Handler = async (c) => {
  const ref = c.params[0] ?? "";
  const scope = await c.scope();
  await checkImage(c, scope, ref);
  const nodes = holders(c, scope, ref);
  if (!nodes.length) throw new DockerApiError(404, `No such image: ${ref}`);
  const q = new URLSearchParams(c.query);
  // Forcing would untag images other teams' containers run: never forwarded.
  q.delete("force");
  const out: unknown[] = [];
  for (const node of nodes) {
    const b = await engineCall(
      c.ctx.engines.engine(node.address),
      "DELETE",
      `${c.version}/images/${encodeURIComponent(ref)}?${q}`,
    );
    if (b.status !== 200) throw new DockerApiError(b.status, `${nodeName(node)}: ${engineMessage(b)}`);
    out.push(...(JSON.parse(b.body.toString("utf8")) as unknown[]));
    await c.ctx.states.refreshImages(node.address);
  }
  sendJson(c.res, 200, out);
};

/** inspect, history: answered by one node holding the image. */
export function fromHolder(rest: string): Handler {
  return async (c) => {
    const ref = c.params[0] ?? "";
    const scope = await c.scope();
    await checkImage(c, scope, ref);
    const node = holders(c, scope, ref)[0];
    if (!node) throw new DockerApiError(404, `No such image: ${ref}`);
    await proxyStream(
      c.ctx.engines.engine(node.address),
      c.req,
      c.res,
      `${c.version}/images/${encodeURIComponent(ref)}${rest}`,
    );
  };
}
