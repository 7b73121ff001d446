// Unit lifecycle on one node's engine: create (idempotent), start, stop, restart, remove.
// Every call is safe to repeat, so a reconciler that crashed half-way can simply run again.
import { forChanges, type Engine } from "../../cluster/docker/engine.js";
import {
  engineStatus,
  isNotFound,
  type ContainerInspect,
  type ContainerSummary,
} from "../../cluster/docker/types.js";
import { throwIfAborted } from "../../util/abort.js";
import { ConflictError, NotFoundError } from "../../domain/errors.js";
import { LABELS, unitContainerConfig, validateUnitSpec, type UnitSpec } from "./spec.js";
import { UnitUnhealthyError } from "./errors.js";
import { unitLogs } from "./logs.js";
import { ensureImage, pullWithProgress } from "./pull.js";

export interface UnitAddress {
  containerId: string;
  /** The random host port Docker published the unit's port on. */
  hostPort: number;
  /** `nodeIP:hostPort`, where the router and healthcheck reach the unit. */
  address: string;
}

export interface CreateUnitOptions {
  log?: (line: string) => void;
  signal?: AbortSignal;
}

/** The unit's container (any state), found by its unit label, or null. */
async function findUnitContainer(engine: Engine, unitId: string): Promise<ContainerSummary | null> {
  const found = await engine.containers.list({
    all: true,
    labels: [`${LABELS.managed}=true`, `${LABELS.unit}=${unitId}`],
  });
  return found[0] ?? null;
}

/** The published host port of a container from its inspect answer; its bound IP gives the address. */
function addressOf(info: ContainerInspect): UnitAddress {
  for (const bindings of Object.values(info.NetworkSettings.Ports ?? {})) {
    const b = bindings?.find((x) => x.HostPort && x.HostPort !== "0");
    if (b) {
      const ip = b.HostIp && b.HostIp !== "0.0.0.0" ? b.HostIp : "127.0.0.1";
      return { containerId: info.Id, hostPort: Number(b.HostPort), address: `${ip}:${b.HostPort}` };
    }
  }
  const state = info.State.Running ? "running" : info.State.Status;
  throw new Error(`unit container ${info.Name.replace(/^\//, "")} has no published port (it is ${state})`);
}

/** Reads the published host port of a started container; its bound IP gives the address. */
export async function readUnitAddress(engine: Engine, containerId: string): Promise<UnitAddress> {
  return addressOf(await engine.containers.inspect(containerId));
}

/**
 * Creates the unit's container. With the version's image id known, the node's copy is checked
 * first (and pulled over when it is another image); otherwise a node without the image pulls
 * it (404) and tries once more.
 */
