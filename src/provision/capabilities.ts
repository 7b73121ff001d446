// What only some provisioners can do, as tsuru's optional provisioner interfaces: each is
// checked at run time with its guard (`if (canExec(p)) ...`), never assumed from the name.
//
//   capability        docker (./docker/)                 swarm (issue 16)          kubernetes (issue 17)
//   ExecCapable       exec in the unit's container       exec on the task's node   pods/exec (SPDY)
//   NodeContainers    — (see below)                      global services           DaemonSets
//   Volumes           — (no app volumes in Wharf yet)    service mounts            PVCs
//   Rebalance         drain a node through the scheduler drain availability        cordon + evict
//   WharfHealing      Wharf's healer (./docker/heal/)    —                         —
//   SelfHealing       —                                  yes: Wharf reflects       yes: Wharf reflects
//   CleanImage        remove from every node engine      every node engine         — (kubelet GC)
//   DockerApi         node engines + scheduler view      —                         —
//   StartupSweep      orphan containers, stale units     — (the orchestrator's)    — (the orchestrator's)
//
// Node containers on docker pools are run by src/reconcile/node-containers.ts on every node
// through the engine adapter; a provisioner that implements NodeContainers (swarm, kubernetes)
// takes its pools' node containers over. The Docker-API endpoint (issue 18) schedules the docker
// CLI's containers through DockerApi: the same engines and the same scheduler view units use.
import type { Readable, Writable } from "node:stream";
import type { UnitRecord } from "../store/types.js";
import type { Engine } from "../cluster/docker/engine.js";
import type { ClusterState } from "../scheduler/index.js";
import type { HealerSettings } from "../config/healer.js";
import type { Out, Provisioner } from "./provisioner.js";

export interface ExecOptions {
  /** argv, run as is (wrap in /bin/sh -c for a shell line). */
  command: string[];
  /** Allocate a TTY (app shell, docker exec -it): one stream, no stdout/stderr framing. */
  tty: boolean;
  stdin?: Readable;
  stdout: Writable;
  /** Without a TTY; defaults to stdout. */
  stderr?: Writable;
  /** Terminal size for a TTY. */
  size?: { width: number; height: number };
  signal?: AbortSignal;
}

/** A command inside a running unit, with or without a TTY; resolves with its exit code. */
export interface ExecCapable {
  exec(unit: UnitRecord, o: ExecOptions): Promise<number>;
}

/** Node containers (the agent, operators' daemons) on the provisioner's own terms. */
export interface NodeContainers {
  /** Converge every node container of the pool ("" = all pools) to its stored entries. */
  syncNodeContainers(pool: string, out: Out): Promise<void>;
  /** Pull again and recreate one node container. */
  upgradeNodeContainer(name: string, pool: string, out: Out): Promise<void>;
}

/** Volumes the provisioner mounts into units (tsuru VolumeProvisioner). */
export interface Volumes {
  isVolumeProvisioned(volume: string, pool: string): Promise<boolean>;
  deleteVolume(volume: string, pool: string): Promise<void>;
}

/** Moving units off a node without downtime (node update --disable, node remove). */
export interface Rebalance {
  /** Dry run: throws a 503 naming a unit that fits nowhere else; returns the node's unit count. */
  checkDrain(address: string): Promise<number>;
  /** Moves every unit off the (disabled) node: started elsewhere, routed, then drained. */
  drainNode(address: string, out: Out): Promise<void>;
}

/** The loop Wharf runs for a provisioner that does not heal itself. */
export interface Healer {
  start(): void;
  stop(): Promise<void>;
  /** Run a pass now (a node changed, an agent saw a unit down). */
  kick(): void;
  /** The node monitor's transitions, once the new state is in the store. */
  nodeChanged(address: string, to: string): void;
}

export interface WharfHealing {
  /** A healer for this provisioner's pools; the reconciler leader starts and stops it. */
  healer(o: { instanceId: string; settings: HealerSettings }): Healer;
}

/** Swarm and Kubernetes heal their own units: Wharf reflects what they do, never fights it. */
export interface SelfHealing {
  readonly healsItself: true;
}

/** Removes an image the app no longer needs (versions pruned after a deploy). */
export interface CleanImage {
  cleanImage(image: string): Promise<void>;
}

/** What a crash leaves on the nodes beyond the units' rows, cleaned before the first convergence. */
export interface SweepReport {
  /** Unit rows never switched in or half-removed, removed with their containers. */
  discarded: number;
  /** Containers with Wharf's labels that no unit row claims. */
  orphans: number;
  /** Build step containers no running deploy owns. */
  buildContainers: number;
  errors: string[];
}

/** Start-up clean-up of the provisioner's own nodes (apps in `busy` have an operation running). */
export interface StartupSweep {
  sweep(busy: ReadonlySet<string>): Promise<SweepReport>;
}

/** Direct engine access and the scheduler's view, for the Docker-API endpoint (issue 18). */
export interface DockerApi {
  engineFor(node: string): Engine;
  clusterView(): Promise<ClusterState>;
}

const has = (p: Provisioner, ...methods: string[]) =>
  methods.every((m) => typeof (p as unknown as Record<string, unknown>)[m] === "function");

export const canExec = (p: Provisioner): p is Provisioner & ExecCapable => has(p, "exec");
export const runsNodeContainers = (p: Provisioner): p is Provisioner & NodeContainers =>
  has(p, "syncNodeContainers", "upgradeNodeContainer");
export const hasVolumes = (p: Provisioner): p is Provisioner & Volumes =>
  has(p, "isVolumeProvisioned", "deleteVolume");
export const canRebalance = (p: Provisioner): p is Provisioner & Rebalance =>
  has(p, "checkDrain", "drainNode");
export const healsItself = (p: Provisioner): p is Provisioner & SelfHealing =>
  (p as Partial<SelfHealing>).healsItself === true;
export const healedByWharf = (p: Provisioner): p is Provisioner & WharfHealing =>
  !healsItself(p) && has(p, "healer");
export const cleansImages = (p: Provisioner): p is Provisioner & CleanImage => has(p, "cleanImage");
export const sweepsAtStartup = (p: Provisioner): p is Provisioner & StartupSweep => has(p, "sweep");
export const passesDockerApi = (p: Provisioner): p is Provisioner & DockerApi =>
  has(p, "engineFor", "clusterView");
