// Keeps every node running exactly the node containers its pool's entries ask for: one
// container per (node, name), recreated when its config or pinned image changes, started
// when stopped, removed when its entry goes (or the node leaves). Each step is idempotent,
// so a crash anywhere is finished by the next pass. Images are pinned to the digest first
// pulled (tsuru's PinnedImage) until an upgrade. Wharf's agent gets a fresh node-scoped
// token whenever its container is (re)created; the container's label carries a fingerprint
// of the token, so a token minted by a pass that died before creating the container is
// noticed and the agent recreated with a working one.
import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type { NodeContainerSpec, NodeRecord, Store } from "../store/types.js";
import type { Engine, NodeEngines } from "../cluster/docker/engine.js";
import { engineStatus, type ContainerCreateOptions, type ContainerSummary } from "../cluster/docker/types.js";
import { BadRequestError } from "../domain/errors.js";
import {
  AGENT_NAME,
  NC_LABELS,
  createBody,
  effectiveSpec,
  runs,
  type NodeFacts,
} from "../nodecontainers/model.js";
import { mintAgentToken } from "../nodecontainers/agents.js";
import type { NodeContainerPort } from "../nodecontainers/service.js";
import { PassLoop } from "../util/pass-loop.js";

export interface NodeContainerReconcilerOptions {
  store: Store;
  engines: NodeEngines;
  log: Logger;
  /** The API address agents report to; "" when the nodes cannot reach the API. */
  apiUrl: () => string;
  agentIntervalMs: number;
  /** The built-in agent image's reference (built and pushed on first use). */
  agentImage: (out: (line: string) => void) => Promise<string>;
  /** Time between passes (each pass also catches containers removed behind Wharf's back). */
  intervalMs?: number;
}

type Entries = Map<string, NodeContainerSpec>;
type Out = (line: string) => void;
const quiet: Out = () => undefined;

interface PassOptions {
  /** Recreate these node containers even when up to date (upgrade), on these pools ("" = all). */
  force?: { name: string; pool: string };
  /** Pull the entries' images again instead of using the pinned digest. */
  repull?: boolean;
  out?: Out;
}

export const fingerprint = (tokenHash: string): string =>
  createHash("sha256").update(tokenHash).digest("hex").slice(0, 12);

export class NodeContainerReconciler implements NodeContainerPort {
  private readonly loop = new PassLoop(
    () => this.pass(),
    () => this.o.intervalMs ?? 10_000,
    (err) => this.o.log.error({ err }, "node container pass failed"),
  );
  /** Nodes this server ran node containers on: cleaned when they leave the store. */
  private readonly managed = new Set<string>();

  constructor(private readonly o: NodeContainerReconcilerOptions) {}

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  kick(): void {
    this.loop.kick();
  }

  /** Resolves when no pass is running (tests). */
  async settle(): Promise<void> {
    await this.loop.idle();
  }

  checkAgentReady(): void {
    if (!this.o.apiUrl())
      throw new BadRequestError(
        "Wharf's agent cannot reach this server: set WHARF_AGENT_API_URL to an address the nodes reach (e.g. http://10.0.0.1:8080), or listen on one (WHARF_HOST).",
      );
  }

  async upgrade(name: string, pool: string, out: Out): Promise<void> {
    // In a pass's place: no pass may run between clearing the pins and the forced pass.
    await this.loop.exclusive(async () => {
      const rows = await this.o.store.listNodeContainers({ name });
      for (const r of rows) {
        if (pool && r.pool !== pool && r.pool !== "") continue;
        if (r.spec.PinnedImage) await this.o.store.setNodeContainer(r.pool, { ...r.spec, PinnedImage: "" });
      }
      out(
        `Upgrading ${name}${pool ? ` on pool ${pool}` : ""}: pulling its image again and recreating its containers.\n`,
      );
      await this.pass({ force: { name, pool }, repull: true, out });
    });
    out(`${name} upgraded.\n`);
  }

