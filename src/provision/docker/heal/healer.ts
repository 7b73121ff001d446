// The healer: keeps every app at its desired units while nodes and containers fail.
//  - A node turning unhealthy (monitor transition, or seen on a periodic pass) takes its
//    units out of the routes at once; replacements are then placed on the pool's healthy
//    nodes (heal-node.ts). No room → a `healer` event says so, and later passes retry.
//  - A node turning healthy again loses the containers of units rescheduled meanwhile.
//  - Units on a disabled node that still answers move elsewhere, make-before-break
//    (heal-drain.ts); units that fit nowhere stay and keep serving.
//  - An app short of capacity has it recorded in the store (app info shows it on every
//    server) until its units are all placed again.
//  - Every pass lists the unit containers of the healthy nodes: a started unit whose
//    container exited or disappeared is replaced after its crash-loop backoff
//    (heal-units.ts); the unit leaves the routes and its exit is recorded as soon as it is
//    seen down, and its replacement carries the restart count on. Containers no unit
//    claims are removed.
// Work for one app runs one job at a time and under the app's event lock, so healing never
// races a deploy, a unit add or another heal of the same app.
import type { Logger } from "pino";
import type { UnitRecord } from "../../../store/types.js";
import type { DockerCtx } from "../context.js";
import { removeUnit } from "../units.js";
import { CrashBackoff } from "./backoff.js";
import { AppQueue, recordHealEvent, withHealEvent } from "./app-queue.js";
import { placeable, rescheduleApp, sweepNodeOrphans, unrouteLost } from "./heal-node.js";
import { drainApp } from "./heal-drain.js";
import { drainingUnits } from "./heal-plan.js";
import { type ReplaceOutcome, noteUnitDown, replaceUnit, rerouteRecovered, scanUnits } from "./heal-units.js";
import type { HealerSettings } from "../../../config/healer.js";
import { PassLoop } from "../../../util/pass-loop.js";

export interface HealerOptions {
  instanceId: string;
  log: Logger;
  settings: HealerSettings;
  now?: () => number;
}

class ReplaceFailed extends Error {
  constructor(readonly outcome: ReplaceOutcome) {
    super(outcome.error);
  }
}

export class Healer {
  private readonly queue = new AppQueue();
  private readonly backoff: CrashBackoff;
  /** Apps whose rescheduling failed (not for lack of room): retried with backoff too. */
  private readonly appRetry: CrashBackoff;
  /** Units and apps with a job queued, so a pass does not queue the same work twice. */
  private readonly pending = new Set<string>();
  /** Apps short of capacity (as recorded in the store and in an event). */
  private readonly short = new Map<string, { missing: number; reason: string }>();
  /** Apps with units stuck on a disabled node, with the reason already in an event. */
  private readonly stuck = new Map<string, string>();
  private loaded = false;
  private readonly now: () => number;
  /** Aborts replacements still starting when the server stops. */
  private ac = new AbortController();
  private readonly loop = new PassLoop(
    () => this.pass(),
    () => this.o.settings.intervalMs,
    (err) => this.o.log.error({ err }, "healer pass failed"),
  );

  constructor(
    private readonly dc: DockerCtx,
    private readonly o: HealerOptions,
  ) {
    this.now = o.now ?? Date.now;
    this.backoff = new CrashBackoff(o.settings.backoff);
    this.appRetry = new CrashBackoff(o.settings.backoff);
  }

  start(): void {
    if (this.loop.active) return;
    if (this.ac.signal.aborted) this.ac = new AbortController();
    this.loop.start();
  }

  /** Stops the passes and waits for the jobs under way. */
  async stop(): Promise<void> {
    const passDone = this.loop.stop();
    this.ac.abort(new Error("the server is stopping"));
    await passDone;
    await this.queue.idle();
  }

  /** The node monitor's transitions (called after the new state is in the store). */
  nodeChanged(address: string, to: string): void {
    if (!this.loop.active) return;
    const log = this.o.log;
    if (to === "unhealthy") {
      unrouteLost(this.dc)
        .then((lost) => {
          const n = [...lost.values()].reduce((a, l) => a + l.length, 0);
          if (n) log.warn({ node: address, units: n }, "node unhealthy: its units left the routes");
          // At once, not after a pass that may be waiting on the lost node's engine.
          for (const [app, units] of lost) this.reschedule(app, units);
        })
        .catch((err: unknown) =>
          log.error({ err, node: address }, "could not take a lost node's units out of the routes"),
        )
        .finally(() => this.kick());
    } else if (to === "healthy") {
      sweepNodeOrphans(this.dc, address)
        .then(
          (n) =>
            n &&
            log.info(
              { node: address, containers: n },
              "removed containers of units rescheduled while the node was away",
            ),
        )
        .catch((err: unknown) => log.warn({ err, node: address }, "orphan sweep of a returning node failed"))
        .finally(() => this.kick());
    }
  }

  /** Runs a pass now, or right after the one under way. */
  kick(): void {
    this.loop.kick();
  }

