// The running side of the built-in services: what a provision, a removal and the reconciler
// share (store, node engines, image settings, sealing of the instances' passwords), and the
// provision and removal jobs themselves. A job's steps are idempotent and its progress is in
// the instance's service_containers row, so a job that died with the server is run again.
import type { Engine, NodeEngines } from "../../cluster/docker/engine.js";
import type { Logger } from "pino";
import type { ServiceContainerRecord, Store } from "../../store/types.js";
import { ConflictError } from "../../store/errors.js";
import { scrub } from "../errors.js";
import { readyCheck } from "./admin-commands.js";
import { containerEnv, nodeHost, resourceName, type BuiltinKind, type InstanceSecrets } from "./catalog.js";
import {
  ensureContainer,
  ensureVolume,
  execIn,
  inspectContainer,
  isPortClash,
  removeContainer,
  removeVolume,
  succeeded,
  type InstanceSpec,
} from "./engine.js";
import { ensureServiceImage, type ImageSettings } from "./images.js";
import { choosePort, type PortRange } from "./placement.js";

export interface BuiltinSettings {
  image: ImageSettings;
  ports: PortRange;
  /** How long a new instance may take to accept connections (image build not included). */
  readyTimeoutMs: number;
  /** Period of the reconcile pass; 0 runs it only at start. */
  reconcileMs: number;
}

export interface BuiltinDeps {
  store: Store;
  engines: NodeEngines;
  settings: BuiltinSettings;
  seal(plaintext: string): string;
  unseal(sealed: string): string;
  instanceId: string;
  log: Logger;
}

interface Job {
  abort: AbortController;
  done: Promise<void>;
}

class Aborted extends Error {}

export function kindOf(c: ServiceContainerRecord): BuiltinKind {
  return c.service as BuiltinKind;
}

export class BuiltinRuntime {
  private readonly jobs = new Map<string, Job>();

  constructor(readonly deps: BuiltinDeps) {}

  secrets(c: ServiceContainerRecord): InstanceSecrets {
    return JSON.parse(this.deps.unseal(c.secretsSealed)) as InstanceSecrets;
  }

  /** The node's engine, or null when the node is gone from the registry or unhealthy. */
  async engineOf(c: ServiceContainerRecord): Promise<{ engine: Engine; name: string } | null> {
    const n = await this.deps.store.findNode(c.node);
    if (!n || n.health.state === "unhealthy") return null;
    return { engine: this.deps.engines.engineFor(n.address), name: n.engineName || n.address };
  }

  spec(c: ServiceContainerRecord, image: string): InstanceSpec {
    const kind = kindOf(c);
    return {
      kind,
      service: c.service,
      instance: c.instance,
      uuid: c.uuid,
      team: c.teamOwner,
      name: c.volume,
      image,
      env: containerEnv(kind, c.instance, c.memory, this.secrets(c)),
      memory: c.memory,
      hostIp: nodeHost(c.node),
      hostPort: c.hostPort,
    };
  }

  running(uuid: string): boolean {
    return this.jobs.has(uuid);
  }

  /** Starts (or resumes) the provision of a row in phase "creating", in the background. */
  startProvision(c: ServiceContainerRecord): void {
    if (this.jobs.has(c.uuid)) return;
    const abort = new AbortController();
    const done = this.provision(c.uuid, abort.signal)
      .catch((e: unknown) => this.deps.log.warn({ err: e, instance: c.instance }, "service provision"))
      .finally(() => this.jobs.delete(c.uuid));
    this.jobs.set(c.uuid, { abort, done });
  }

  /** Stops a provision running in this process and waits until it has let go. */
  async stopProvision(uuid: string): Promise<void> {
    const j = this.jobs.get(uuid);
    if (!j) return;
    j.abort.abort(new Aborted("the instance is being removed"));
    await j.done;
  }

