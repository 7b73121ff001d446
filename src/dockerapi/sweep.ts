// Keeps the store and the nodes in step after each full listing of a node: a create a crash
// interrupted is adopted (its container exists) or dropped; a container whose record is gone
// (removed while its node was down) or lives elsewhere now (rescheduled) is removed, as
// Swarm removed duplicates when an engine came back; a record whose container vanished from
// a live node is dropped, so it stops holding capacity (at once when the node reports its
// destruction, dropDestroyed).
import type { Logger } from "pino";
import type { Store } from "../store/types.js";
import type { Engines } from "./engines.js";
import { SWARM_LABELS } from "./expressions.js";
import type { Summary } from "./node-state.js";

/** A create still "creating" after this long (or from before this server started) was interrupted. */
const CREATE_GRACE_MS = 5 * 60_000;

export async function sweepNode(
  store: Store,
  engines: Engines,
  log: Logger,
  address: string,
  containers: readonly Summary[],
  listedAt: number,
  serverStartedAt: number,
): Promise<void> {
  const records = await store.listDockerContainers({ node: address });
  const bySid = new Map(containers.map((c) => [c.Labels?.[SWARM_LABELS.id] ?? "", c]));
  for (const r of records) {
    const c = bySid.get(r.swarmId);
    if (r.phase === "creating") {
      const stale =
        r.updatedAt.getTime() < serverStartedAt || Date.now() - r.updatedAt.getTime() > CREATE_GRACE_MS;
      if (!stale) continue;
      if (c)
        await store.updateDockerContainer(
          r.swarmId,
          { containerId: c.Id, phase: "created" },
          { phase: "creating" },
        );
      else await store.deleteDockerContainer(r.swarmId);
      log.warn(
        { container: r.name, team: r.team, adopted: Boolean(c) },
        "settled a container create a crash interrupted",
      );
    } else if (r.phase === "rescheduling" && r.updatedAt.getTime() < serverStartedAt) {
      // Claimed for a move by a server that died before moving it: the node answers again, it stays.
      await store.updateDockerContainer(r.swarmId, { phase: "created" }, { phase: "rescheduling" });
    } else if (r.phase === "created" && !c && r.updatedAt.getTime() < listedAt) {
      await store.deleteDockerContainer(r.swarmId);
      log.info(
        { container: r.name, team: r.team, node: address },
        "dropped the record of a container gone from its node",
      );
    }
  }
  const here = new Set(records.map((r) => r.swarmId));
  for (const c of containers) {
    const sid = c.Labels?.[SWARM_LABELS.id] ?? "";
    if (here.has(sid)) continue;
    const r = sid ? await store.findDockerContainer(sid) : null;
    if (r && r.node === address) continue;
    await engines
      .engine(address)
      .engine.containers.remove(c.Id, { force: true })
      .catch((e: unknown) =>
        log.warn({ err: e, node: address }, "could not remove a leftover endpoint container"),
      );
    log.info(
      { node: address, swarmId: sid, elsewhere: r?.node ?? null },
      "removed a leftover endpoint container",
    );
  }
}

/**
 * A container destroyed on its node (`docker run --rm`, or removed there) releases its record
 * at once, so its name, capacity and quota are free again; only the record of that very
 * container on that node (a rescheduled one lives elsewhere now).
 */
export async function dropDestroyed(
  store: Store,
  address: string,
  id: string,
  swarmId: string,
): Promise<void> {
  if (!swarmId) return;
  const r = await store.findDockerContainer(swarmId);
  if (r && r.node === address && r.containerId === id && r.phase === "created")
    await store.deleteDockerContainer(swarmId);
}
