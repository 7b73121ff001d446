// Small builders for scheduler test vectors.
import {
  ClusterState,
  Scheduler,
  type ClusterStateOptions,
  type NodeSpec,
  type SchedulerOptions,
  type UnitRequest,
} from "../../../src/scheduler/index.js";

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

/** node-0 … node-(n-1), equal and roomy unless overridden. */
export function nodes(n: number, over: (i: number) => Partial<NodeSpec> = () => ({})): NodeSpec[] {
  return Array.from({ length: n }, (_, i) => ({ id: `node-${i}`, cpus: 4, memory: 8 * GiB, ...over(i) }));
}

export function cluster(
  specs: NodeSpec[],
  opts: SchedulerOptions = {},
  stateOpts: ClusterStateOptions = {},
): { state: ClusterState; sched: Scheduler } {
  const state = new ClusterState(specs, stateOpts);
  return { state, sched: new Scheduler(state, opts) };
}

/** Place and commit; throws with the scheduler's message on failure. */
export function run(sched: Scheduler, req: UnitRequest = {}): string {
  const r = sched.place(req);
  if (!r.ok) throw new Error(r.error.message);
  sched.state.commit(r.value);
  return r.value.nodeId;
}

/** Place and commit n times; returns node id → count. */
export function runMany(sched: Scheduler, n: number, req: UnitRequest = {}): Record<string, number> {
  const out: Record<string, number> = {};
  for (let k = 0; k < n; k++) {
    const id = run(sched, req);
    out[id] = (out[id] ?? 0) + 1;
  }
  return out;
}

/** The error of a placement that must fail. */
export function fails(sched: Scheduler, req: UnitRequest = {}): { kind: string; message: string } {
  const r = sched.place(req);
  if (r.ok) throw new Error(`expected failure, placed on ${r.value.nodeId}`);
  return r.error;
}
