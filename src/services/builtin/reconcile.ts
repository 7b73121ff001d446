// Converges built-in service instances to the store, at server start and then periodically:
//  - a provision that died with a server ("creating", no job running) is resumed;
//  - a removal that died ("removing") is finished, and the instance record it was removing goes;
//  - a running instance whose container is missing is recreated (same volume, same port), and
//    one that stopped is started again;
//  - a row whose instance record is gone (a remove that ignored errors) is removed, volume kept;
//  - an instance record still "provisioning" with no row (the server died before placing it)
//    is marked failed, so nothing stays pending;
//  - containers with Wharf's service labels that no row claims are removed (volumes are kept).
import type { ServiceContainerRecord } from "../../store/types.js";
import { BUILTIN_KINDS } from "./catalog.js";
import {
  ensureContainer,
  ensureVolume,
  inspectContainer,
  listInstanceContainers,
  removeContainer,
} from "./engine.js";
import { ensureServiceImage } from "./images.js";
import { kindOf, type BuiltinRuntime } from "./runtime.js";

export interface BuiltinReconcileReport {
  resumed: number;
  removed: number;
  restarted: number;
  failed: number;
  orphans: number;
  errors: string[];
}

function runningEvents(rt: BuiltinRuntime, c: ServiceContainerRecord) {
  return rt.deps.store.listEvents({
    running: true,
    targetType: "service-instance",
    targetValue: `${c.service}/${c.instance}`,
  });
}

/** Another server (PostgreSQL setups) is working on the instance right now. */
async function busyElsewhere(rt: BuiltinRuntime, c: ServiceContainerRecord): Promise<boolean> {
  return (await runningEvents(rt, c)).some((e) => e.instanceId !== rt.deps.instanceId);
}

async function busy(rt: BuiltinRuntime, c: ServiceContainerRecord): Promise<boolean> {
  return (await runningEvents(rt, c)).length > 0;
}

async function heal(rt: BuiltinRuntime, c: ServiceContainerRecord, r: BuiltinReconcileReport): Promise<void> {
  const at = await rt.engineOf(c);
  if (!at) return;
  const st = await inspectContainer(at.engine, c.volume);
  if (st && (st.running || st.restarting)) return;
  const image =
    st?.image ?? (await ensureServiceImage(at.engine, c.node, kindOf(c), rt.deps.settings.image, () => {}));
  await ensureVolume(at.engine, rt.spec(c, image));
  await ensureContainer(at.engine, rt.spec(c, image));
  r.restarted++;
  const store = rt.deps.store;
  const ev = await store.createEvent({
    kind: { type: "internal", name: "service-instance.heal" },
    target: { type: "service-instance", value: `${c.service}/${c.instance}` },
    owner: { type: "internal", name: "services" },
    lock: false,
    startCustomData: { node: c.node, port: c.hostPort },
    instanceId: rt.deps.instanceId,
  });
  await store.appendEventLog(
    ev.id,
    st
      ? `the container had stopped (exit code ${st.exitCode}): started it again\n`
      : "the container was missing: created it again on the instance's volume\n",
  );
  await store.finishEvent(ev.id, {});
}

export async function reconcileBuiltin(rt: BuiltinRuntime, full: boolean): Promise<BuiltinReconcileReport> {
  const store = rt.deps.store;
  const r: BuiltinReconcileReport = {
    resumed: 0,
    removed: 0,
    restarted: 0,
    failed: 0,
    orphans: 0,
    errors: [],
  };
  // Instances before rows: a row is written after its instance record, so every row listed
  // below whose record is missing really has lost it.
  const instances = (await store.listServiceInstances()).filter((i) =>
    (BUILTIN_KINDS as readonly string[]).includes(i.service),
  );
  const rows = await store.listServiceContainers();
  const byUuid = new Map(instances.map((i) => [i.uuid, i]));
  const rowUuids = new Set(rows.map((c) => c.uuid));
  for (const c of rows) {
    if (rt.running(c.uuid)) continue;
    try {
      const inst = byUuid.get(c.uuid);
      // (A row younger than a minute may belong to a create still under way.)
      if (c.phase !== "removing" && !inst && c.createdAt.getTime() < Date.now() - 60_000) {
        // Nothing asks for it any more; a fresh instance's empty volume may go as well.
        c.purge = c.purge || c.phase === "creating";
        await store.updateServiceContainer(c.uuid, { phase: "removing", purge: c.purge });
        c.phase = "removing";
      }
      if (c.phase === "creating" && inst) {
        if (await busyElsewhere(rt, c)) continue;
        rt.startProvision(c);
        r.resumed++;
      } else if (c.phase === "removing") {
        if (await rt.finishRemoval(c)) {
          r.removed++;
          const left = byUuid.get(c.uuid);
          const bound = left
            ? await store.listServiceBindings({ service: left.service, instance: left.name })
            : [];
          // A remove still running (this server's or another's) deletes the record itself.
          if (left && bound.length === 0 && !(await busy(rt, c)))
            await store.deleteServiceInstance(left.service, left.name).catch(() => undefined);
        }
      } else if (c.phase === "running") await heal(rt, c, r);
    } catch (e) {
      r.errors.push(`instance ${c.service}/${c.instance}: ${(e as Error).message}`);
    }
  }
  for (const i of instances)
    if (i.state === "provisioning" && !rowUuids.has(i.uuid)) {
      await store
        .updateServiceInstance(i.service, i.name, {
          state: "failed",
          message:
            "the server stopped before the instance was placed on a node: remove it and create it again",
        })
        .catch(() => undefined);
      r.failed++;
    }
  if (full) await sweepOrphans(rt, rows, r);
  return r;
}

/** Labelled containers without a row, and failed instances' leftovers, on reachable nodes. */
async function sweepOrphans(rt: BuiltinRuntime, rows: ServiceContainerRecord[], r: BuiltinReconcileReport) {
  const keep = new Set(rows.filter((c) => c.phase !== "failed").map((c) => c.uuid));
  for (const n of await rt.deps.store.listNodes()) {
    if (n.health.state === "unhealthy") continue;
    try {
      const engine = rt.deps.engines.engineFor(n.address);
      for (const c of await listInstanceContainers(engine)) {
        if (keep.has(c.uuid) || rt.running(c.uuid)) continue;
        await removeContainer(engine, c.id);
        r.orphans++;
      }
    } catch (e) {
      r.errors.push(`node ${n.address}: ${(e as Error).message}`);
    }
  }
}