  /** Waits for the provision of `uuid` if one runs here (tests, shutdown). */
  async settled(uuid?: string): Promise<void> {
    const list = uuid ? [this.jobs.get(uuid)].filter((j) => j !== undefined) : [...this.jobs.values()];
    await Promise.all(list.map((j) => j.done));
  }

  async stopAll(): Promise<void> {
    for (const j of this.jobs.values()) j.abort.abort(new Aborted("the server is stopping"));
    await this.settled();
  }

  private async event(c: ServiceContainerRecord) {
    const store = this.deps.store;
    const ev = await store.createEvent({
      kind: { type: "internal", name: "service-instance.provision" },
      target: { type: "service-instance", value: `${c.service}/${c.instance}` },
      owner: { type: "internal", name: "services" },
      lock: false,
      startCustomData: {
        service: c.service,
        instance: c.instance,
        plan: c.plan,
        node: c.node,
        port: c.hostPort,
      },
      instanceId: this.deps.instanceId,
    });
    return {
      log: (line: string) => store.appendEventLog(ev.id, `${line}\n`).catch(() => undefined),
      finish: (error?: string) => store.finishEvent(ev.id, error ? { error } : {}).catch(() => undefined),
    };
  }

  private async provision(uuid: string, signal: AbortSignal): Promise<void> {
    const store = this.deps.store;
    const first = await store.findServiceContainer(uuid);
    if (!first || first.phase !== "creating") return;
    const ev = await this.event(first);
    const password = this.secrets(first).password;
    const check = async (): Promise<ServiceContainerRecord> => {
      if (signal.aborted) throw signal.reason as Error;
      const now = await store.findServiceContainer(uuid);
      if (!now || now.phase !== "creating") throw new Aborted("the instance is being removed");
      return now;
    };
    try {
      let c = await check();
      const at = await this.engineOf(c);
      if (!at) throw new Error(`node ${c.node} is not available (unhealthy or removed)`);
      await ev.log(`placing ${c.service} instance "${c.instance}" on ${at.name}, port ${c.hostPort}`);
      const image = await ensureServiceImage(at.engine, c.node, kindOf(c), this.deps.settings.image, (l) => {
        void ev.log(l);
      });
      c = await check();
      await ensureVolume(at.engine, this.spec(c, image));
      if (!c.volumeCreated) c = await store.updateServiceContainer(uuid, { volumeCreated: true });
      c = await this.startContainer(at.engine, c, image, ev.log, check);
      await ev.log("waiting for the server to accept connections");
      await this.waitReady(at.engine, c, password, signal);
      await check();
      await store.updateServiceContainer(uuid, { phase: "running", message: "" });
      await ev.log(`instance "${c.instance}" is up at ${nodeHost(c.node)}:${c.hostPort}`);
      await ev.finish();
    } catch (e) {
      if (e instanceof Aborted) {
        await ev.finish(`provision stopped: ${e.message}`);
        return;
      }
      const msg = scrub((e as Error).message ?? String(e), [password], 400);
      await ev.log(`provision failed: ${msg}`);
      await this.cleanUp(uuid).catch(() => undefined);
      await store.updateServiceContainer(uuid, { phase: "failed", message: msg }).catch(() => undefined);
      await ev.finish(msg);
    }
  }

  /** Creates/starts the container, moving to another host port when the chosen one is taken. */
  private async startContainer(
    engine: Engine,
    c: ServiceContainerRecord,
    image: string,
    log: (l: string) => Promise<unknown>,
    check: () => Promise<ServiceContainerRecord>,
  ): Promise<ServiceContainerRecord> {
    const tried = new Set<number>();
    for (let attempt = 0; ; attempt++) {
      try {
        const id = await ensureContainer(engine, this.spec(c, image));
        return c.containerId === id
          ? c
          : await this.deps.store.updateServiceContainer(c.uuid, { containerId: id });
      } catch (e) {
        if (!isPortClash(e) || attempt >= 4) throw e;
        tried.add(c.hostPort);
        await removeContainer(engine, c.volume);
        await log(`host port ${c.hostPort} is taken on the node; trying another one`);
        c = await this.movePort(await check(), tried);
      }
    }
  }