async function createContainer(
  engine: Engine,
  spec: UnitSpec,
  log: (line: string) => void,
  signal: AbortSignal | undefined,
): Promise<string> {
  if (spec.imageId) {
    await ensureImage(engine, spec.image, spec.imageId, log, signal);
    throwIfAborted(signal);
    return engine.containers.create(unitContainerConfig(spec));
  }
  try {
    return await engine.containers.create(unitContainerConfig(spec));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  log(`pulling ${spec.image}`);
  await pullWithProgress(engine, spec.image, log, signal);
  throwIfAborted(signal);
  return engine.containers.create(unitContainerConfig(spec));
}

/** The unit's container after a 409: the engine reserves the name before it shows in its list. */
async function awaitUnitContainer(engine: Engine, unitId: string): Promise<ContainerSummary | null> {
  for (let i = 0; i < 40; i++) {
    const found = await findUnitContainer(engine, unitId);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

/**
 * Makes the unit exist and run: creates and starts the container (pulling the image when
 * the node lacks it) and reads back its host port. If the unit's container already exists
 * it is reused (started when stopped), never duplicated. Create comes first, without a
 * lookup: the container name is the unit's, so the engine itself answers "exists" (409) or
 * "no such image" (404), and a fresh unit costs three engine calls (create, start, inspect),
 * as a plain `docker run -d` does.
 */
export async function createUnit(
  nodeEngine: Engine,
  spec: UnitSpec,
  opts: CreateUnitOptions = {},
): Promise<UnitAddress> {
  // Every call here creates, starts or reads back what was just made: see forChanges.
  const engine = forChanges(nodeEngine);
  validateUnitSpec(spec);
  const log = opts.log ?? (() => {});
  throwIfAborted(opts.signal);

  let id: string;
  try {
    id = await createContainer(engine, spec, log, opts.signal);
  } catch (err) {
    if (engineStatus(err) !== 409) throw err;
    // The name is taken: an earlier attempt (a crash, a retry) or a concurrent call made it.
    const existing = await awaitUnitContainer(engine, spec.id);
    if (!existing) throw err;
    if (existing.State !== "dead" && existing.State !== "removing")
      return adoptExisting(engine, spec, existing);
    // A dead container (failed removal, broken filesystem) cannot start again: replace it.
    await removeUnit(engine, existing.Id);
    id = await createContainer(engine, spec, log, opts.signal);
  }
  try {
    throwIfAborted(opts.signal);
    await engine.containers.start(id);
  } catch (err) {
    // 304: a concurrent createUnit of the same unit adopted and started it first: it runs.
    if (engineStatus(err) === 304) return readUnitAddress(engine, id);
    // Two concurrent starts of one container: the engine may refuse the second with another
    // status than 304 while the first succeeds; a running container is the unit, keep it.
    const now = await engine.containers.inspect(id).catch(() => null);
    if (now?.State.Running && !opts.signal?.aborted) return addressOf(now);
    // A container that never started is not a unit: don't leave it for the sweep.
    await engine.containers.remove(id, { force: true }).catch(() => {});
    throw err;
  }
  // One inspect answers both questions: is it still running, and on which host port.
  const info = await engine.containers.inspect(id);
  if (!info.State.Running) {
    // It exited before it could be reached: say so with what it printed, as a healthcheck would.
    const lines = await unitLogs(engine, id, 10).catch(() => []);
    throw new UnitUnhealthyError(
      spec.id,
      `its container exited right after start (code ${info.State.ExitCode})`,
      lines,
      id,
    );
  }
  return addressOf(info);
}

async function adoptExisting(engine: Engine, spec: UnitSpec, c: ContainerSummary): Promise<UnitAddress> {
  if (c.Labels[LABELS.version] !== String(spec.version) || c.Labels[LABELS.app] !== spec.app) {
    throw new ConflictError(
      `unit ${spec.id} already exists as ${c.Labels[LABELS.app]} v${c.Labels[LABELS.version]}; use a new unit id for ${spec.app} v${spec.version}`,
    );
  }
  if (c.State !== "running") await startUnit(engine, c.Id);
  return readUnitAddress(engine, c.Id);
}

/** Starts a stopped unit (no-op when running) and returns its possibly new host port. */
export async function startUnit(engine: Engine, containerId: string): Promise<UnitAddress> {
  try {
    await engine.containers.start(containerId);
  } catch (err) {
    if (isNotFound(err)) throw new NotFoundError(`unit container ${containerId} does not exist on this node`);
    if (engineStatus(err) !== 304) throw err; // 304: already running
  }
  return readUnitAddress(engine, containerId);
}

/**
 * SIGTERM (the image's stop signal), then SIGKILL after `graceSeconds`. A unit that is
 * already stopped or gone counts as stopped.
 */
export async function stopUnit(
  engine: Engine,
  containerId: string,
  opts: { graceSeconds?: number } = {},
): Promise<void> {
  try {
    await engine.containers.stop(containerId, opts.graceSeconds ?? 10);
  } catch (err) {
    const code = engineStatus(err);
    if (code !== 304 && code !== 404) throw err;
  }
}

/** Stop (with grace) and start again; the host port may change, so it is read back. */
export async function restartUnit(
  engine: Engine,
  containerId: string,
  opts: { graceSeconds?: number } = {},
): Promise<UnitAddress> {
  await stopUnit(engine, containerId, opts);
  return startUnit(engine, containerId);
}

/** Removes the unit's container whatever its state; no error when it is already gone. */
export async function removeUnit(engine: Engine, containerId: string): Promise<void> {
  try {
    await engine.containers.remove(containerId, { force: true, volumes: true });
  } catch (err) {
    const code = engineStatus(err);
    // 409: removal already in progress elsewhere, which ends the same way.
    if (code !== 404 && code !== 409) throw err;
  }
}

export interface ManagedUnit {
  containerId: string;
  name: string;
  unitId: string;
  app: string;
  process: string;
  version: number;
  image: string;
  /** Docker's state: created, running, paused, restarting, removing, exited, dead. */
  state: string;
  /** Docker's human status, e.g. "Up 3 minutes", "Exited (1) 2 seconds ago". */
  status: string;
  hostPort: number | null;
  address: string | null;
}

/** Every Wharf unit container on the node (by the wharf.managed label), running or not. */
export async function listManagedUnits(engine: Engine): Promise<ManagedUnit[]> {
  const list = await engine.containers.list({ all: true, labels: [`${LABELS.managed}=true`] });
  return list.map((c) => {
    const port = c.Ports.find((p) => p.PublicPort);
    const ip = port?.IP && port.IP !== "0.0.0.0" ? port.IP : null;
    return {
      containerId: c.Id,
      name: (c.Names[0] ?? "").replace(/^\//, ""),
      unitId: c.Labels[LABELS.unit] ?? "",
      app: c.Labels[LABELS.app] ?? "",
      process: c.Labels[LABELS.process] ?? "",
      version: Number(c.Labels[LABELS.version] ?? 0),
      image: c.Image,
      state: c.State,
      status: c.Status,
      hostPort: port ? port.PublicPort : null,
      address: port && ip ? `${ip}:${port.PublicPort}` : null,
    };
  });
}
