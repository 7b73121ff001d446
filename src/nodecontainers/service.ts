// tsuru's node container operations (reference §4.11): add, update, list, info, remove and
// upgrade, each authorized on the entry's pool (the default entry "" needs a global grant)
// and recorded as an event. The running side (src/reconcile/node-containers.ts) converges
// the nodes after each change; upgrade waits for it and streams its progress.
import type { NodeContainerSpec } from "../store/types.js";
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from "../domain/errors.js";
import type { Ctx } from "../domain/services/context.js";
import { withEvent } from "../domain/services/events.js";
import { poolContext, type PermissionContext } from "../domain/permissions.js";
import { authorize, can, isGlobal, type Principal } from "../domain/services/principal.js";
import { AGENT_NAME, defaultAgentSpec, mergeSpec, validateName, validateSpec } from "./model.js";

/** What the service needs from the running side. */
export interface NodeContainerPort {
  /** Converge soon (in the background). */
  kick(): void;
  /** Pull the entry's image again, pin the new digest and recreate its containers. */
  upgrade(name: string, pool: string, out: (line: string) => void): Promise<void>;
  /** Throws a BadRequestError when Wharf's agent could not reach the API from the nodes. */
  checkAgentReady(): void;
}

export interface NodeContainerForm {
  name: string;
  pool: string;
  spec: NodeContainerSpec;
  /** --enable / --disable; null when neither was given. */
  disabled: boolean | null;
}

const contexts = (pool: string): PermissionContext[] => (pool ? poolContext(pool) : []);
const ev = (ctx: Ctx) => ({ instanceId: ctx.settings.instanceId });
const target = (name: string) => ({ type: "node-container", value: name });

async function requirePool(ctx: Ctx, pool: string): Promise<void> {
  if (pool && !(await ctx.store.findPool(pool)))
    throw new NotFoundError(`Pool "${pool}" not found: create it first (wharf pool add ${pool}).`);
}

/** Entries the principal may read, by pool; the default entry only with a global grant. */
function readable(p: Principal, pool: string): boolean {
  return pool ? can(p, "nodecontainer.read", poolContext(pool)) : isGlobal(p, "nodecontainer.read");
}

export async function listNodeContainers(
  ctx: Ctx,
  p: Principal,
): Promise<Array<{ Name: string; ConfigPools: Record<string, NodeContainerSpec> }>> {
  const byName = new Map<string, Record<string, NodeContainerSpec>>();
  for (const r of await ctx.store.listNodeContainers()) {
    if (!readable(p, r.pool)) continue;
    byName.set(r.name, { ...byName.get(r.name), [r.pool]: r.spec });
  }
  return [...byName].map(([Name, ConfigPools]) => ({ Name, ConfigPools }));
}

export async function nodeContainerInfo(
  ctx: Ctx,
  p: Principal,
  name: string,
): Promise<Record<string, NodeContainerSpec>> {
  const rows = await ctx.store.listNodeContainers({ name });
  if (rows.length === 0) throw new NotFoundError(`Node container "${name.slice(0, 50)}" not found.`);
  const visible = rows.filter((r) => readable(p, r.pool));
  if (visible.length === 0) throw new ForbiddenError();
  return Object.fromEntries(visible.map((r) => [r.pool, r.spec]));
}

