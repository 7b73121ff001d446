// Nodes through tsuru's node routes: add (register an existing engine; Wharf has no IaaS),
// update (metadata, pool, enable/disable), remove, list and info. Pool context permissions:
// node.create/read/update/delete on the node's pool.
import type { NodeHealthRecord, NodeRecord, Store, UnitRecord } from "../../store/types.js";
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ServiceUnavailableError,
} from "../errors.js";
import { unitView } from "../units.js";
import { mergeNodeMetadata, nodeStatus, validateNodeMetadata } from "../nodes.js";
import { poolContext } from "../permissions.js";
import type { Ctx } from "./context.js";
import { withEvent } from "./events.js";
import type { NodeConnector } from "./node-port.js";
import { checkNodeTls } from "../node-tls.js";
import { sealSecret, unsealSecret } from "./sealing.js";
import { authorize, can, isGlobal, type Principal } from "./principal.js";

export interface AddNodeForm {
  /** Metadata.* fields: pool (required), address (with register), and user metadata. */
  metadata: Record<string, string>;
  address: string;
  register: boolean;
  insecure: boolean;
  caCert: string;
  clientCert: string;
  clientKey: string;
}

export interface UpdateNodeForm {
  address: string;
  metadata: Record<string, string>;
  pool: string;
  disable: boolean;
  enable: boolean;
}

/** A node as tsuru's node list shows it, plus Wharf's specs and health. */
export interface NodeView {
  Address: string;
  IaaSID: string;
  Metadata: Record<string, string>;
  Status: string;
  Pool: string;
  Provisioner: string;
  Disabled: boolean;
  Name: string;
  Cpus: number;
  Memory: number;
  Labels: Record<string, string>;
  Health: {
    State: string;
    Failures: number;
    LastSuccess: string;
    LastError: string;
    LastErrorAt: string;
    Since: string;
  };
}

const iso = (d: Date | null | undefined): string => (d ? d.toISOString() : "");
/** Times tsuru's client decodes as time.Time: never "", the zero time when never set. */
const ZERO_TIME = "0001-01-01T00:00:00Z";
const time = (d: Date | null | undefined): string => (d ? d.toISOString() : ZERO_TIME);
const ev = (ctx: Ctx) => ({ instanceId: ctx.settings.instanceId });

function liveHealth(nodes: NodeConnector, n: NodeRecord): NodeHealthRecord {
  return nodes.health(n.address) ?? n.health;
}

export function nodeView(nodes: NodeConnector, n: NodeRecord): NodeView {
  const h = liveHealth(nodes, n);
  const runtime: Record<string, string> = {};
  if (h.lastSuccess) runtime.LastSuccess = iso(h.lastSuccess);
  if (h.failures > 0) runtime.Failures = String(h.failures);
  if (h.lastError) runtime.LastError = h.lastError;
  return {
    Address: n.address,
    IaaSID: "",
    Metadata: { ...n.metadata, pool: n.pool, ...runtime },
    Status: nodeStatus(n, h),
    Pool: n.pool,
    Provisioner: "docker",
    Disabled: n.disabled,
    Name: n.engineName,
    Cpus: n.cpus,
    Memory: n.memory,
    Labels: n.labels,
    Health: {
      State: h.state,
      Failures: h.failures,
      LastSuccess: iso(h.lastSuccess),
      LastError: h.lastError,
      LastErrorAt: iso(h.lastErrorAt),
      Since: iso(h.since),
    },
  };
}

/** Finds a node by the address as stored, or as the user wrote it (10.0.0.1:2376, tcp://...). */
async function findNode(ctx: Ctx, nodes: NodeConnector, given: string): Promise<NodeRecord | null> {
  // In a path (/node/https://host:2376) proxies and URL normalisers often merge the "//".
  const raw = given.replace(/^(https?|tcp):\/+(?=[^/])/i, "$1://");
  const exact = await ctx.store.findNode(raw);
  if (exact) return exact;
  for (const insecure of [false, true]) {
    let canonical: string;
    try {
      canonical = nodes.canonicalAddress(raw, insecure);
    } catch {
      continue;
    }
    const n = await ctx.store.findNode(canonical);
    if (n) return n;
  }
  return null;
}

