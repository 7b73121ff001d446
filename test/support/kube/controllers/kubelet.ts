// The simulated kubelet (plus the scheduler's binding step): binds pending pods to
// nodes, "pulls" images (failing as the image table says), starts containers through
// the runtime, runs readiness probes for real against the pod's address, restarts
// crashed containers with back-off (CrashLoopBackOff), and reports pod status,
// conditions and events as a real kubelet does. Part of the stand-in (see server.ts).
import { rmSync } from "node:fs";
import { recordEvent } from "../events.js";
import type { ImageTable } from "../images.js";
import type { LogBook } from "../logs.js";
import { scratchDir } from "../process.js";
import type { Registry } from "../registry.js";
import { resourceOfKind } from "../resources.js";
import { allocatePodIp, startContainer, type RunningContainer } from "../runtime.js";
import type { Any, KObject } from "../store.js";
import { containerEnv } from "./env.js";
import { runProbe } from "./probes.js";
import { pickNode } from "./scheduler.js";

const PODS = resourceOfKind("Pod");
const NODES = resourceOfKind("Node");
const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

interface ContainerState {
  state: Any;
  lastState: Any;
  restartCount: number;
  ready: boolean;
  started: boolean;
  run?: RunningContainer;
  successes: number;
  failures: number;
  timers: NodeJS.Timeout[];
  /** Bumped when a run ends, so a start that raced with its own exit is not reported as running. */
  runs: number;
}

interface PodState {
  uid: string;
  ns: string;
  name: string;
  ip: string;
  cwd: string;
  startTime: string;
  containers: Map<string, ContainerState>;
  stopped: boolean;
  conditionTimes: Map<string, { status: string; time: string }>;
}

export interface KubeletOptions {
  /** First crash-loop back-off (Kubernetes: 10 s, doubling up to 5 min). */
  crashBackoffMs: number;
  /** Delay before ErrImagePull turns into ImagePullBackOff. */
  imagePullBackoffMs: number;
}

export class Kubelet {
  private readonly pods = new Map<string, PodState>();

  constructor(
    private readonly reg: Registry,
    private readonly images: ImageTable,
    private readonly logs: LogBook,
    private readonly opts: KubeletOptions,
  ) {}

  /** The runtime state of a pod, for exec and attach. */
  podState(uid: string): PodState | undefined {
    return this.pods.get(uid);
  }

  /** The local process of a "command" container, for attach. */
  containerProcess(uid: string, container: string) {
    return this.pods.get(uid)?.containers.get(container)?.run?.process;
  }

  sync(): void {
    const nodes = this.reg.store.list(NODES);
    const pods = this.reg.store.list(PODS);
    for (const pod of pods) {
      const st = this.pods.get(pod.metadata.uid);
      if (pod.metadata.deletionTimestamp) {
        void this.terminate(pod, st);
        continue;
      }
      if (!pod.spec.nodeName) {
        this.schedule(pod, nodes, pods);
        continue;
      }
      if (!st && !isTerminal(pod)) this.start(pod, nodes);
    }
    for (const [uid, st] of this.pods) if (!pods.some((p) => p.metadata.uid === uid)) void this.stopAll(st);
  }

  async close(): Promise<void> {
    await Promise.all([...this.pods.values()].map((st) => this.stopAll(st)));
  }

  private schedule(pod: KObject, nodes: KObject[], pods: KObject[]): void {
    const { node, message } = pickNode(nodes, pods, pod.spec);
    if (node) {
      pod.spec.nodeName = node.metadata.name;
      pod.status = {
        ...pod.status,
        conditions: [
          { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: now() },
        ],
      };
      this.reg.store.update(PODS, pod);
      recordEvent(
        this.reg,
        pod,
        "Normal",
        "Scheduled",
        `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node.metadata.name}`,
        "default-scheduler",
      );
      return;
    }
    const cond = {
      type: "PodScheduled",
      status: "False",
      lastProbeTime: null,
      reason: "Unschedulable",
      message,
    };
    const prev = (pod.status?.conditions ?? []).find((c: Any) => c.type === "PodScheduled");
    if (prev?.message === message) return;
    pod.status = { ...pod.status, phase: "Pending", conditions: [{ ...cond, lastTransitionTime: now() }] };
    this.reg.store.update(PODS, pod);
    recordEvent(this.reg, pod, "Warning", "FailedScheduling", message!, "default-scheduler");
  }

  private start(pod: KObject, nodes: KObject[]): void {
    const st: PodState = {
      uid: pod.metadata.uid,
      ns: pod.metadata.namespace!,
      name: pod.metadata.name,
      ip: allocatePodIp(),
      cwd: scratchDir(),
      startTime: now(),
      containers: new Map(),
      stopped: false,
      conditionTimes: new Map(),
    };
    this.pods.set(st.uid, st);
    const node = nodes.find((n) => n.metadata.name === pod.spec.nodeName);
    const hostIP = (node?.status?.addresses ?? []).find((a: Any) => a.type === "InternalIP")?.address;
    for (const c of pod.spec.containers as Any[]) {
      const cs: ContainerState = {
        state: { waiting: { reason: "ContainerCreating" } },
        lastState: {},
        restartCount: 0,
        ready: false,
        started: false,
        successes: 0,
        failures: 0,
        timers: [],
        runs: 0,
      };
      st.containers.set(c.name, cs);
      void this.startContainer(pod, c, st, cs);
    }
    this.report(st, hostIP);
  }