  /** Resolves when no pass and no job is under way (tests). */
  async settle(): Promise<void> {
    while (this.loop.busy || this.pending.size) {
      await this.loop.idle();
      await this.queue.idle();
    }
  }

  private async pass(): Promise<void> {
    const store = this.dc.store;
    if (!this.loaded) {
      // Shortages a previous server recorded: cleared below once nothing is lost.
      for (const s of await store.listCapacityShortages()) this.short.set(s.app, s);
      this.loaded = true;
    }
    const lost = await unrouteLost(this.dc);
    for (const [app, units] of lost) this.reschedule(app, units);
    for (const app of [...this.short.keys()]) if (!lost.has(app)) await this.clearShortage(app);
    const nodes = await store.listNodes();
    const draining = drainingUnits(nodes, await store.listUnits({ status: ["started"] }));
    for (const [app, units] of draining) this.drain(app, units);
    for (const app of [...this.stuck.keys()]) if (!draining.has(app)) this.stuck.delete(app);
    const scan = await scanUnits(this.dc, nodes);
    for (const e of scan.errors) this.o.log.warn(e, "healer could not list a node's units");
    for (const { node, container } of scan.orphans) {
      await removeUnit(this.dc.engines.engineFor(node), container.containerId).catch((err: unknown) =>
        this.o.log.warn({ err, node }, "could not remove an orphan unit container"),
      );
    }
    const now = this.now();
    const recovered: UnitRecord[] = [];
    for (const v of scan.verdicts) {
      if (v.state === "running") {
        this.backoff.running(v.unit.id, now);
        if (v.unit.process === "web" && !v.unit.routable) recovered.push(v.unit);
        continue;
      }
      const seen = this.backoff.get(v.unit.id);
      if (!seen || seen.upSince !== null) {
        const container = v.state === "exited" ? v.container : undefined;
        const exit = await noteUnitDown(this.dc, v.unit, container, new Date(now)).catch((err: unknown) => {
          this.o.log.warn({ err, unit: v.unit.id }, "could not record a unit going down");
          return { reason: "its container stopped", exitCode: null };
        });
        this.backoff.down(v.unit.id, now, exit.reason, exit.exitCode, seen ? 0 : this.streak(v.unit, now));
      }
      if (this.backoff.due(v.unit.id, now)) this.replace(v.unit);
    }
    if (recovered.length) {
      const n = await rerouteRecovered(this.dc, recovered);
      if (n) this.o.log.info({ units: n }, "units back with their node serve again");
    }
    this.backoff.forgetExcept(scan.known);
  }

  /**
   * Replacements in a row a slot had, for a down unit this server knows nothing about: a
   * replacement that did not stay up for the reset time continues its crash loop.
   */
  private streak(u: UnitRecord, now: number): number {
    return u.restarts > 0 && now - u.createdAt.getTime() < this.o.settings.backoff.resetAfterMs
      ? u.restarts
      : 0;
  }

  /** Moves the app's units off disabled nodes, as many as have room elsewhere. */
  private drain(app: string, units: readonly UnitRecord[]): void {
    const key = `drain:${app}`;
    if (this.pending.has(key) || !this.appRetry.due(key, this.now())) return;
    this.pending.add(key);
    void this.queue
      .run(app, async () => {
        // No room anywhere: say so once, without taking the app's lock every pass.
        const fit = await placeable(this.dc, app, units);
        if (fit.n === 0) return this.noteStuck(app, units.length, fit.reason);
        const nodes = new Set(
          (await this.dc.store.listNodes())
            .filter((n) => n.disabled && n.health.state !== "unhealthy")
            .map((n) => n.address),
        );
        const r = await withHealEvent(
          this.dc.store,
          { app, instanceId: this.o.instanceId, data: { cause: "node-drain", nodes: [...nodes] } },
          (ev) => drainApp(this.dc, app, nodes, ev, this.ac.signal),
        );
        if (!r) return;
        this.appRetry.clear(key);
        if (r.value.moved) this.o.log.info({ app, units: r.value.moved }, "moved units off a disabled node");
        if (r.value.left) await this.noteStuck(app, r.value.left, r.value.reason);
        else this.stuck.delete(app);
      })
      .catch((err: unknown) => {
        this.appRetry.attempted(key, key, this.now(), false, {
          reason: (err as Error).message,
          exitCode: null,
        });
        this.o.log.warn({ err, app }, "moving units off a disabled node failed; retrying later");
      })
      .finally(() => this.pending.delete(key));
  }