async function requirePool(ctx: Ctx, pool: string): Promise<void> {
  if (!(await ctx.store.findPool(pool))) {
    throw new BadRequestError(
      `Pool "${pool}" does not exist: create it first with \`wharf pool add ${pool}\`.`,
    );
  }
}

export async function addNode(
  ctx: Ctx,
  nodes: NodeConnector,
  p: Principal,
  f: AddNodeForm,
  out: (line: string) => void,
): Promise<void> {
  const { pool = "", address: metaAddress = "", ...userMetadata } = f.metadata;
  if (!pool)
    throw new BadRequestError("pool is required: pass Metadata.pool=<pool> (wharf node add ... pool=NAME).");
  authorize(p, "node.create", poolContext(pool));
  const raw = metaAddress || f.address;
  if (!raw) {
    throw new BadRequestError(
      "Wharf creates no machines (there is no IaaS): register a running engine with --register address=https://HOST:2376.",
    );
  }
  validateNodeMetadata(userMetadata);
  // tsuru's client says "plain TCP, no TLS" with an http:// address; Wharf's CLI also sends Insecure.
  const plain = f.insecure || /^http:\/\//i.test(raw.trim());
  const own = checkNodeTls(f);
  const hasOwn = Object.keys(own).length > 0;
  if (plain && hasOwn)
    throw new BadRequestError(
      "An http:// node takes no certificates: give its address as https://HOST:2376 with --cacert, --clientcert and --clientkey.",
    );
  const missing = hasOwn ? (nodes.missingTls?.(own) ?? []) : [];
  if (missing.length)
    throw new BadRequestError(
      `This node needs ${missing.join(", ")} too: this server has no cluster certificate (WHARF_NODE_TLS_DIR) to use instead.`,
    );
  await requirePool(ctx, pool);
  const address = nodes.canonicalAddress(raw, plain, hasOwn);
  if (await ctx.store.findNode(address)) throw new ConflictError(`Node ${address} is already registered.`);

  // Probe before anything is streamed, so an unreachable or untrusted engine is a plain 400.
  const specs = await nodes.probe(address, hasOwn ? own : undefined);
  await withEvent(
    ctx.store,
    p,
    {
      kind: "node.create",
      target: { type: "node", value: address },
      lock: true,
      data: { pool, metadata: userMetadata },
    },
    ev(ctx),
    async (e) => {
      const say = async (line: string) => {
        out(line);
        await e.log(line);
      };
      for (const w of specs.warnings) await say(`warning: ${w}`);
      await ctx.store.tx(async (t) => {
        await t.createNode({
          address,
          pool,
          metadata: userMetadata,
          engineId: specs.engineId,
          engineName: specs.name,
          labels: specs.labels,
          cpus: specs.cpus,
          memory: specs.memory,
          disabled: false,
        });
        if (hasOwn)
          await t.setNodeTls({
            address,
            caCert: own.ca ?? "",
            clientCert: own.cert ?? "",
            clientKeySealed: sealSecret(ctx, own.key ?? ""),
          });
      });
      if (hasOwn) nodes.useNodeTls?.(address, own);
      const gib = (specs.memory / 2 ** 30).toFixed(1);
      await say(
        `Node ${address} (${specs.name}: ${specs.cpus} CPUs, ${gib} GiB) registered in pool ${pool}.`,
      );
    },
  );
  nodes.watch(address);
}

export async function updateNode(
  ctx: Ctx,
  nodes: NodeConnector,
  p: Principal,
  f: UpdateNodeForm,
): Promise<void> {
  if (f.disable && f.enable)
    throw new BadRequestError("A node can't be enabled and disabled simultaneously.");
  if (!f.address) throw new BadRequestError("Address is required: name the node to update.");
  const node = await findNode(ctx, nodes, f.address);
  if (!node) throw new NotFoundError(`Node ${f.address} not found.`);
  authorize(p, "node.update", poolContext(node.pool));
  const newPool = f.metadata.pool || f.pool || node.pool;
  if (newPool !== node.pool) {
    authorize(p, "node.update", poolContext(newPool));
    await requirePool(ctx, newPool);
  }
  const metadata = mergeNodeMetadata(node.metadata, f.metadata);
  validateNodeMetadata(metadata);
  await withEvent(
    ctx.store,
    p,
    {
      kind: "node.update",
      target: { type: "node", value: node.address },
      lock: true,
      data: { pool: newPool, metadata, disable: f.disable, enable: f.enable },
    },
    ev(ctx),
    async () => {
      await ctx.store.updateNode(node.address, {
        pool: newPool,
        metadata,
        ...(f.disable ? { disabled: true } : f.enable ? { disabled: false } : {}),
      });
    },
  );
  // A disabled node takes no new units, and the healer moves its units away (drain).
  if (f.disable || f.enable) ctx.runtime?.nodesChanged?.();
}