  private async startContainer(pod: KObject, c: Any, st: PodState, cs: ContainerState): Promise<void> {
    if (st.stopped) return;
    const b = this.images.lookup(c.image);
    if (b.pull && b.pull !== "ok") {
      const desc =
        b.pull === "not-found"
          ? `rpc error: code = NotFound desc = failed to pull and unpack image "${c.image}": failed to resolve reference "${c.image}": ${c.image}: not found`
          : `rpc error: code = Unknown desc = failed to pull and unpack image "${c.image}": failed to resolve reference "${c.image}": pull access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials`;
      cs.state = { waiting: { reason: "ErrImagePull", message: desc } };
      recordEvent(this.reg, pod, "Normal", "Pulling", `Pulling image "${c.image}"`);
      recordEvent(this.reg, pod, "Warning", "Failed", `Failed to pull image "${c.image}": ${desc}`);
      recordEvent(this.reg, pod, "Warning", "Failed", "Error: ErrImagePull");
      this.report(st);
      cs.timers.push(
        setTimeout(() => {
          if (st.stopped) return;
          cs.state = {
            waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${c.image}"` },
          };
          recordEvent(this.reg, pod, "Normal", "BackOff", `Back-off pulling image "${c.image}"`);
          recordEvent(this.reg, pod, "Warning", "Failed", "Error: ImagePullBackOff");
          this.report(st);
        }, this.opts.imagePullBackoffMs),
      );
      return;
    }
    let env: Record<string, string>;
    try {
      env = this.resolveEnv(pod, c, st);
    } catch (e) {
      cs.state = { waiting: { reason: "CreateContainerConfigError", message: (e as Error).message } };
      recordEvent(this.reg, pod, "Warning", "Failed", `Error: ${(e as Error).message}`);
      this.report(st);
      return;
    }
    if (cs.restartCount === 0)
      recordEvent(
        this.reg,
        pod,
        "Normal",
        "Pulled",
        `Container image "${c.image}" already present on machine`,
      );
    const probePaths = c.readinessProbe?.httpGet?.path ? [c.readinessProbe.httpGet.path] : [];
    const run = cs.runs;
    try {
      cs.run = await startContainer({
        podUid: st.uid,
        podName: st.name,
        ip: st.ip,
        container: c,
        env,
        cwd: st.cwd,
        behaviour: b,
        logs: this.logs,
        probePaths,
        onExit: (code) => this.exited(pod, c, st, cs, code),
      });
    } catch (e) {
      this.logs.append(st.uid, c.name, `stand-in: ${(e as Error).message}`);
      this.exited(pod, c, st, cs, 1);
      return;
    }
    if (st.stopped) return void cs.run.stop();
    if (cs.runs !== run) return; // it already exited: the kubelet saw it terminated, never running
    recordEvent(this.reg, pod, "Normal", "Created", `Created container ${c.name}`);
    recordEvent(this.reg, pod, "Normal", "Started", `Started container ${c.name}`);
    cs.state = { running: { startedAt: now() } };
    cs.started = true;
    cs.ready = !c.readinessProbe;
    cs.successes = cs.failures = 0;
    if (c.readinessProbe) this.probe(pod, c, st, cs);
    this.report(st);
  }

