// cgroup v1 bookkeeping for the dev cluster. Every process the tool starts (dockerd,
// containerd, shims, the registry) and every container of a node lives under one cgroup
// tree, so `down` can find and kill all of them even when no pid file survived.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rmdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

const ROOT = "/sys/fs/cgroup";
/** The controller used to enumerate processes: every process is in exactly one pids cgroup. */
const ENUM_CONTROLLER = "pids";

export async function controllers(): Promise<string[]> {
  const names = await readdir(ROOT);
  const out: string[] = [];
  for (const n of names) {
    // Every hierarchy, including the named systemd one and cgroup2's unified mount: runc
    // creates a container's cgroup in each of them.
    if (existsSync(join(ROOT, n, "cgroup.procs"))) out.push(n);
  }
  return out;
}

/** Creates `path` in the enumeration controller and returns the cgroup.procs file to join it. */
export async function ensureCgroup(path: string): Promise<string> {
  const dir = join(ROOT, ENUM_CONTROLLER, path);
  await mkdir(dir, { recursive: true });
  return join(dir, "cgroup.procs");
}

async function pidsUnder(dir: string): Promise<number[]> {
  if (!existsSync(dir)) return [];
  const pids = new Set<number>();
  // `tasks` too: a process whose leader already exited can still have live threads that
  // cgroup.procs no longer lists, and they keep the cgroup busy. kill(tid) reaches the
  // whole thread group.
  for (const file of ["cgroup.procs", "tasks"]) {
    const text = await readFile(join(dir, file), "utf8").catch(() => "");
    for (const line of text.split("\n")) if (line.trim()) pids.add(Number(line));
  }
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) for (const p of await pidsUnder(join(dir, entry.name))) pids.add(p);
  }
  return [...pids];
}

/** Pids of every process under `path` (recursively). */
export async function cgroupPids(path: string): Promise<number[]> {
  return pidsUnder(join(ROOT, ENUM_CONTROLLER, path));
}

/**
 * Kills every process under `path` with SIGKILL until none is left, then removes the cgroup
 * directories in every controller (deepest first). Safe when nothing exists.
 */
export async function killAndRemoveCgroup(path: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Freezing is not needed: processes forked while we kill land in the same cgroup and are
    // caught on the next pass.
    const pids = await cgroupPids(path);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
    if (Date.now() > deadline)
      throw new Error(`processes in cgroup ${path} survived SIGKILL: ${pids.join(", ")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const c of await controllers()) await removeTree(join(ROOT, c, path), deadline);
}

async function removeTree(dir: string, deadline: number): Promise<void> {
  if (!existsSync(dir)) return;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await removeTree(join(dir, entry.name), deadline);
  }
  // A cgroup stays busy until its dead processes are reaped (zombies keep their cgroup since
  // Linux 4.20), and our daemons' parent is init once `up` has exited, which may reap late.
  for (;;) {
    try {
      await rmdir(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return;
      // Threads that showed up after the kill pass (or were missed by it) get killed here.
      for (const tid of await pidsUnder(dir)) {
        try {
          process.kill(tid, "SIGKILL");
        } catch {
          /* already gone */
        }
      }
      if (Date.now() > deadline) {
        const tasks = await readFile(join(dir, "tasks"), "utf8").catch(() => "?");
        throw new Error(
          `cannot remove cgroup ${dir} (${code}); tasks left: ${tasks.trim().split("\n").join(" ") || "none"}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Moves an existing process into `path` (used right after spawning a daemon). */
export async function joinCgroup(path: string, pid: number): Promise<void> {
  await writeFile(await ensureCgroup(path), String(pid));
}
