// The docker provisioner: Wharf's own scheduler, rollouts and healer on plain Docker engines
// (every engine call through src/cluster/docker). Each unit operation records its intent in
// one transaction (../intent.ts) and then converges the app to it (./converge.ts), the same
// convergence start-up and the healer run, so a kill -9 after any step is finished later.
import type { App, AppVersionRecord, NodeRecord, StoreTx, UnitRecord } from "../../store/types.js";
import { BadRequestError } from "../../domain/errors.js";
import type { ClusterState } from "../../scheduler/index.js";
import type { Engine } from "../../cluster/docker/engine.js";
import type { HealerSettings } from "../../config/healer.js";
import { crashPoint } from "../../util/crash-point.js";
import type {
  ConvergeOptions,
  ConvergeReport,
  OpOptions,
  Provisioner,
  RolloutOptions,
  RunScope,
} from "../provisioner.js";
import type {
  CleanImage,
  DockerApi,
  ExecCapable,
  ExecOptions,
  Healer as HealerLoop,
  Rebalance,
  StartupSweep,
  SweepReport,
  WharfHealing,
} from "../capabilities.js";
import {
  type UnitsIntent,
  recordAddUnits,
  recordRemoveUnits,
  recordRestart,
  recordSetUnits,
  recordStart,
  recordStop,
  restoreUnits,
  versionProcesses,
} from "../intent.js";
import type { DockerCtx } from "./context.js";
import { convergeApp } from "./converge.js";
import { discardUnits } from "./launch.js";
import { loadClusterView } from "./placement.js";
import { rollout } from "./rollout.js";
import { runInApp } from "./app-run.js";
import { execInContainer } from "./run.js";
import { unitLogs } from "./logs.js";
import { sweepNodes } from "./sweep.js";
import { Healer } from "./heal/healer.js";
import { checkDrain, drainNode } from "./heal/heal-drain.js";

/** How long `node remove` waits for busy apps before giving up (the node stays disabled). */
const DRAIN_TIMEOUT_MS = 5 * 60_000;

const plural = (n: number) => (n === 1 ? "" : "s");

