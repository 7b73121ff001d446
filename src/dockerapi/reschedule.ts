// Swarm's watchdog (§5.2): when a node is declared dead, each container on it created with
// reschedule:on-node-failure is created again through the scheduler on another node of its
// pool, with the same config, labels (so the same swarm id and constraints) and name, and
// started if it was running. A hard constraint to the dead node keeps it there. Claiming a
// container is a compare-and-set in the store, so of several servers only one moves it;
// a failure puts the record back as it was, and a claim a crash cut off is taken again by
// the next server start (here, or by the sweep once the node answers again).
import { Scheduler } from "../scheduler/index.js";
import type { DockerContainerRecord } from "../store/types.js";
import type { EndpointCtx } from "./context.js";
import { createOnNode } from "./create.js";
import { extractExpressions } from "./expressions.js";
import { engineCall, engineMessage } from "./proxy.js";
import { endpointView, recordLabels } from "./view.js";

function requestOf(r: DockerContainerRecord) {
  const labels = recordLabels(r);
  const ex = extractExpressions([], labels);
  const exprs = ex.ok ? ex.value.exprs : { constraints: [], affinities: [], whitelists: [] };
  return {
    id: r.swarmId,
    name: r.name,
    image: r.image,
    labels,
    pool: r.pool,
    cpus: r.cpus || undefined,
    memory: r.memory || undefined,
    constraints: exprs.constraints,
    affinities: exprs.affinities,
    whitelists: exprs.whitelists,
    portBindings: r.ports,
    hostNetwork: r.hostNetwork,
    exposedPorts: r.exposedPorts,
  };
}

export async function rescheduleFrom(ctx: EndpointCtx, address: string): Promise<void> {
  const nodes = await ctx.store.listNodes();
  const dead = nodes.find((n) => n.address === address);
  if (!dead || dead.health.state !== "unhealthy") return;
  // A claim from before this server started was cut off by a crash: it is claimed again.
  const records = (await ctx.store.listDockerContainers({ node: address })).filter(
    (r) =>
      r.reschedule &&
      (r.phase === "created" || (r.phase === "rescheduling" && r.updatedAt.getTime() < ctx.startedAt)),
  );
  for (const r of records) {
    const claimed = await ctx.store.updateDockerContainer(
      r.swarmId,
      { phase: "rescheduling" },
      { node: address, phase: r.phase },
    );
    if (!claimed) continue;
    const wasRunning = ctx.states.containers(address)?.get(r.containerId)?.State !== "exited";
    try {
      const state = await endpointView(ctx.store, { teams: [r.team], images: (a) => ctx.states.images(a) });
      const placed = new Scheduler(state, { ha: false }).place(requestOf(r));
      if (!placed.ok) throw new Error(placed.error.message);
      const node = nodes.find((n) => n.address === placed.value.nodeId)!;
      const moved = (await ctx.store.updateDockerContainer(r.swarmId, {
        node: node.address,
        containerId: "",
        phase: "creating",
      }))!;
      let b = await createOnNode(ctx, moved, node, "", []);
      if (b.status === 404) {
        // The engine has not the image: pull it there (from the cluster registry) and retry once.
        const from = encodeURIComponent(r.image);
        await engineCall(
          ctx.engines.engine(node.address),
          "POST",
          `/images/create?fromImage=${from}`,
          undefined,
          {},
          600_000,
        );
        b = await createOnNode(ctx, moved, node, "", []);
      }
      if (!b.id) throw new Error(engineMessage(b as never));
      if (wasRunning) {
        const s = await engineCall(ctx.engines.engine(node.address), "POST", `/containers/${b.id}/start`);
        if (s.status >= 300 && s.status !== 304)
          ctx.log.warn({ container: r.name, error: engineMessage(s) }, "rescheduled container did not start");
        await ctx.states.refreshContainer(node.address, b.id);
      }
      ctx.log.info(
        { container: r.name, team: r.team, from: address, to: node.address },
        "rescheduled a container off a dead node",
      );
    } catch (e) {
      await ctx.store.updateDockerContainer(r.swarmId, {
        node: address,
        containerId: r.containerId,
        phase: "created",
      });
      ctx.log.warn(
        { container: r.name, team: r.team, node: address, error: (e as Error).message },
        "could not reschedule a container off a dead node",
      );
    }
  }
}
