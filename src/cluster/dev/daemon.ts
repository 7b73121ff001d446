// Starting long-running host daemons (dockerd, the registry) detached from the tool, inside
// the tool's cgroup so they and all their children can be found again without pid files.
import { spawn } from "node:child_process";
import { openSync, closeSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { ensureCgroup } from "./cgroups.js";

/** Starts `argv` detached; it joins `cgroup` before exec so every child it forks lands there too. */
export async function spawnDetached(argv: string[], cgroup: string, logFile: string): Promise<number> {
  const procs = await ensureCgroup(cgroup);
  const out = openSync(logFile, "a");
  try {
    // `exec "$@"` keeps argv intact (no shell quoting of paths or flags).
    const child = spawn("/bin/sh", ["-c", `echo $$ > "${procs}" && exec "$@"`, "wharf-daemon", ...argv], {
      detached: true,
      stdio: ["ignore", out, out],
    });
    const pid = child.pid;
    child.unref();
    if (pid === undefined) throw new Error(`could not start ${argv[0]}`);
    return pid;
  } finally {
    closeSync(out);
  }
}

export function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function readPid(file: string): Promise<number | undefined> {
  const text = await readFile(file, "utf8").catch(() => "");
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`${what} did not come up within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Last lines of a log file, to put in an error message when a daemon failed to start. */
export async function tail(file: string, lines = 15): Promise<string> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
