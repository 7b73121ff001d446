// The autoscale loop, on the reconciler leader only (src/api/leader-work.ts starts and stops
// it): every step, for every setting, decideUnits (pure) is asked how many units the process
// should run, and a change is applied under the app's event lock as an `autoscale` event whose
// data and log carry the metric, its target and the reason.
//  - Never mid-deploy: a process that is stopped, or an app with a running event (deploy,
//    unit add, restart, a heal), is held; the lock taken for the change closes the race.
//  - Only steps measured after the process's last change (the loop's own, or a unit added by
//    anyone since: the newest unit's creation) describe its current units, so earlier steps
//    are not read: a scale-up is not counted twice.
//  - A scale-up the quota or the pool cannot take is reported once (an event with the
//    scheduler's sentence), not every step, until it fits again or the sentence changes.
//  - History is in memory. A new leader (restart, takeover) knows nothing of the window, so it
//    starts each process's history with the units it finds running, as if the window had
//    recommended them just now: it scales down no sooner than a full window after taking over
//    (it may keep units longer, never removes them early), and scales up only from steps
//    measured after it first saw the process.
import type { Logger } from "pino";
import type { DeployCtx } from "../deploy/context.js";
import type { MetricsService } from "../metrics/service.js";
import { STEP_S, stepOf } from "../util/steps.js";
import { recordHealEvent, withHealEvent } from "../provision/docker/heal/app-queue.js";
import { PassLoop } from "../util/pass-loop.js";
import type { AutoscaleRecord } from "../store/types.js";
import { applyUnits } from "./apply.js";
import { decideUnits, type Decision, type Recommendation } from "./decide.js";
import { processSteps } from "./inputs.js";
import { roomFor } from "./room.js";
import type { AutoscaleSettings } from "../config/autoscale-config.js";

export interface AutoscalerOptions {
  dc: DeployCtx;
  metrics: Pick<MetricsService, "read">;
  settings: AutoscaleSettings;
  instanceId: string;
  log: Pick<Logger, "info" | "warn" | "error">;
  /** Milliseconds since the epoch. */
  now?: () => number;
  /** How a change is made (default applyUnits; the loop's tests record the calls instead). */
  apply?: typeof applyUnits;
}

interface ProcessState {
  history: Recommendation[];
  /** Unix seconds of the last change (or of first sight): older steps are not read. */
  changedS: number;
  /** The capacity limit already reported, so it is reported once. */
  reported: string;
  /** After a failed change: no new attempt before this (unix seconds), doubling per failure. */
  retryS: number;
  failures: number;
}

const ACTOR = "autoscale";
/** Seconds of series read per decision (decideUnits uses the last minute). */
const READ_S = 120;

export class Autoscaler {
  private readonly state = new Map<string, ProcessState>();
  /** Apps with a change under way: not decided again until it ends. */
  private readonly busy = new Set<string>();
  private readonly jobs = new Set<Promise<void>>();
  private readonly now: () => number;
  private readonly loop: PassLoop;

  constructor(private readonly o: AutoscalerOptions) {
    this.now = o.now ?? Date.now;
    this.loop = new PassLoop(
      () => this.pass(),
      () => o.settings.intervalMs,
      (err) => o.log.error({ err }, "autoscale pass failed"),
    );
  }

  start(): void {
    this.loop.start();
  }

  /** Stops deciding and waits for the changes under way. */
  async stop(): Promise<void> {
    await this.loop.stop();
    while (this.jobs.size) await Promise.all([...this.jobs]);
  }

  private nowS(): number {
    return Math.floor(this.now() / 1000);
  }

  /** One decision for every setting (tests call it directly). */
  async pass(): Promise<void> {
    const settings = await this.o.dc.ctx.store.listAutoscale();
    const keep = new Set(settings.map(keyOf));
    for (const k of this.state.keys()) if (!keep.has(k)) this.state.delete(k);
    for (const s of settings) {
      if (this.busy.has(s.app)) continue;
      await this.step(s).catch((err: unknown) =>
        this.o.log.warn({ err, app: s.app, process: s.process }, "autoscale decision failed"),
      );
    }
  }

  /** Resolves when the changes started so far have ended (tests). */
  async settle(): Promise<void> {
    while (this.jobs.size) await Promise.all([...this.jobs]);
  }

