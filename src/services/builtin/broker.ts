// One built-in service (postgresql or redis) as Wharf's ServiceBroker. create places the
// instance and writes its row, then provisions in the background (async, like an OSB
// broker: the instance is "pending" until its container accepts connections); bind adds a
// login of the app's own inside the container and answers its URL and parts; unbind drops
// it; remove takes the container away, and the volume only with purge.
import { ConflictError } from "../../store/errors.js";
import { BadRequestError } from "../../domain/errors.js";
import { BrokerError, NotReadyError, scrub } from "../errors.js";
import type {
  AppRef,
  AsyncResult,
  InstanceRef,
  OperationState,
  PlanInfo,
  RemoveOptions,
  ServiceBroker,
} from "../types.js";
import { addUser, dropUser, memoryChange, readyCheck, type AdminCommand } from "./admin-commands.js";
import {
  BUILTIN_SERVICES,
  bindEnv,
  bindingUser,
  databaseName,
  nodeHost,
  planOf,
  type BuiltinKind,
} from "./catalog.js";
import { newPassword } from "./credentials.js";
import { execIn, inspectContainer, succeeded, updateMemory } from "./engine.js";
import { chooseNode, choosePoolFor, choosePort } from "./placement.js";
import { planMemoryByApp } from "../../provision/docker/placement.js";
import type { BuiltinRuntime } from "./runtime.js";
import type { ServiceContainerRecord } from "../../store/types.js";

export class BuiltinBroker implements ServiceBroker {
  private readonly label: string;

  constructor(
    private readonly rt: BuiltinRuntime,
    readonly kind: BuiltinKind,
  ) {
    this.label = `service "${kind}"`;
  }

  async plans(): Promise<PlanInfo[]> {
    return BUILTIN_SERVICES[this.kind].plans.map((p) => ({ name: p.name, description: p.description }));
  }

  private async row(i: InstanceRef): Promise<ServiceContainerRecord | null> {
    return this.rt.deps.store.findServiceContainer(i.uuid);
  }

  /** A removal of an earlier instance of that name that could not finish yet blocks the name. */
  private async clearName(instance: string): Promise<void> {
    const old = (await this.rt.deps.store.listServiceContainers({ service: this.kind })).find(
      (c) => c.instance === instance,
    );
    if (!old) return;
    if (old.phase === "removing" && (await this.rt.finishRemoval(old))) return;
    throw new ConflictError(
      `An earlier instance named "${instance}" is still being removed from node ${old.node}: try again once the node is reachable, or use another name.`,
    );
  }

  async create(i: InstanceRef): Promise<AsyncResult> {
    const plan = planOf(this.kind, i.plan);
    if (!plan) throw new BadRequestError(`Plan "${i.plan}" not found for service "${this.kind}".`);
    const store = this.rt.deps.store;
    await this.clearName(i.name);
    const [pools, constraints, nodes, units, containers, apps, plans] = await Promise.all([
      store.listPools(),
      store.listPoolConstraints(),
      store.listNodes(),
      store.listUnits(),
      store.listServiceContainers(),
      store.listApps(),
      store.listPlans(),
    ]);
    const input = {
      service: this.kind,
      team: i.teamOwner,
      pool: i.parameters.pool ?? "",
      memory: plan.memory,
      uuid: i.uuid,
      pools,
      constraints,
      nodes,
      units,
      reserved: planMemoryByApp(apps, plans),
      containers,
    };
    const node = chooseNode(input, choosePoolFor(input));
    const password = newPassword();
    for (let attempt = 0; ; attempt++) {
      const used = new Set(containers.filter((c) => c.node === node).map((c) => c.hostPort));
      const row = this.rt.newRow(
        {
          uuid: i.uuid,
          service: this.kind,
          instance: i.name,
          teamOwner: i.teamOwner,
          plan: plan.name,
          memory: plan.memory,
          node,
          hostPort: choosePort(used, this.rt.deps.settings.ports),
        },
        password,
      );
      try {
        const c = await store.createServiceContainer(row);
        this.rt.startProvision(c);
        return { async: true, operation: "provision" };
      } catch (e) {
        // Another provision took the port meanwhile: choose again.
        if (!(e instanceof ConflictError) || attempt >= 4) throw e;
        containers.push(...(await store.listServiceContainers({ node })));
      }
    }
  }

  async update(i: InstanceRef): Promise<void> {
    const c = await this.row(i);
    if (!c || c.plan === i.plan) return;
    const plan = planOf(this.kind, i.plan);
    if (!plan) throw new BadRequestError(`Plan "${i.plan}" not found for service "${this.kind}".`);
    if (c.phase === "running") {
      const at = await this.reach(c);
      await updateMemory(at.engine, c.volume, plan.memory).catch((e: Error) => {
        throw new BrokerError(
          `${this.label} could not change the memory of instance "${i.name}": ${e.message}.`,
        );
      });
      await this.run(
        at.engine,
        c,
        memoryChange(this.kind, this.rt.secrets(c).password, plan.memory),
        "plan change",
      );
    }
    await this.rt.deps.store.updateServiceContainer(c.uuid, { plan: plan.name, memory: plan.memory });
  }