  private exited(pod: KObject, c: Any, st: PodState, cs: ContainerState, code: number): void {
    if (st.stopped) return;
    cs.runs++;
    for (const t of cs.timers.splice(0)) clearTimeout(t);
    this.logs.ended(st.uid, c.name);
    const startedAt = cs.state.running?.startedAt ?? now();
    const terminated = {
      exitCode: code,
      reason: code === 0 ? "Completed" : "Error",
      startedAt,
      finishedAt: now(),
      containerID: `stand-in://${st.uid}-${c.name}`,
    };
    cs.ready = false;
    cs.run = undefined;
    const policy = pod.spec.restartPolicy ?? "Always";
    if (policy === "Never" || (policy === "OnFailure" && code === 0)) {
      cs.state = { terminated };
      this.report(st);
      return;
    }
    cs.lastState = { terminated };
    const delay = Math.min(this.opts.crashBackoffMs * 2 ** cs.restartCount, this.opts.crashBackoffMs * 30);
    cs.state = {
      waiting: {
        reason: "CrashLoopBackOff",
        message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${c.name} pod=${st.name}_${st.ns}(${st.uid})`,
      },
    };
    recordEvent(this.reg, pod, "Warning", "BackOff", "Back-off restarting failed container");
    this.report(st);
    cs.timers.push(
      setTimeout(() => {
        if (st.stopped) return;
        cs.restartCount++;
        void this.startContainer(pod, c, st, cs);
      }, delay),
    );
  }

  private probe(pod: KObject, c: Any, st: PodState, cs: ContainerState): void {
    const p = c.readinessProbe;
    const period = (p.periodSeconds ?? 10) * 1000;
    const run = async () => {
      if (st.stopped || !cs.run) return;
      const failure = await runProbe(p, c, st.ip);
      if (st.stopped || !cs.run) return;
      if (failure === undefined) {
        cs.failures = 0;
        if (++cs.successes >= (p.successThreshold ?? 1) && !cs.ready) {
          cs.ready = true;
          this.report(st);
        }
      } else {
        cs.successes = 0;
        recordEvent(this.reg, pod, "Warning", "Unhealthy", `Readiness probe failed: ${failure}`);
        if (++cs.failures >= (p.failureThreshold ?? 3) && cs.ready) {
          cs.ready = false;
          this.report(st);
        }
      }
      cs.timers.push(setTimeout(run, period));
    };
    cs.timers.push(setTimeout(run, (p.initialDelaySeconds ?? 0) * 1000));
  }

  /** The container's environment (for the runtime and for exec). */
  resolveEnv(pod: KObject, c: Any, st: { ip: string }): Record<string, string> {
    return containerEnv(this.reg, pod, c, st.ip);
  }

  /** Writes the pod's status from the runtime state, when it changed. */
  private report(st: PodState, hostIP?: string): void {
    if (st.stopped) return;
    const pod = this.reg.store.get(PODS, st.ns, st.name);
    if (!pod || pod.metadata.uid !== st.uid) return;
    const specs: Any[] = pod.spec.containers;
    const statuses = specs.map((c) => {
      const cs = st.containers.get(c.name)!;
      return {
        name: c.name,
        state: cs.state,
        lastState: cs.lastState,
        ready: cs.ready,
        restartCount: cs.restartCount,
        image: c.image,
        imageID: cs.started ? `stand-in://${c.image}` : "",
        ...(cs.started ? { containerID: `stand-in://${st.uid}-${c.name}` } : {}),
        started: !!cs.state.running,
      };
    });
    const all = [...st.containers.values()];
    const ready = all.every((c) => c.ready);
    const terminated = all.every((c) => c.state.terminated);
    const phase = terminated
      ? all.every((c) => c.state.terminated.exitCode === 0)
        ? "Succeeded"
        : "Failed"
      : all.some((c) => c.started)
        ? "Running"
        : "Pending";
    const cond = (type: string, ok: boolean, reason?: string) => {
      const status = ok ? "True" : "False";
      const prev = st.conditionTimes.get(type);
      const time = prev && prev.status === status ? prev.time : now();
      st.conditionTimes.set(type, { status, time });
      return {
        type,
        status,
        lastProbeTime: null,
        lastTransitionTime: time,
        ...(ok || !reason
          ? {}
          : {
              reason,
              message: `containers with unready status: [${specs
                .filter((c) => !st.containers.get(c.name)!.ready)
                .map((c) => c.name)
                .join(" ")}]`,
            }),
      };
    };
    const next = {
      ...pod.status,
      phase,
      conditions: [
        cond("Initialized", true),
        cond("Ready", ready, "ContainersNotReady"),
        cond("ContainersReady", ready, "ContainersNotReady"),
        cond("PodScheduled", true),
      ],
      hostIP: hostIP ?? pod.status?.hostIP,
      podIP: st.ip,
      podIPs: [{ ip: st.ip }],
      startTime: st.startTime,
      containerStatuses: statuses,
      qosClass: pod.status?.qosClass ?? "BestEffort",
    };
    if (JSON.stringify(next) === JSON.stringify(pod.status)) return;
    pod.status = next;
    this.reg.store.update(PODS, pod);
  }

  private async terminate(pod: KObject, st: PodState | undefined): Promise<void> {
    if (st) {
      if (st.stopped) return;
      recordEvent(
        this.reg,
        pod,
        "Normal",
        "Killing",
        `Stopping container ${pod.spec.containers.map((c: Any) => c.name).join(", ")}`,
      );
      await this.stopAll(st);
    }
    const cur = this.reg.store.get(PODS, pod.metadata.namespace, pod.metadata.name);
    if (cur && cur.metadata.uid === pod.metadata.uid)
      this.reg.store.remove(PODS, pod.metadata.namespace, pod.metadata.name);
  }

  private async stopAll(st: PodState): Promise<void> {
    if (st.stopped) return;
    st.stopped = true;
    for (const cs of st.containers.values()) for (const t of cs.timers.splice(0)) clearTimeout(t);
    await Promise.all([...st.containers.values()].map((cs) => cs.run?.stop()));
    this.logs.forget(st.uid);
    this.pods.delete(st.uid);
    rmSync(st.cwd, { recursive: true, force: true });
  }
}

function isTerminal(pod: KObject): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}