  /** One convergence of every healthy node. */
  async pass(p: PassOptions = {}): Promise<void> {
    const store = this.o.store;
    const byName = new Map<string, Entries>();
    for (const r of await store.listNodeContainers()) {
      const m = byName.get(r.name) ?? new Map<string, NodeContainerSpec>();
      m.set(r.pool, r.spec);
      byName.set(r.name, m);
    }
    const nodes = await store.listNodes();
    const present = new Set(nodes.map((n) => n.address));
    for (const gone of [...this.managed].filter((a) => !present.has(a))) {
      this.managed.delete(gone);
      await this.removeAll(gone).catch(() => undefined);
    }
    const pinned = new Map<string, string>();
    await Promise.all(
      nodes
        .filter((n) => n.health.state === "healthy")
        .map((n) =>
          this.node(n, byName, pinned, p).catch((err: unknown) => {
            this.o.log.warn({ err, node: n.address }, "could not converge node containers");
            p.out?.(`${n.address}: ${(err as Error).message}\n`);
          }),
        ),
    );
  }

  private async node(
    n: NodeRecord,
    byName: Map<string, Entries>,
    pinned: Map<string, string>,
    p: PassOptions,
  ): Promise<void> {
    const engine = this.o.engines.engineFor(n.address);
    const out = p.out ?? quiet;
    const existing = await engine.containers.list({ all: true, labels: [NC_LABELS.name] });
    const desired = new Map<string, NodeContainerSpec>();
    for (const [name, entries] of byName) {
      const spec = effectiveSpec(entries, n.pool);
      if (spec && runs(spec)) desired.set(name, spec);
    }
    if (desired.size || existing.length) this.managed.add(n.address);
    for (const c of existing) {
      const name = c.Labels[NC_LABELS.name] ?? "";
      if (desired.has(name)) continue;
      await remove(engine, c.Id);
      if (name === AGENT_NAME) await this.o.store.deleteNodeAgent(n.address);
      out(`${n.address}: removed ${name}\n`);
    }
    const facts: NodeFacts = { address: n.address, pool: n.pool, metadata: n.metadata };
    for (const [name, spec] of desired) {
      const forced = p.force?.name === name && (!p.force.pool || p.force.pool === n.pool);
      await this.one(
        engine,
        facts,
        name,
        spec,
        byName.get(name)!,
        existing.filter((c) => c.Labels[NC_LABELS.name] === name),
        {
          forced,
          repull: Boolean(p.repull && forced),
          pinned,
          out,
        },
      );
    }
  }

  private async one(
    engine: Engine,
    node: NodeFacts,
    name: string,
    spec: NodeContainerSpec,
    entries: Entries,
    current: ContainerSummary[],
    o: { forced: boolean; repull: boolean; pinned: Map<string, string>; out: Out },
  ): Promise<void> {
    const agent = name === AGENT_NAME;
    const apiUrl = this.o.apiUrl();
    if (agent && !apiUrl) {
      this.o.log.warn(
        { node: node.address },
        "wharf-agent not started: no API address the nodes reach (WHARF_AGENT_API_URL)",
      );
      return;
    }
    const image = await this.image(engine, node, name, spec, entries, o);
    const env: Record<string, string> = agent
      ? {
          WHARF_API_URL: apiUrl,
          WHARF_NODE: node.address,
          WHARF_AGENT_INTERVAL_MS: String(this.o.agentIntervalMs),
          WHARF_NODECONTAINER_NAME: name,
        }
      : { WHARF_NODE: node.address };
    const stored = agent ? await this.o.store.findNodeAgent(node.address) : null;
    const fp = stored ? fingerprint(stored.tokenHash) : "";
    const want = createBody(spec, node, image, env, fp);
    const [first, ...dupes] = current;
    for (const d of dupes) await remove(engine, d.Id);
    const upToDate =
      first &&
      !o.forced &&
      first.Labels[NC_LABELS.hash] === want.Labels[NC_LABELS.hash] &&
      (!agent || (fp !== "" && first.Labels[NC_LABELS.token] === fp));
    if (upToDate) {
      if (first.State !== "running") {
        await engine.containers.start(first.Id).catch((err: unknown) => {
          if (engineStatus(err) !== 304) throw err;
        });
        o.out(`${node.address}: started ${name}\n`);
      }
      return;
    }
    if (first) await remove(engine, first.Id);
    let body = want;
    if (agent) {
      // Minted before the container exists, so the agent's first report is accepted.
      const token = await mintAgentToken(this.o.store, node.address, name);
      const hash = (await this.o.store.findNodeAgent(node.address))!.tokenHash;
      body = createBody(spec, node, image, { ...env, WHARF_AGENT_TOKEN: token }, fingerprint(hash));
    }
    const { name: containerName, ...config } = body;
    const options = { name: containerName, ...config } as ContainerCreateOptions;
    let created: string;
    try {
      created = await engine.containers.create(options);
    } catch (err) {
      if (engineStatus(err) !== 409) throw err;
      // A container of that name without our labels (or from a crashed pass): replace it.
      await remove(engine, containerName);
      created = await engine.containers.create(options);
    }
    await engine.containers.start(created);
    o.out(`${node.address}: ${first ? "recreated" : "started"} ${name} (${image})\n`);
    this.o.log.info(
      { node: node.address, nodeContainer: name, image },
      first ? "node container recreated" : "node container started",
    );
  }