  async remove(i: InstanceRef, _meta: unknown, opts: RemoveOptions = {}): Promise<AsyncResult> {
    const c = await this.row(i);
    if (c) {
      const purge = c.purge || opts.purge === true;
      // The intent is recorded first: whatever happens next, the reconciler finishes it.
      const marked = await this.rt.deps.store.updateServiceContainer(c.uuid, { phase: "removing", purge });
      await this.rt.finishRemoval(marked);
    }
    return { async: false, operation: "" };
  }

  async lastOperation(i: InstanceRef): Promise<OperationState> {
    const c = await this.row(i);
    if (!c)
      return {
        state: "failed",
        description:
          "the server stopped before the instance was placed on a node: remove it and create it again",
        gone: false,
      };
    switch (c.phase) {
      case "creating":
        return { state: "in progress", description: "starting its container", gone: false };
      case "running":
        return { state: "succeeded", description: "", gone: false };
      case "failed":
        return { state: "failed", description: c.message, gone: false };
      case "removing":
        return { state: "in progress", description: "being removed", gone: false };
    }
  }

  async status(i: InstanceRef): Promise<string> {
    const c = await this.row(i);
    if (!c) return "down (it was never placed on a node: remove it and create it again)";
    if (c.phase === "creating") return "pending";
    if (c.phase === "failed") return `down (provisioning failed: ${c.message})`;
    if (c.phase === "removing") return "being removed";
    const at = await this.rt.engineOf(c);
    if (!at) return `down (node ${c.node} is unreachable)`;
    const st = await inspectContainer(at.engine, c.volume).catch(() => undefined);
    if (st === undefined) return `down (node ${at.name} did not answer)`;
    if (!st) return "down (its container is missing: Wharf recreates it on the same volume)";
    if (st.restarting) return `down (restarting after exit code ${st.exitCode})`;
    if (!st.running) return `down (stopped with exit code ${st.exitCode})`;
    const probe = readyCheck(this.kind, this.rt.secrets(c).password);
    const r = await execIn(at.engine, c.volume, probe).catch(() => null);
    return r && succeeded(probe, r) ? "up" : "down (not accepting connections yet)";
  }

  async info(i: InstanceRef): Promise<Record<string, string>> {
    const c = await this.row(i);
    if (!c) return {};
    const node = await this.rt.deps.store.findNode(c.node);
    const plan = planOf(this.kind, c.plan);
    return {
      Address: `${nodeHost(c.node)}:${c.hostPort}`,
      Node: node?.engineName || c.node,
      Memory: plan?.description ?? `${Math.round(c.memory / 2 ** 20)} MiB of memory`,
      Volume: c.volume,
      ...(this.kind === "postgresql" ? { Database: databaseName(c.instance) } : {}),
    };
  }

  private async reach(c: ServiceContainerRecord) {
    const at = await this.rt.engineOf(c);
    if (!at)
      throw new BrokerError(
        `${this.label} cannot reach instance "${c.instance}": its node ${c.node} is unreachable. Try again when the node is back.`,
      );
    return at;
  }

  /** Runs admin commands in the container; a failure is a BrokerError without any secret. */
  private async run(
    engine: import("../../cluster/docker/engine.js").Engine,
    c: ServiceContainerRecord,
    cmds: AdminCommand[],
    what: string,
    secrets: string[] = [],
  ): Promise<void> {
    const hide = [this.rt.secrets(c).password, ...secrets];
    for (const cmd of cmds) {
      const r = await execIn(engine, c.volume, cmd).catch((e: Error) => {
        throw new BrokerError(
          `${this.label} could not run the ${what} on instance "${c.instance}": ${scrub(e.message, hide)}.`,
        );
      });
      if (!succeeded(cmd, r))
        throw new BrokerError(
          `${this.label} failed the ${what} on instance "${c.instance}" (exit code ${r.code}): ${scrub(r.stderr || r.stdout, hide) || "no output"}.`,
        );
    }
  }

  async bind(i: InstanceRef, _app: AppRef, bindingId: string): Promise<Record<string, string>> {
    const c = await this.row(i);
    if (!c || c.phase === "creating") throw new NotReadyError();
    if (c.phase !== "running")
      throw new BrokerError(
        `${this.label} cannot bind instance "${i.name}": it is ${c.phase}${c.message ? ` (${c.message})` : ""}.`,
      );
    const at = await this.reach(c);
    const user = bindingUser(this.kind, c.instance, bindingId);
    const password = newPassword();
    const cmds = addUser(this.kind, c.instance, this.rt.secrets(c).password, user, password);
    await this.run(at.engine, c, cmds, "bind", [password]);
    return bindEnv(this.kind, c.instance, { host: nodeHost(c.node), port: c.hostPort }, user, password);
  }

  async unbind(i: InstanceRef, _app: AppRef, bindingId: string): Promise<void> {
    const c = await this.row(i);
    // No row, or an instance on its way out: there is no login left to drop.
    if (!c || c.phase === "removing" || c.phase === "failed") return;
    const at = await this.reach(c);
    const user = bindingUser(this.kind, c.instance, bindingId);
    await this.run(
      at.engine,
      c,
      dropUser(this.kind, c.instance, this.rt.secrets(c).password, user),
      "unbind",
    );
  }
}
