// The one interface every provisioner implements: what runs an app's units on a pool's nodes.
// A pool names its provisioner (`pool add --provisioner`, "" = docker); deploy/ and the domain
// ask the pool's provisioner (./registry.ts), never an engine. Modelled on tsuru's
// provision.Provisioner; what only some provisioners can do is in ./capabilities.ts.
//
// Desired state first. Every mutating call records intent in the store before it touches a
// node (./intent.ts: version, desired units per process, stopped, restart generation), then
// converges the nodes to it; `converge` is that same convergence on its own, run at start-up
// and by the healer, so a crash at any step is finished by the next run. Units are mirrored
// in the store's units table by every provisioner (created → starting → started, routable),
// and routes are published by the store itself, inside the transaction that changes a
// routable unit (src/store/routes.ts): no provisioner publishes routes.
//
// How each provisioner implements each method (docker = ./docker/, Wharf's own scheduler on
// plain engines; swarm = issue 16; kubernetes = issue 17):
//   units       docker: the store's unit rows. swarm: tasks of the app's services, mirrored into
//               unit rows from task events. kubernetes: pods of the app's Deployments, mirrored
//               from EndpointSlice/Pod watches.
//   add/remove/ docker: intent, then the scheduler places (spread over nodes and zones) or picks
//   setUnits    the most crowded units; new units are routable once healthy. swarm: intent, then
//               one service update of `<app>-<process>` Replicas. kubernetes: intent, then a
//               patch of the Deployment's scale subresource. Autoscaling (issue 21) calls setUnits.
//   start/stop  docker: intent (stopped flag), then units stopped or started. swarm: Replicas 0 /
//               back to the recorded count. kubernetes: scale to 0 / back.
//   restart     docker: intent (restart generation), then make-before-break replacement.
//               swarm: ForceUpdate+1 on the process's service. kubernetes: bump the pod
//               template's restart annotation (a rollout restart).
//   deploy      docker: units of the new version started and health-checked, routes switched in
//               one transaction, old units drained. swarm: service image update with start-first
//               UpdateConfig and a health check. kubernetes: Deployment image update with maxSurge
//               100% / maxUnavailable 0, readiness probe, wait for the rollout (rolled back on
//               failure). All three: the routable version is recorded with the switch.
//   rollback    all three: deploy of an earlier ready version (its image is in the registry).
//   converge    docker: discard units a crash left half-made, add/remove/replace units to match
//               the intent. swarm/kubernetes: make each service/Deployment spec match the intent
//               (replicas, image, restart generation); the orchestrator does the rest.
//   destroy     docker: every unit's container. swarm: the services and the app's network.
//               kubernetes: Deployments, Services and Secrets of the app.
//   unitLogs    docker: the container's log tail on its node. swarm: the task's container on its
//               node engine. kubernetes: pods/log?tailLines=.
//   run         docker: a one-off container (isolated) or an exec in units. swarm: a one-off
//               `<app>-isolated-run` service, or exec on the task's node engine. kubernetes: an
//               isolated pod, or pods/exec.
//   nodeChanged docker: a node was registered, updated or removed in the store: the healer looks
//               again (room for units, units to move). swarm: join the node / update its labels.
//               kubernetes: label the existing Node into the pool (Wharf never creates kubelets).
import type { App, AppVersionRecord, NodeRecord, StoreTx, UnitRecord } from "../store/types.js";

export type Out = (line: string) => void;

export interface OpOptions {
  /** Progress lines for the caller (the operation's event log and stream). */
  out: Out;
  signal?: AbortSignal;
}

export interface RolloutOptions extends OpOptions {
  /**
   * A version whose push to the registry is still running: units on `node` (which built it)
   * may start at once, others once `pushed` settles; routes switch only after it did.
   * Without it the version must be ready.
   */
  pushing?: { node: string; pushed: Promise<void> };
  /** More changes that must commit with the route switch (a deploy's count). */
  onSwitch?: (t: StoreTx) => Promise<void>;
}

/** Where `run` runs a command: a throwaway unit, the first started unit, or every one. */
export type RunScope = "isolated" | "once" | "all";

export interface ConvergeOptions {
  /** Progress lines (none by default: start-up and the healer log their own summary). */
  out?: Out;
  signal?: AbortSignal;
}

/** What a convergence did to one app. */
export interface ConvergeReport {
  /** Units started to reach the desired count (or to replace units of an older generation). */
  added: number;
  /** Units taken away (over the desired count, stopped, or replaced). */
  removed: number;
  /** Half-made units (created, starting, error, removing) a crash left behind, removed. */
  discarded: number;
}

export interface Provisioner {
  /** The name pools use (`docker`, `swarm`, `kubernetes`). */
  readonly name: string;

  /** The app's units with their status and address (unit rows every provisioner keeps). */
  units(app: string): Promise<UnitRecord[]>;
  /** Intent: `n` more units of the process (tsuru `unit add`); then converge. */
  addUnits(app: App, process: string, n: number, o: OpOptions): Promise<void>;
  /** Intent: `n` fewer units of the process (tsuru `unit remove`); then converge. */
  removeUnits(app: App, process: string, n: number, o: OpOptions): Promise<void>;
  /** Intent: exactly `n` units of the process (autoscaling, `unit set`); then converge. */
  setUnits(app: App, process: string, n: number, o: OpOptions): Promise<void>;
  /** Intent: the process ("" = every process) runs again with its recorded count. */
  start(app: App, process: string, o: OpOptions): Promise<void>;
  /** Intent: the process ("" = every process) runs no unit; its count is kept for start. */
  stop(app: App, process: string, o: OpOptions): Promise<void>;
  /** Intent: new restart generation for the process ("" = all); units replaced without downtime. */
  restart(app: App, process: string, o: OpOptions): Promise<void>;
  /**
   * Rolls a built version out with zero downtime; the routable version and the units switch
   * in one transaction. A failure (unhealthy unit, cancel, failed push) leaves the previous
   * version serving and nothing of the new one running.
   */
  deploy(app: App, version: AppVersionRecord, o: RolloutOptions): Promise<void>;
  /** Rolls an earlier ready version out, as deploy does. */
  rollback(app: App, version: AppVersionRecord, o: OpOptions): Promise<void>;
  /** Converges the app's units to its recorded intent (start-up, healer, after intent). */
  converge(app: string, o?: ConvergeOptions): Promise<ConvergeReport>;
  /** Removes everything the app runs (app remove). */
  destroy(app: string): Promise<void>;
  /** The last `lines` lines a unit wrote. */
  unitLogs(unit: UnitRecord, lines: number): Promise<string[]>;
  /** Runs a shell command (`app run`); a non-zero exit is a 400 naming the code. */
  run(app: App, command: string, scope: RunScope, o: OpOptions): Promise<void>;
  /** A node of one of this provisioner's pools was registered, changed or removed. */
  nodeChanged(node: NodeRecord | { address: string; removed: true }): void;
}
