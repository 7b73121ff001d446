// CPU time of a set of processes (every thread, nanosecond resolution from /proc/<pid>/task/*/schedstat).
// On a machine shared with other jobs wall-clock req/s is noisy; the CPU a proxy spends per request
// is not, so the bench reports both.
import { readdirSync, readFileSync } from "node:fs";

/** Sum of on-CPU time in ns over every thread of every pid (threads that exited are not counted). */
export function cpuNs(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // the process is gone
    }
    for (const t of tasks) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        // thread exited between readdir and read
      }
    }
  }
  return total;
}

/** The pid and its direct children (nginx master + workers). */
export function withChildren(pid: number): number[] {
  const out = [pid];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      // Field 4 (ppid) follows the ")" that closes the command name.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {
      // process exited while listing
    }
  }
  return out;
}

/** User and kernel CPU time in ms (clock ticks of 10 ms: use over runs of seconds). */
export function cpuSplitMs(pids: readonly number[]): { user: number; sys: number } {
  let user = 0;
  let sys = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields 14 and 15 (utime, stime), counted from the ")" that closes the command name.
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      user += Number(f[11]) * 10;
      sys += Number(f[12]) * 10;
    } catch {
      // process gone
    }
  }
  return { user, sys };
}