  private async step(s: AutoscaleRecord): Promise<void> {
    const store = this.o.dc.ctx.store;
    const app = await store.findApp(s.app);
    const row = (await store.listAppProcesses(s.app)).find((p) => p.process === s.process);
    if (!app || !row) return; // gone, or not deployed with this process (yet)
    const nowS = this.nowS();
    const units = (await store.listUnits({ app: s.app, process: s.process })).filter(
      (u) => u.status !== "removing",
    );
    const current = units.length;
    let st = this.state.get(keyOf(s));
    if (!st) {
      st = { history: [{ ts: nowS, units: current }], changedS: nowS, reported: "", retryS: 0, failures: 0 };
      this.state.set(keyOf(s), st);
    }
    if (nowS < st.retryS) return;
    const hold = row.stopped ? "stopped" : await this.runningEvent(s.app);
    const newest = Math.max(st.changedS, ...units.map((u) => Math.floor(u.createdAt.getTime() / 1000)));
    const metrics = await this.o.metrics.read(s.app, nowS - READ_S, s.process);
    const steps = processSteps(metrics, s.process).filter((x) => x.ts >= stepOf(newest) + STEP_S);
    const input = {
      setting: s,
      current,
      steps,
      history: st.history,
      nowS,
      quotaFree: null,
      poolFree: null,
      ...(hold ? { hold } : {}),
      options: { downWindowS: this.o.settings.stabilizationMs / 1000 },
    };
    let d = decideUnits(input);
    let poolReason = "";
    if (d.units > current) {
      const room = await roomFor(this.o.dc, app, s.process, d.units - current);
      poolReason = room.poolReason;
      d = decideUnits({ ...input, quotaFree: room.quotaFree, poolFree: room.poolFree });
    }
    st.history = d.history;
    await this.reportCapacity(s, st, d, poolReason);
    if (d.units !== current) this.change(s, st, current, d);
  }

  /** The kind of a running event on the app (it may hold the app's lock), or "". */
  private async runningEvent(app: string): Promise<string> {
    const [ev] = await this.o.dc.ctx.store.listEvents({
      targetType: "app",
      targetValue: app,
      running: true,
      limit: 1,
    });
    return ev ? `busy with a running ${ev.kind.name}` : "";
  }

  private async reportCapacity(
    s: AutoscaleRecord,
    st: ProcessState,
    d: Decision,
    poolReason: string,
  ): Promise<void> {
    if (!d.limitedBy) {
      if (d.units >= d.recommended) st.reported = "";
      return;
    }
    const cause =
      d.limitedBy === "quota"
        ? `the app's unit quota (${(await this.o.dc.ctx.store.getApp(s.app)).quota.limit}) is reached`
        : poolReason || "the pool has no room";
    if (st.reported === cause) return;
    st.reported = cause;
    const msg = `cannot scale ${s.app} ${s.process} to ${d.recommended} units: ${cause}`;
    this.o.log.warn({ app: s.app, process: s.process, wanted: d.recommended, placed: d.units }, msg);
    await recordHealEvent(this.o.dc.ctx.store, {
      app: s.app,
      actor: ACTOR,
      instanceId: this.o.instanceId,
      data: { cause: "no-capacity", process: s.process, wanted: d.recommended, ...metricData(d) },
      log: `${d.reason}. Scaling up again as soon as there is room.`,
      error: msg,
    });
  }

  /** Applies the decision in the background, under the app's lock. */
  private change(s: AutoscaleRecord, st: ProcessState, from: number, d: Decision): void {
    const store = this.o.dc.ctx.store;
    this.busy.add(s.app);
    const data = { process: s.process, from, to: d.units, ...metricData(d), reason: d.reason };
    const job = withHealEvent(
      store,
      { app: s.app, actor: ACTOR, instanceId: this.o.instanceId, data },
      async (ev) => {
        await ev.log(d.reason);
        // The lock is held now: the units may have changed since the decision.
        const now = (await store.listUnits({ app: s.app, process: s.process })).filter(
          (u) => u.status !== "removing",
        ).length;
        if (now !== from) {
          await ev.log(`${s.process} has ${now} units now (was ${from} at the decision): nothing changed.`);
          return;
        }
        // The unit operation's lines, all in the log before the event ends.
        const lines: Array<Promise<void>> = [];
        const out = (line: string) => void lines.push(ev.log(line).catch(() => undefined));
        try {
          await (this.o.apply ?? applyUnits)(this.o.dc, s.app, s.process, from, d.units, out);
        } finally {
          await Promise.all(lines);
        }
      },
    )
      .then((r) => {
        if (!r) return; // another operation took the lock: decided again next step
        st.changedS = this.nowS();
        st.failures = 0;
        this.o.log.info({ app: s.app, process: s.process, from, to: d.units }, d.reason);
      })
      .catch((err: unknown) => {
        st.changedS = this.nowS();
        st.failures++;
        st.retryS = this.nowS() + Math.min(300, (this.o.settings.intervalMs / 1000) * 2 ** st.failures);
        this.o.log.warn(
          { err, app: s.app, process: s.process, from, to: d.units },
          "autoscale change failed",
        );
      })
      .finally(() => {
        this.busy.delete(s.app);
        this.jobs.delete(job);
      });
    this.jobs.add(job);
  }
}

function keyOf(s: { app: string; process: string }): string {
  return `${s.app}\u0000${s.process}`;
}

function metricData(d: Decision): Record<string, unknown> {
  return d.metric
    ? { metric: d.metric.name, value: Math.round(d.metric.value * 10) / 10, target: d.metric.target }
    : { metric: "", value: null, target: null };
}
