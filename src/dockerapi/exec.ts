// exec: created on the container's node (remembered here, so later /exec/{id} calls find
// it), started through the connection takeover (proxy.ts), resized and inspected by proxy.
// An exec id this server did not make is looked up on the caller's nodes and accepted only
// when it runs in one of the caller's containers.
import type { Duplex } from "node:stream";
import type { Call, Handler } from "./context.js";
import { DockerApiError, readJson } from "./http.js";
import { engineCall, proxyStream, proxyUpgrade, sendBuffered } from "./proxy.js";
import { locate } from "./containers.js";
import type { NodeRecord } from "../store/types.js";

export const createExec: Handler = async (c) => {
  const { record, node } = await locate(c);
  const body = await readJson(c.req);
  if (body["Privileged"] === true) {
    const policy = await c.ctx.store.getDockerPoolPolicy(node.pool);
    if (!policy.allowPrivileged)
      throw new DockerApiError(
        403,
        `privileged exec is refused on pool ${node.pool} (an admin can allow it with \`wharf docker policy set ${node.pool} --allow-privileged\`)`,
      );
  }
  const b = await engineCall(
    c.ctx.engines.engine(node.address),
    "POST",
    `${c.version}/containers/${record.containerId}/exec`,
    JSON.stringify(body),
  );
  if (b.status === 201) {
    const id = String((JSON.parse(b.body.toString("utf8")) as { Id?: string }).Id ?? "");
    c.ctx.execs.set(id, { node: node.address, swarmId: record.swarmId });
  }
  sendBuffered(c.res, b);
};

/** The node of an exec of one of the caller's containers, or a 404. */
export async function execNode(c: Omit<Call, "res">, id: string): Promise<NodeRecord> {
  const scope = await c.scope();
  const known = c.ctx.execs.get(id);
  if (known) {
    const rec = scope.containers.find((r) => r.swarmId === known.swarmId);
    const node = scope.nodes.find((n) => n.address === known.node);
    if (rec && node) return node;
  }
  const mine = new Set(scope.containers.map((r) => r.containerId));
  for (const node of scope.nodes.filter((n) => n.health.state !== "unhealthy")) {
    const b = await engineCall(
      c.ctx.engines.engine(node.address),
      "GET",
      `${c.version}/exec/${encodeURIComponent(id)}/json`,
    ).catch(() => null);
    if (b?.status !== 200) continue;
    const cid = String((JSON.parse(b.body.toString("utf8")) as { ContainerID?: string }).ContainerID ?? "");
    if (mine.has(cid)) return node;
  }
  throw new DockerApiError(404, `No such exec instance: ${id}`);
}

export function execProxy(rest: string): Handler {
  return async (c) => {
    const id = c.params[0] ?? "";
    const node = await execNode(c, id);
    await proxyStream(
      c.ctx.engines.engine(node.address),
      c.req,
      c.res,
      `${c.version}/exec/${encodeURIComponent(id)}${rest}${c.query.toString() ? `?${c.query}` : ""}`,
    );
  };
}

/** The connection takeover of /exec/{id}/start and /containers/{id}/attach. */
export async function upgraded(
  c: Omit<Call, "res">,
  client: Duplex,
  head: Buffer,
  kind: "exec" | "attach",
): Promise<() => void> {
  const ref = c.params[0] ?? "";
  const q = c.query.toString() ? `?${c.query}` : "";
  if (kind === "exec") {
    const node = await execNode(c, ref);
    return proxyUpgrade(
      c.ctx.engines.engine(node.address),
      c.req,
      client,
      head,
      `${c.version}/exec/${encodeURIComponent(ref)}/start${q}`,
    );
  }
  const { record, node } = await locate(c);
  return proxyUpgrade(
    c.ctx.engines.engine(node.address),
    c.req,
    client,
    head,
    `${c.version}/containers/${record.containerId}/attach${q}`,
  );
}
