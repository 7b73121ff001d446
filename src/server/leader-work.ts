// What the reconciler leader runs (src/reconcile/leader.ts decides who leads): the startup
// convergence, the healer, the built-in service reconciler, the node-container reconciler and
// the autoscale loop.
// Each assumes it is the only one changing what it manages, so none runs on a follower.
// On PostgreSQL the leader also closes events a dead server left running once their heartbeat
// is stale, and converges again: until then the reconciler skips those apps as busy.
import type { Logger } from "pino";
import { Autoscaler } from "../autoscale/loop.js";
import type { AutoscaleSettings } from "../config/autoscale-config.js";
import type { DeployCtx } from "../deploy/context.js";
import { closeAbandonedEvents } from "../deploy/interrupted.js";
import type { HealerSettings } from "../config/healer.js";
import { healedByWharf, type Healer } from "../provision/capabilities.js";
import type { LeaderHooks } from "../reconcile/leader.js";
import { reconcileAll } from "../reconcile/startup.js";
import type { BuiltinServices } from "../services/builtin/index.js";
import type { NodeAgentServices } from "./node-agents.js";

export interface LeaderWorkOptions {
  dc: DeployCtx;
  builtin: BuiltinServices | null;
  nodeAgents: NodeAgentServices;
  instanceId: string;
  healerSettings: HealerSettings;
  autoscaleSettings: AutoscaleSettings;
  log: Logger;
}

export class LeaderWork implements LeaderHooks {
  private current: Healer[] | undefined;
  private autoscaler: Autoscaler | undefined;
  private sweeping = false;
  /** A sweep stopped the reconcilers and lead() has not yet succeeded after it. */
  private relead = false;

  constructor(private readonly o: LeaderWorkOptions) {}

  /** The running healers (leader only, one per provisioner Wharf heals), for the events that should wake them. */
  get healer(): Pick<Healer, "kick" | "nodeChanged"> | undefined {
    const hs = this.current;
    if (!hs) return undefined;
    return {
      kick: () => hs.forEach((h) => h.kick()),
      nodeChanged: (address, to) => hs.forEach((h) => h.nodeChanged(address, to)),
    };
  }

  async lead(): Promise<void> {
    await this.startReconcilers();
    this.relead = false;
  }

  async yield(): Promise<void> {
    await this.stopReconcilers();
  }

  protected async startReconcilers(): Promise<void> {
    const { dc, log } = this.o;
    const r = await reconcileAll(dc.ctx.store, dc.provisioners);
    log.info({ ...r, errors: r.errors.length }, "reconciled units with the store");
    for (const e of r.errors) log.warn({ error: e }, "reconcile");
    // Built-in service instances: resumed, healed and swept in the background (a resumed
    // provision may have to build its image first).
    this.o.builtin?.start().then(
      (b) => {
        log.info({ ...b, errors: b.errors.length }, "reconciled built-in service instances");
        for (const e of b.errors) log.warn({ error: e }, "service reconcile");
      },
      (e: unknown) => log.warn({ err: e }, "service reconcile"),
    );
    if (this.o.healerSettings.enabled) {
      // Never two healers, whoever calls lead() twice.
      await this.stopHealers();
      const o = { instanceId: this.o.instanceId, settings: this.o.healerSettings };
      this.current = dc.provisioners
        .all()
        .filter(healedByWharf)
        .map((p) => p.healer(o));
      for (const h of this.current) h.start();
    }
    await this.o.nodeAgents.setLeading(true);
    if (this.o.autoscaleSettings.enabled) {
      await this.autoscaler?.stop();
      this.autoscaler = new Autoscaler({
        dc,
        metrics: this.o.nodeAgents.metrics,
        settings: this.o.autoscaleSettings,
        instanceId: this.o.instanceId,
        log,
      });
      this.autoscaler.start();
    }
  }

  private async stopHealers(): Promise<void> {
    const hs = this.current ?? [];
    this.current = undefined;
    await Promise.all(hs.map((h) => h.stop()));
  }

  protected async stopReconcilers(): Promise<void> {
    const a = this.autoscaler;
    this.autoscaler = undefined;
    await a?.stop();
    await this.stopHealers();
    await this.o.builtin?.stop();
    await this.o.nodeAgents.setLeading(false);
  }

  /**
   * Closes the events whose heartbeat stopped before `staleBefore` (their server is gone) and,
   * when there were any, converges again as a takeover does. Called periodically while leading;
   * a convergence that failed is tried again on the next call.
   */
  async sweepAbandoned(staleBefore: Date, leading: () => boolean): Promise<void> {
    if (this.sweeping || !leading()) return;
    this.sweeping = true;
    try {
      if (!this.relead) {
        const left = await closeAbandonedEvents(this.o.dc.ctx.store, { heartbeatBefore: staleBefore });
        if (left.served.length + left.failed.length === 0) return;
        this.o.log.warn(
          { served: left.served.length, failed: left.failed.length },
          "closed events a stopped server left running; reconciling their apps",
        );
        await this.yield();
        this.relead = true;
      }
      if (leading()) await this.lead();
      // The leadership went while lead() ran: its yield may have come before this lead.
      if (!leading()) await this.yield();
    } catch (err) {
      this.o.log.warn({ err }, "closing events a stopped server left running failed; trying again");
    } finally {
      this.sweeping = false;
    }
  }
}
