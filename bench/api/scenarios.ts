// The measured requests, described once for both load generators (wrk's Lua and undici):
// request i of a scenario is make(i).
export interface Scenario {
  name: string;
  /** Short name for BENCH_SCENARIOS. */
  key: "list" | "info" | "create";
  method: "GET" | "POST";
  okStatus: number;
  /** Request i (a counter from 0; wrk threads add their own prefix to names). */
  make(i: number, prefix: string): { path: string; body?: string };
  /** The same as a Lua expression over `counter` and `prefix` (see load-wrk.ts). */
  lua: { path: string; body?: string };
}

export function scenarios(seedApps: number): Scenario[] {
  return [
    {
      name: "GET /apps",
      key: "list",
      method: "GET",
      okStatus: 200,
      make: () => ({ path: "/1.0/apps?" }),
      lua: { path: '"/1.0/apps?"' },
    },
    {
      // Apps of the member's team only (the even seeds): each answer is a 200.
      name: "GET /apps/{app}",
      key: "info",
      method: "GET",
      okStatus: 200,
      make: (i) => ({ path: `/1.0/apps/seed-${(i * 2) % seedApps}` }),
      lua: { path: `"/1.0/apps/seed-" .. ((counter * 2) % ${seedApps})` },
    },
    {
      name: "POST /apps",
      key: "create",
      method: "POST",
      okStatus: 201,
      make: (i, prefix) => ({ path: "/1.0/apps", body: createBody(`${prefix}${i}`) }),
      lua: { path: '"/1.0/apps"', body: `"${createBody('" .. prefix .. counter .. "')}"` },
    },
  ];
}

function createBody(suffix: string): string {
  return `name=bench-${suffix}&platform=python&teamOwner=benchteam&plan=&pool=&description=&router=&routeropts=`;
}

export interface Result {
  name: string;
  n: number;
  errors: number;
  p50: number;
  p99: number;
  rps: number;
  /** Server CPU (user + system) per measured request, in µs: steadier than latency on a busy machine. */
  cpuUs: number;
  /**
   * Share of the measured wall time the server's event-loop thread was runnable but waiting
   * for a CPU (the kernel's run-queue wait, /proc/<pid>/schedstat), in %. Requests queue
   * behind that wait, so a large share means the tail comes from the machine, not the server.
   */
  waitPct: number;
}

/** What the load generators sample from the server process around a measured run. */
export interface ServerProbe {
  /** CPU time (user + system, ms) the server has used so far. */
  cpuMs(): number;
  /** Time (ms) the server's main thread has spent runnable but waiting for a CPU so far. */
  waitMs(): number;
}

/** The probe's figures over one measured run of `n` requests that took `secs`. */
export function probeFigures(
  probe: ServerProbe,
  before: { cpu: number; wait: number },
  n: number,
  secs: number,
): { cpuUs: number; waitPct: number } {
  return {
    cpuUs: ((probe.cpuMs() - before.cpu) * 1000) / n,
    waitPct: ((probe.waitMs() - before.wait) / (secs * 1000)) * 100,
  };
}