export async function addNodeContainer(
  ctx: Ctx,
  port: NodeContainerPort,
  p: Principal,
  f: NodeContainerForm,
): Promise<void> {
  validateName(f.name);
  authorize(p, "nodecontainer.create", contexts(f.pool));
  await requirePool(ctx, f.pool);
  const existing = await ctx.store.listNodeContainers({ name: f.name });
  if (existing.some((r) => r.pool === f.pool))
    throw new ConflictError(
      `Node container "${f.name}" already has ${f.pool ? `an entry for pool ${f.pool}` : "a default entry"}: change it with \`wharf node container update\`.`,
    );
  let spec: NodeContainerSpec = { ...f.spec, Name: f.name, Disabled: f.disabled };
  if (f.name === AGENT_NAME) {
    port.checkAgentReady();
    // The agent's socket bind and restart policy unless the form sets its own.
    if (f.pool === "" || !existing.some((r) => r.pool === "")) spec = mergeSpec(defaultAgentSpec(), spec);
  } else if (!spec.Config.Image && !existing.some((r) => r.pool === "" && r.spec.Config.Image)) {
    throw new BadRequestError(`Node container "${f.name}" needs an image: pass -i IMAGE (config.image).`);
  }
  validateSpec(spec);
  await withEvent(
    ctx.store,
    p,
    { kind: "nodecontainer.create", target: target(f.name), data: { pool: f.pool } },
    ev(ctx),
    () => ctx.store.setNodeContainer(f.pool, spec),
  );
  port.kick();
}

export async function updateNodeContainer(
  ctx: Ctx,
  port: NodeContainerPort,
  p: Principal,
  f: NodeContainerForm,
): Promise<void> {
  validateName(f.name);
  const existing = await ctx.store.listNodeContainers({ name: f.name });
  if (existing.length === 0)
    throw new NotFoundError(`Node container "${f.name.slice(0, 50)}" not found: add it first.`);
  authorize(p, "nodecontainer.update", contexts(f.pool));
  await requirePool(ctx, f.pool);
  const current = existing.find((r) => r.pool === f.pool)?.spec ?? {
    ...f.spec,
    Config: {},
    HostConfig: {},
    PinnedImage: "",
    Disabled: null,
  };
  const merged = mergeSpec(current, { ...f.spec, Name: f.name, PinnedImage: "", Disabled: f.disabled });
  // A new image (or config) is pinned again on the next pull.
  if (f.spec.Config.Image && f.spec.Config.Image !== current.Config.Image) merged.PinnedImage = "";
  validateSpec(merged);
  await withEvent(
    ctx.store,
    p,
    { kind: "nodecontainer.update", target: target(f.name), data: { pool: f.pool } },
    ev(ctx),
    () => ctx.store.setNodeContainer(f.pool, merged),
  );
  port.kick();
}

export async function removeNodeContainer(
  ctx: Ctx,
  port: NodeContainerPort,
  p: Principal,
  name: string,
  pool: string,
): Promise<void> {
  const existing = await ctx.store.listNodeContainers({ name });
  const doomed = pool ? existing.filter((r) => r.pool === pool) : existing;
  if (doomed.length === 0)
    throw new NotFoundError(
      `Node container "${name.slice(0, 50)}" has no ${pool ? `entry for pool ${pool}` : "entries"}.`,
    );
  for (const r of doomed) authorize(p, "nodecontainer.delete", contexts(r.pool));
  await withEvent(
    ctx.store,
    p,
    { kind: "nodecontainer.delete", target: target(name), data: { pool } },
    ev(ctx),
    async () => {
      if (pool) await ctx.store.deleteNodeContainer(name, pool);
      else await ctx.store.deleteNodeContainer(name);
    },
  );
  port.kick();
}

export async function upgradeNodeContainer(
  ctx: Ctx,
  port: NodeContainerPort,
  p: Principal,
  name: string,
  pool: string,
  out: (line: string) => void,
): Promise<void> {
  const existing = await ctx.store.listNodeContainers({ name });
  if (existing.length === 0) throw new NotFoundError(`Node container "${name.slice(0, 50)}" not found.`);
  authorize(p, "nodecontainer.update.upgrade", contexts(pool));
  await requirePool(ctx, pool);
  await withEvent(
    ctx.store,
    p,
    { kind: "nodecontainer.update.upgrade", target: target(name), data: { pool }, lock: true },
    ev(ctx),
    async (e) =>
      port.upgrade(name, pool, (line) => {
        out(line);
        void e.log(line).catch(() => undefined);
      }),
  );
}