/** Unit states a node removal must move or leave behind (removing ones are on their way out). */
const LIVE_UNITS: UnitRecord["status"][] = ["created", "starting", "started"];

/**
 * tsuru's node-remove: with rebalance (the default) the node is disabled and its units move
 * to the pool's other nodes (each started and routed before the old one drains) before it
 * is unregistered; a dry run first refuses, changing nothing, when they have no room.
 * With no-rebalance the node is unregistered at once and its units stay where they are,
 * still serving, as tsuru leaves them: Wharf no longer watches that engine, and the app's
 * next deploy or restart replaces them.
 */
export async function removeNode(
  ctx: Ctx,
  nodes: NodeConnector,
  p: Principal,
  raw: string,
  opts: { noRebalance: boolean },
  out: (line: string) => void = () => undefined,
): Promise<void> {
  const node = await findNode(ctx, nodes, raw);
  if (!node) throw new NotFoundError(`Node ${raw} not found.`);
  authorize(p, "node.delete", poolContext(node.pool));
  const units = await ctx.store.listUnits({ node: node.address, status: LIVE_UNITS });
  const runtime = ctx.runtime;
  const move = !opts.noRebalance && units.length > 0;
  if (move) {
    if (!runtime)
      throw new ServiceUnavailableError(
        "This server runs no cluster side, so it cannot move units: remove the node with --no-rebalance.",
      );
    await runtime.checkDrain(node.address);
  }
  await withEvent(
    ctx.store,
    p,
    { kind: "node.delete", target: { type: "node", value: node.address }, lock: true, data: opts },
    ev(ctx),
    async (e) => {
      const say = async (line: string) => {
        out(`${line}\n`);
        await e.log(line);
      };
      if (!opts.noRebalance && runtime) {
        // Disabled first, so nothing new lands on it while it empties.
        if (!node.disabled) await ctx.store.updateNode(node.address, { disabled: true });
        if (move)
          await say(
            `Node ${node.address} disabled; moving its ${units.length} unit(s) to other nodes of pool ${node.pool}.`,
          );
        await runtime.drainNode(node.address, (line) => void say(line.trimEnd()).catch(() => undefined));
        if (!move) await say("No units on this node to move.");
      } else if (units.length) {
        await say(
          `${units.length} unit(s) stay on ${node.address} (no-rebalance): they keep running and serving, but ` +
            "Wharf no longer watches that engine; the app's next deploy or restart replaces them.",
        );
      } else if (!opts.noRebalance) await say("No units on this node to move.");
      await ctx.store.deleteNode(node.address);
      await say(`Node ${node.address} removed.`);
    },
  );
  nodes.unwatch(node.address);
}

/** Nodes whose pool the principal may read nodes in; admins see all. */
export async function listNodes(ctx: Ctx, nodes: NodeConnector, p: Principal): Promise<NodeView[]> {
  const all = await ctx.store.listNodes();
  const visible = isGlobal(p, "node.read")
    ? all
    : all.filter((n) => can(p, "node.read", poolContext(n.pool)));
  return visible.map((n) => nodeView(nodes, n));
}