export class DockerProvisioner
  implements Provisioner, ExecCapable, Rebalance, WharfHealing, CleanImage, DockerApi, StartupSweep
{
  readonly name = "docker";
  private healers = new Set<Healer>();

  constructor(private readonly dc: DockerCtx) {}

  units(app: string): Promise<UnitRecord[]> {
    return this.dc.store.listUnits({ app });
  }

  /**
   * Commits the intent, then converges; a convergence that fails puts the intent back as it
   * was (its half-made units are gone already), so a failed unit add changes nothing.
   */
  private async change(
    app: string,
    record: (t: StoreTx) => Promise<UnitsIntent>,
    o: OpOptions,
  ): Promise<UnitsIntent> {
    const intent = await this.dc.store.tx(record);
    crashPoint("intent-recorded");
    try {
      await this.converge(app, o);
    } catch (err) {
      await this.dc.store.tx((t) => restoreUnits(t, intent));
      throw err;
    }
    return intent;
  }

  async addUnits(app: App, process: string, n: number, o: OpOptions): Promise<void> {
    const i = await this.change(app.name, (t) => recordAddUnits(t, app.name, process, n), o);
    o.out(`\n---- ${n} unit${plural(n)} added to ${process}: now ${i.after.units} ----\n`);
  }

  async removeUnits(app: App, process: string, n: number, o: OpOptions): Promise<void> {
    const i = await this.change(app.name, (t) => recordRemoveUnits(t, app.name, process, n), o);
    o.out(`\n---- ${n} unit${plural(n)} removed from ${process}: now ${i.after.units} ----\n`);
  }

  async setUnits(app: App, process: string, n: number, o: OpOptions): Promise<void> {
    await this.change(app.name, (t) => recordSetUnits(t, app.name, process, n), o);
    o.out(`\n---- ${process} now has ${n} unit${plural(n)} ----\n`);
  }

  async start(app: App, process: string, o: OpOptions): Promise<void> {
    const processes = await this.processes(app, process);
    const started = await this.dc.store.tx((t) => recordStart(t, app.name, processes));
    crashPoint("intent-recorded");
    if (Object.keys(started).length === 0) {
      o.out("---- Already started ----\n");
      return;
    }
    const r = await this.converge(app.name, o);
    o.out(`---- Started ${r.added} unit${plural(r.added)} ----\n`);
  }

  async stop(app: App, process: string, o: OpOptions): Promise<void> {
    const processes = await this.processes(app, process);
    const running = (await this.dc.store.listUnits({ app: app.name, status: ["started"] })).filter((u) =>
      processes.includes(u.process),
    ).length;
    await this.dc.store.tx((t) => recordStop(t, app.name, processes));
    crashPoint("intent-recorded");
    o.out(`---- Stopping ${running} unit${plural(running)} ----\n`);
    await this.converge(app.name, o);
  }

  async restart(app: App, process: string, o: OpOptions): Promise<void> {
    await this.dc.store.tx((t) => recordRestart(t, app.name, process));
    crashPoint("intent-recorded");
    o.out(`---- Restarting ${process ? `process ${process} of ` : ""}${app.name} ----\n`);
    await this.converge(app.name, o);
  }

  deploy(app: App, version: AppVersionRecord, o: RolloutOptions): Promise<void> {
    return rollout(this.dc, app.name, version, o);
  }

  rollback(app: App, version: AppVersionRecord, o: OpOptions): Promise<void> {
    return rollout(this.dc, app.name, version, o);
  }

  converge(app: string, o: ConvergeOptions = {}): Promise<ConvergeReport> {
    return convergeApp(this.dc, app, o);
  }

  async destroy(app: string): Promise<void> {
    await discardUnits(this.dc, await this.dc.store.listUnits({ app }));
  }

  unitLogs(unit: UnitRecord, lines: number): Promise<string[]> {
    return unitLogs(this.dc.engines.engineFor(unit.node), unit.containerId, lines);
  }

  async run(app: App, command: string, scope: RunScope, o: OpOptions): Promise<void> {
    await runInApp(this.dc, app, await this.serving(app, "Running commands"), command, scope, o);
  }

  nodeChanged(node: NodeRecord | { address: string; removed: true }): void {
    for (const h of this.healers)
      h.nodeChanged(node.address, "removed" in node ? "removed" : node.health.state);
  }

  exec(unit: UnitRecord, o: ExecOptions): Promise<number> {
    return execInContainer(this.dc.engines.engineFor(unit.node), unit.containerId, {
      command: o.command,
      tty: o.tty,
      ...(o.stdin ? { stdin: o.stdin } : {}),
      stdout: (chunk, stream) => (stream === "stderr" ? (o.stderr ?? o.stdout) : o.stdout).write(chunk),
      ...(o.size ? { size: o.size } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
  }

  checkDrain(address: string): Promise<number> {
    return checkDrain(this.dc, address);
  }

  drainNode(address: string, out: (line: string) => void): Promise<void> {
    return drainNode(this.dc, address, async (line) => out(`${line}\n`), {
      instanceId: this.dc.instanceId,
      timeoutMs: DRAIN_TIMEOUT_MS,
    });
  }

  healer(o: { instanceId: string; settings: HealerSettings }): HealerLoop {
    const h = new Healer(this.dc, { instanceId: o.instanceId, log: this.dc.log, settings: o.settings });
    return {
      start: () => {
        this.healers.add(h);
        h.start();
      },
      stop: async () => {
        this.healers.delete(h);
        await h.stop();
      },
      kick: () => h.kick(),
      nodeChanged: (address, to) => h.nodeChanged(address, to),
    };
  }

  async cleanImage(image: string): Promise<void> {
    for (const n of await this.dc.store.listNodes())
      await this.dc.engines
        .engineFor(n.address)
        .images.remove(image)
        .catch(() => undefined);
  }

  engineFor(node: string): Engine {
    return this.dc.engines.engineFor(node);
  }

  clusterView(): Promise<ClusterState> {
    return loadClusterView(this.dc.store);
  }

  sweep(busy: ReadonlySet<string>): Promise<SweepReport> {
    return sweepNodes(this.dc, busy);
  }

  /** The routable version, or tsuru's error for an app never deployed. */
  private async serving(app: App, what: string): Promise<AppVersionRecord> {
    const rt = await this.dc.store.getAppRuntime(app.name);
    const v = rt.routableVersion ? await this.dc.store.findAppVersion(app.name, rt.routableVersion) : null;
    if (!v)
      throw new BadRequestError(`${what} can only be done after the first deployment: deploy the app first.`);
    return v;
  }

  /** "" = every process of the serving version. */
  private async processes(app: App, process: string): Promise<string[]> {
    return process ? [process] : versionProcesses(await this.serving(app, "This"));
  }
}
