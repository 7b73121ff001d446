// Runs the simulated control plane: after every change to the store (and on a short
// tick, for deadlines and minReadySeconds) one pass of each controller, in the order
// the real components would usually settle. Writes only happen when something changed,
// so passes converge. Part of the stand-in (see server.ts).
import type { ImageTable } from "../images.js";
import type { LogBook } from "../logs.js";
import type { Registry } from "../registry.js";
import { syncDaemonSets } from "./daemonset.js";
import { syncDeployments } from "./deployment.js";
import { syncEndpointSlices } from "./endpointslice.js";
import { Kubelet, type KubeletOptions } from "./kubelet.js";
import { syncNamespaces } from "./namespace.js";
import { syncReplicaSets } from "./replicaset.js";

export class ControlPlane {
  readonly kubelet: Kubelet;
  private scheduled = false;
  private tick: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopped = false;
  /** Errors a pass hit (a stand-in bug, not a client's): tests can assert there were none. */
  readonly errors: Error[] = [];

  constructor(
    private readonly reg: Registry,
    images: ImageTable,
    logs: LogBook,
    opts: KubeletOptions,
  ) {
    this.kubelet = new Kubelet(reg, images, logs, opts);
  }

  start(tickMs = 200): void {
    this.unsubscribe = this.reg.store.onChange(() => this.schedule());
    this.tick = setInterval(() => this.schedule(), tickMs);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.stopped) return;
      this.pass();
    });
  }

  private pass(): void {
    for (const step of [
      syncNamespaces,
      syncDeployments,
      syncReplicaSets,
      syncDaemonSets,
      (r: Registry) => (void r, this.kubelet.sync()),
      syncEndpointSlices,
    ]) {
      try {
        step(this.reg);
      } catch (e) {
        this.errors.push(e as Error);
        if (this.errors.length > 100) this.errors.shift();
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.tick);
    this.unsubscribe?.();
    await this.kubelet.close();
  }
}