export async function nodeInfo(ctx: Ctx, nodes: NodeConnector, p: Principal, raw: string) {
  const node = await findNode(ctx, nodes, raw);
  if (!node) throw new NotFoundError(`Node ${raw} not found.`);
  if (!can(p, "node.read", poolContext(node.pool))) throw new ForbiddenError();
  const view = nodeView(nodes, node);
  const h = liveHealth(nodes, node);
  const checkedAt =
    h.lastErrorAt && (!h.lastSuccess || h.lastErrorAt > h.lastSuccess) ? h.lastErrorAt : h.lastSuccess;
  // The node agent's last report, when the node runs one (tsuru's bs checks).
  const agent = await ctx.store.findNodeAgent(node.address);
  const report = (agent?.report ?? {}) as { checks?: unknown[]; units?: unknown[] };
  const units = await ctx.store.listUnits({ node: node.address });
  // The units' apps, read once: their platforms (unit views) and plans (reservations).
  const apps = new Map<string, { platform: string; plan: string }>();
  for (const name of new Set(units.map((u) => u.app))) {
    const a = await ctx.store.findApp(name);
    apps.set(name, { platform: a?.platform ?? "", plan: a?.plan ?? "" });
  }
  const agentChecks =
    agent?.lastReportAt && Array.isArray(report.checks)
      ? [{ Time: time(agent.lastReportAt), Checks: report.checks }]
      : [];
  return {
    node: view,
    status: {
      Address: node.address,
      Checks: (checkedAt
        ? [
            {
              Time: time(checkedAt),
              Checks: [
                {
                  Name: "docker",
                  Err: h.state === "unhealthy" ? h.lastError : "",
                  Successful: h.state === "healthy",
                },
              ],
            },
          ]
        : []
      ).concat(agentChecks as never[]),
      LastSuccess: time(h.lastSuccess),
      LastUpdate: time(
        agent?.lastReportAt && (!checkedAt || agent.lastReportAt > checkedAt)
          ? agent.lastReportAt
          : checkedAt,
      ),
    },
    units: units.map((u) => unitView(u, apps.get(u.app)?.platform ?? "")),
    // Wharf: what the node's units reserve by their apps' plans (stopped units keep theirs).
    reserved: await reservations(ctx, units, apps),
    agent: agent
      ? {
          Container: agent.container,
          LastReport: iso(agent.lastReportAt),
          Units: Array.isArray(report.units) ? report.units.length : 0,
          Checks: agentChecks[0]?.Checks ?? [],
        }
      : null,
  };
}

/** Memory (bytes) and CPU shares the units reserve by their apps' plans. */
async function reservations(ctx: Ctx, units: UnitRecord[], apps: Map<string, { plan: string }>) {
  const plans = new Map((await ctx.store.listPlans()).map((p) => [p.name, p]));
  let memory = 0;
  let cpushare = 0;
  for (const u of units) {
    const plan = plans.get(apps.get(u.app)?.plan ?? "");
    memory += plan?.memory ?? 0;
    cpushare += plan?.cpuShare ?? 0;
  }
  return { units: units.length, memory, cpushare };
}

/** Records a health change seen by the monitor: the node's stored health and an event. */
export async function recordNodeHealth(
  store: Store,
  instanceId: string,
  address: string,
  health: NodeHealthRecord,
  change?: { from: string; to: string; error?: string },
): Promise<void> {
  await store.setNodeHealth(address, health);
  if (!change) return;
  const e = await store.createEvent({
    kind: { type: "internal", name: "node.health" },
    target: { type: "node", value: address },
    owner: { type: "internal", name: "node-monitor" },
    lock: false,
    startCustomData: { from: change.from, to: change.to },
    instanceId,
  });
  await store.appendEventLog(e.id, `node ${address}: ${change.from} -> ${change.to}\n`);
  await store.finishEvent(
    e.id,
    change.to === "unhealthy" ? { error: change.error ?? "node stopped answering" } : {},
  );
}

/** Hands each node's own TLS material (kept sealed in the store) to the connector, at start. */
export async function loadNodeTls(ctx: Ctx, nodes: NodeConnector): Promise<void> {
  if (!nodes.useNodeTls) return;
  for (const t of await ctx.store.listNodeTls())
    nodes.useNodeTls(t.address, {
      ...(t.caCert ? { ca: t.caCert } : {}),
      ...(t.clientCert ? { cert: t.clientCert, key: unsealSecret(ctx, t.clientKeySealed) } : {}),
    });
}
