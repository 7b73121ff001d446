// TEST DOUBLE: an in-memory provisioner. It implements src/provision's Provisioner on a real
// store (SQLite :memory:) with no Docker at all: "containers" are entries of a Map, placement
// is round-robin over the pool's nodes, a unit is healthy as soon as it exists. Intent is
// recorded by the same functions every provisioner uses (src/provision/intent.ts) and units
// go through the same unit rows, so routes are published by the store as for the real ones.
// It exists so the deploy pipeline, unit operations and start-up convergence can be reasoned
// about (and tested) without an engine; the docker provisioner is tested on real engines.
import { ServiceUnavailableError } from "../../src/domain/errors.js";
import {
  type UnitsIntent,
  recordAddUnits,
  recordDeployIntent,
  recordRemoveUnits,
  recordRestart,
  recordSetUnits,
  recordStart,
  recordStop,
  restoreUnits,
  versionProcesses,
} from "../../src/provision/intent.js";
import type {
  ConvergeOptions,
  ConvergeReport,
  OpOptions,
  Provisioner,
  RolloutOptions,
  RunScope,
} from "../../src/provision/provisioner.js";
import type { App, AppVersionRecord, NodeRecord, Store, StoreTx, UnitRecord } from "../../src/store/types.js";

const HALF_MADE: UnitRecord["status"][] = ["created", "starting", "error", "removing"];

export class InMemoryProvisioner implements Provisioner {
  /** What runs on the "nodes": unit id → node address. */
  readonly running = new Map<string, string>();
  /** Every operation called, in order ("addUnits web 2", "converge a", ...). */
  readonly calls: string[] = [];
  /** Set to make the next unit start fail (an unhealthy unit). */
  failNextStart: string | undefined;
  private seq = 0;

  constructor(
    readonly name: string,
    private readonly storeRef?: Store,
  ) {}

  private get store(): Store {
    if (!this.storeRef) throw new Error(`in-memory provisioner ${this.name} was made without a store`);
    return this.storeRef;
  }

  /** Test hook: a unit's container dies or disappears (what a healer would see). */
  lose(unitId: string): void {
    this.running.delete(unitId);
  }

  units(app: string): Promise<UnitRecord[]> {
    return this.store.listUnits({ app });
  }

  private async change(
    app: string,
    what: string,
    record: (t: StoreTx) => Promise<UnitsIntent>,
    o: OpOptions,
  ) {
    this.calls.push(what);
    const intent = await this.store.tx(record);
    try {
      await this.converge(app, o);
    } catch (err) {
      await this.store.tx((t) => restoreUnits(t, intent));
      throw err;
    }
  }

  addUnits(app: App, process: string, n: number, o: OpOptions): Promise<void> {
    return this.change(
      app.name,
      `addUnits ${process} ${n}`,
      (t) => recordAddUnits(t, app.name, process, n),
      o,
    );
  }

  removeUnits(app: App, process: string, n: number, o: OpOptions): Promise<void> {
    return this.change(
      app.name,
      `removeUnits ${process} ${n}`,
      (t) => recordRemoveUnits(t, app.name, process, n),
      o,
    );
  }

  setUnits(app: App, process: string, n: number, o: OpOptions): Promise<void> {
    return this.change(
      app.name,
      `setUnits ${process} ${n}`,
      (t) => recordSetUnits(t, app.name, process, n),
      o,
    );
  }

  private async processes(app: App, process: string): Promise<string[]> {
    if (process) return [process];
    const rt = await this.store.getAppRuntime(app.name);
    const v = await this.store.findAppVersion(app.name, rt.routableVersion);
    return v ? versionProcesses(v) : [];
  }

  async start(app: App, process: string, o: OpOptions): Promise<void> {
    this.calls.push(`start ${process}`);
    const processes = await this.processes(app, process);
    await this.store.tx((t) => recordStart(t, app.name, processes));
    await this.converge(app.name, o);
  }

  async stop(app: App, process: string, o: OpOptions): Promise<void> {
    this.calls.push(`stop ${process}`);
    const processes = await this.processes(app, process);
    await this.store.tx((t) => recordStop(t, app.name, processes));
    await this.converge(app.name, o);
  }

  async restart(app: App, process: string, o: OpOptions): Promise<void> {
    this.calls.push(`restart ${process}`);
    await this.store.tx((t) => recordRestart(t, app.name, process));
    await this.converge(app.name, o);
  }