  private reschedule(app: string, units: readonly UnitRecord[]): void {
    const key = `app:${app}`;
    if (this.pending.has(key) || !this.appRetry.due(app, this.now())) return;
    this.pending.add(key);
    const started = this.now();
    void this.queue
      .run(app, async () => {
        const fit = await placeable(this.dc, app, units);
        if (fit.n === 0) return this.noteShortage(app, units.length, fit.reason);
        const r = await withHealEvent(
          this.dc.store,
          {
            app,
            instanceId: this.o.instanceId,
            data: {
              cause: "node-failure",
              units: units.map((u) => u.id),
              nodes: [...new Set(units.map((u) => u.node))],
            },
          },
          (ev) => rescheduleApp(this.dc, app, ev, this.ac.signal),
        );
        if (!r) return; // a deploy or another operation holds the app: next pass
        this.appRetry.clear(app);
        if (r.value.short) await this.noteShortage(app, r.value.short, r.value.shortReason);
        else await this.clearShortage(app);
        this.o.log.info(
          { app, lost: r.value.lost, replaced: r.value.replaced.length, ms: this.now() - started },
          "rescheduled units of a lost node",
        );
      })
      .catch((err: unknown) => {
        this.appRetry.attempted(app, app, this.now(), false, {
          reason: (err as Error).message,
          exitCode: null,
        });
        this.o.log.warn({ err, app }, "rescheduling units of a lost node failed; retrying later");
      })
      .finally(() => this.pending.delete(key));
  }

  private async noteStuck(app: string, n: number, reason: string): Promise<void> {
    if (this.stuck.get(app) === reason) return;
    this.stuck.set(app, reason);
    this.o.log.warn({ app, units: n, reason }, "units of a disabled node have no room elsewhere");
    await recordHealEvent(this.dc.store, {
      app,
      instanceId: this.o.instanceId,
      data: { cause: "drain-blocked", units: n },
      log: `${n} unit(s) of ${app} stay on a disabled node, still serving: ${reason}. Retrying every ${this.o.settings.intervalMs} ms.`,
      error: `no room elsewhere for ${n} unit(s) of a disabled node: ${reason}`,
    });
  }

  private async clearShortage(app: string): Promise<void> {
    if (!this.short.has(app)) return;
    await this.dc.store.setAppCapacity(app, null);
    this.short.delete(app);
    this.o.log.info({ app }, "capacity is back: every unit of the app is placed");
  }

  private async noteShortage(app: string, n: number, reason: string): Promise<void> {
    const cur = this.short.get(app);
    if (cur?.reason === reason && cur.missing === n) return;
    const since = (await this.dc.store.getAppRuntime(app)).capacity?.since ?? new Date(this.now());
    await this.dc.store.setAppCapacity(app, { missing: n, reason, since });
    this.short.set(app, { missing: n, reason });
    if (cur?.reason === reason) return; // the count changed, not the cause: no new event
    this.o.log.warn({ app, units: n, reason }, "no healthy capacity for units of a lost node");
    await recordHealEvent(this.dc.store, {
      app,
      instanceId: this.o.instanceId,
      data: { cause: "no-capacity", units: n },
      log: `${n} unit(s) of ${app} lost with their node cannot be placed: ${reason}. Retrying every ${this.o.settings.intervalMs} ms until a healthy node of the pool has room.`,
      error: `no healthy capacity for ${n} unit(s): ${reason}`,
    });
  }

  private replace(u: UnitRecord): void {
    if (this.pending.has(u.id)) return;
    this.pending.add(u.id);
    void this.queue
      .run(u.app, async () => {
        // The slot's count, kept on the unit row (a replacement inherits it).
        const restarts = ((await this.dc.store.findUnit(u.id))?.restarts ?? u.restarts) + 1;
        const r = await withHealEvent(
          this.dc.store,
          {
            app: u.app,
            instanceId: this.o.instanceId,
            data: { cause: "unit-down", unit: u.id, process: u.process, node: u.node, restart: restarts },
          },
          async (ev) => {
            const out = await replaceUnit(this.dc, u.id, ev, restarts, this.ac.signal);
            if (out.acted)
              await this.dc.store.setEventOtherData(ev.id, {
                restarts,
                reason: out.reason,
                exitCode: out.exitCode,
                oomKilled: out.oomKilled,
                replacement: out.replacement?.id ?? "",
                backoffMs: this.backoff.get(u.id)?.delayMs ?? 0,
              });
            if (out.error) throw new ReplaceFailed(out);
            return out;
          },
        );
        if (!r?.value.acted) return;
        const out = r.value;
        this.backoff.attempted(u.id, out.replacement!.id, this.now(), true, {
          reason: out.reason,
          exitCode: out.exitCode,
        });
        this.o.log.info(
          { app: u.app, unit: u.id, replacement: out.replacement!.id, reason: out.reason, restarts },
          "unit replaced",
        );
      })
      .catch((err: unknown) => {
        const out = err instanceof ReplaceFailed ? err.outcome : undefined;
        // The first line of the launch error (its log tail is in the event).
        const why = (out ? `${out.reason}; its replacement failed: ${out.error}` : (err as Error).message)
          .split("\n")[0]!
          .slice(0, 500);
        this.backoff.attempted(u.id, u.id, this.now(), false, {
          reason: why,
          exitCode: out?.exitCode ?? null,
        });
        this.o.log.warn(
          { app: u.app, unit: u.id, retryInMs: this.backoff.get(u.id)?.delayMs },
          "unit replacement failed; backing off",
        );
      })
      .finally(() => this.pending.delete(u.id));
  }
}