  private async movePort(c: ServiceContainerRecord, avoid: Set<number>): Promise<ServiceContainerRecord> {
    for (let i = 0; ; i++) {
      const used = new Set([
        ...avoid,
        ...(await this.deps.store.listServiceContainers({ node: c.node })).map((x) => x.hostPort),
      ]);
      try {
        return await this.deps.store.updateServiceContainer(c.uuid, {
          hostPort: choosePort(used, this.deps.settings.ports),
          containerId: "",
        });
      } catch (e) {
        if (!(e instanceof ConflictError) || i >= 4) throw e;
      }
    }
  }

  private async waitReady(
    engine: Engine,
    c: ServiceContainerRecord,
    password: string,
    signal: AbortSignal,
  ): Promise<void> {
    const probe = readyCheck(kindOf(c), password);
    const until = Date.now() + this.deps.settings.readyTimeoutMs;
    let last = "";
    while (Date.now() < until) {
      if (signal.aborted) throw signal.reason as Error;
      const st = await inspectContainer(engine, c.volume);
      if (!st) throw new Error("its container disappeared while starting");
      if (st.running) {
        const r = await execIn(engine, c.volume, probe).catch((e: Error) => ({
          code: -1,
          stdout: "",
          stderr: e.message,
        }));
        if (succeeded(probe, r)) return;
        last = (r.stderr || r.stdout).trim().slice(0, 200);
      } else last = `the server exited with code ${st.exitCode}`;
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(
      `the server did not accept connections within ${Math.round(this.deps.settings.readyTimeoutMs / 1000)}s${last ? ` (${last})` : ""}`,
    );
  }

  /** After a failed first start: the container goes, and its (empty) volume too. */
  private async cleanUp(uuid: string): Promise<void> {
    const c = await this.deps.store.findServiceContainer(uuid);
    if (!c) return;
    const at = await this.engineOf(c);
    if (!at) return;
    await removeContainer(at.engine, c.volume);
    if (c.volumeCreated) await removeVolume(at.engine, c.volume);
  }

  /**
   * Finishes the removal of a row marked "removing": container (and with purge the volume)
   * gone from its node, then the row. False when the node cannot be reached now (the row
   * stays for the reconciler); a node no longer registered has nothing left to remove.
   */
  async finishRemoval(c: ServiceContainerRecord): Promise<boolean> {
    await this.stopProvision(c.uuid);
    const store = this.deps.store;
    const node = await store.findNode(c.node);
    if (node) {
      if (node.health.state === "unhealthy") return false;
      const engine = this.deps.engines.engineFor(node.address);
      try {
        await removeContainer(engine, c.volume);
        if (c.purge) await removeVolume(engine, c.volume);
      } catch (e) {
        await store
          .updateServiceContainer(c.uuid, {
            message: `removal pending: ${(e as Error).message}`.slice(0, 400),
          })
          .catch(() => undefined);
        return false;
      }
    }
    await store.deleteServiceContainer(c.uuid);
    return true;
  }

  /** A row for a new instance: placed, with its generated password sealed; not yet on the node. */
  newRow(
    f: Pick<
      ServiceContainerRecord,
      "uuid" | "service" | "instance" | "teamOwner" | "plan" | "memory" | "node" | "hostPort"
    >,
    password: string,
  ): Omit<ServiceContainerRecord, "createdAt" | "updatedAt"> {
    return {
      ...f,
      containerId: "",
      volume: resourceName(f.service as BuiltinKind, f.uuid),
      volumeCreated: false,
      secretsSealed: this.deps.seal(JSON.stringify({ password } satisfies InstanceSecrets)),
      phase: "creating",
      purge: false,
      message: "",
    };
  }
}