  /** Make-before-break: new units of `v`, then one transaction switches version and units. */
  async deploy(app: App, v: AppVersionRecord, o: RolloutOptions): Promise<void> {
    this.calls.push(`deploy v${v.version}`);
    const counts = await this.store.tx((t) => recordDeployIntent(t, app.name, v));
    const rt = await this.store.getAppRuntime(app.name);
    const fresh: UnitRecord[] = [];
    try {
      for (const [process, n] of Object.entries(counts))
        for (let i = 0; i < n; i++) fresh.push(await this.startUnit(app, v.version, process, rt.restartGen));
      await o.pushing?.pushed;
    } catch (err) {
      await this.discard(fresh);
      throw err;
    }
    const ids = new Set(fresh.map((u) => u.id));
    const old = await this.store.tx(async (t) => {
      const out: UnitRecord[] = [];
      for (const u of await t.listUnits({ app: app.name })) {
        if (ids.has(u.id)) await t.updateUnit(u.id, { status: "started", routable: u.process === "web" });
        else {
          out.push(u);
          await t.updateUnit(u.id, { status: "removing", routable: false });
        }
      }
      await t.setRoutableVersion(app.name, v.version);
      await o.onSwitch?.(t);
      return out;
    });
    o.out(`\n---- Routes updated: version v${v.version} is serving ----\n`);
    await this.discard(old);
  }

  rollback(app: App, v: AppVersionRecord, o: OpOptions): Promise<void> {
    return this.deploy(app, v, o);
  }

  /** The same rules as the docker provisioner's convergence, on the Map instead of engines. */
  async converge(appName: string, _o: ConvergeOptions = {}): Promise<ConvergeReport> {
    this.calls.push(`converge ${appName}`);
    const report: ConvergeReport = { added: 0, removed: 0, discarded: 0 };
    const all = await this.store.listUnits({ app: appName });
    // Half-made units, and started ones whose container is gone, are replaced.
    const stale = all.filter((u) => HALF_MADE.includes(u.status) || !this.running.has(u.id));
    await this.discard(stale);
    report.discarded = stale.length;
    const app = await this.store.findApp(appName);
    const rt = await this.store.getAppRuntime(appName);
    const v = rt.routableVersion ? await this.store.findAppVersion(appName, rt.routableVersion) : null;
    if (!app || !v) return report;
    for (const p of await this.store.listAppProcesses(appName)) {
      if (!versionProcesses(v).includes(p.process)) {
        await this.store.deleteAppProcess(appName, p.process);
        continue;
      }
      const mine = await this.store.listUnits({ app: appName, process: p.process, status: ["started"] });
      const want = p.stopped ? 0 : p.units;
      const current = mine.filter((u) => u.restartGen >= rt.restartGen);
      const victims =
        want === 0 ? mine : [...mine.filter((u) => u.restartGen < rt.restartGen), ...current.slice(want)];
      const fresh: UnitRecord[] = [];
      for (let i = current.length; i < want; i++)
        fresh.push(await this.startUnit(app, v.version, p.process, rt.restartGen));
      await this.store.tx(async (t) => {
        for (const u of fresh) await t.updateUnit(u.id, { status: "started", routable: u.process === "web" });
        for (const u of victims) await t.updateUnit(u.id, { status: "removing", routable: false });
      });
      await this.discard(victims);
      report.added += fresh.length;
      report.removed += victims.length;
    }
    return report;
  }

  async destroy(app: string): Promise<void> {
    this.calls.push(`destroy ${app}`);
    await this.discard(await this.store.listUnits({ app }));
  }

  async unitLogs(unit: UnitRecord): Promise<string[]> {
    return [`log of ${unit.id}`];
  }

  async run(app: App, command: string, scope: RunScope, o: OpOptions): Promise<void> {
    this.calls.push(`run ${scope} ${command}`);
    o.out(`ran ${command} in ${app.name}\n`);
  }

  nodeChanged(node: NodeRecord | { address: string; removed: true }): void {
    this.calls.push(`nodeChanged ${node.address}`);
  }

  /** A unit row (created) placed round-robin on the pool's nodes, with its "container" running. */
  private async startUnit(
    app: App,
    version: number,
    process: string,
    restartGen: number,
  ): Promise<UnitRecord> {
    const nodes = await this.store.listNodes({ pool: app.pool });
    if (nodes.length === 0)
      throw new ServiceUnavailableError(`Cannot place a unit: pool ${app.pool} has no node.`);
    const n = this.seq++;
    const node = nodes[n % nodes.length]!;
    const id = `${app.name}-${process}-m${n}`;
    if (this.failNextStart !== undefined) {
      const why = this.failNextStart;
      this.failNextStart = undefined;
      throw new ServiceUnavailableError(`unit ${id} did not become healthy: ${why}`);
    }
    this.running.set(id, node.address);
    return this.store.createUnit({
      id,
      app: app.name,
      process,
      version,
      node: node.address,
      containerId: `mem-${id}`,
      host: `10.0.0.${(n % 250) + 1}`,
      port: 8888,
      status: "created",
      routable: false,
      restartGen,
      error: "",
    });
  }

  private async discard(units: readonly UnitRecord[]): Promise<void> {
    for (const u of units) {
      this.running.delete(u.id);
      await this.store.deleteUnit(u.id);
    }
  }
}