  /**
   * The image a node runs for the entry: its pinned digest, or (first time, or upgrade) the
   * configured image pulled now and pinned on the entry that names it.
   */
  private async image(
    engine: Engine,
    node: NodeFacts,
    name: string,
    spec: NodeContainerSpec,
    entries: Entries,
    o: { repull: boolean; pinned: Map<string, string>; out: Out },
  ): Promise<string> {
    const owner = entries.get(node.pool)?.Config.Image || !entries.has("") ? node.pool : "";
    const key = `${name}/${owner}`;
    // Pinned by this pass on another node, or pinned before (unless upgrading).
    const pin = o.pinned.get(key) ?? (o.repull ? "" : spec.PinnedImage);
    if (pin) {
      await ensureImage(engine, pin, node.address, o.out);
      return pin;
    }
    const ref = spec.Config.Image || (name === AGENT_NAME ? await this.o.agentImage(o.out) : "");
    if (!ref) throw new Error(`node container ${name} has no image`);
    if (o.repull || !(await engine.images.exists(ref))) {
      o.out(`${node.address}: pulling ${ref}\n`);
      await pull(engine, ref);
    }
    const digest = pickDigest(ref, (await engine.images.inspect(ref)).RepoDigests ?? []);
    if (!digest) return ref;
    o.pinned.set(key, digest);
    const entry = entries.get(owner);
    if (entry && entry.PinnedImage !== digest) {
      entry.PinnedImage = digest;
      await this.o.store.setNodeContainer(owner, entry);
    }
    return digest;
  }

  private async removeAll(address: string): Promise<void> {
    const engine = this.o.engines.engineFor(address);
    const cs = await engine.containers.list({ all: true, labels: [NC_LABELS.name] });
    for (const c of cs) await remove(engine, c.Id);
  }
}

async function remove(engine: Engine, id: string): Promise<void> {
  try {
    await engine.containers.remove(id, { force: true });
  } catch (err) {
    const code = engineStatus(err);
    if (code !== 404 && code !== 409) throw err;
  }
}

async function ensureImage(engine: Engine, ref: string, node: string, out: Out): Promise<void> {
  if (await engine.images.exists(ref)) return;
  out(`${node}: pulling ${ref}\n`);
  await pull(engine, ref);
}

async function pull(engine: Engine, ref: string): Promise<void> {
  try {
    await engine.images.pull(ref);
  } catch (err) {
    throw new Error(`pulling ${ref} failed: ${(err as Error).message}`);
  }
}

/** The repo@sha256 digest of `ref` among an image's RepoDigests. */
export function pickDigest(ref: string, digests: readonly string[]): string | null {
  const repo = ref.split("@")[0]!.replace(/:[^/:]+$/, "");
  return digests.find((d) => d.startsWith(`${repo}@`)) ?? null;
}
