// `wharf server` as a child process, as users run it: started from the built CLI, ready once
// it prints where it listens (and where its router listens, when one is expected).
import { spawn, type ChildProcess } from "node:child_process";
import { CLI } from "../integration/cli/helpers.js";

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  routerUrl: string;
}

export async function spawnServer(o: {
  dataDir: string;
  home: string;
  env?: Record<string, string>;
  /** Wait for the embedded router's address too. */
  router?: boolean;
  /** What to do with the server's stdout (its JSON log); ignored by default. */
  onStdout?: (chunk: string) => void;
  timeoutMs?: number;
}): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [CLI, "server", "--data-dir", o.dataDir, "--host", "127.0.0.1", "-p", "0"],
    {
      env: { PATH: process.env.PATH ?? "", HOME: o.home, ...o.env },
      stdio: ["ignore", o.onStdout ? "pipe" : "ignore", "pipe"],
    },
  );
  if (o.onStdout) child.stdout!.on("data", (d) => o.onStdout!(String(d)));
  return new Promise<ServerProcess>((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), o.timeoutMs ?? 30_000);
    child.stderr!.on("data", (d) => {
      err += d;
      const api = /server listening on (http:\/\/\S+)/.exec(err);
      const router = /router listening on (http:\/\/\S+)/.exec(err);
      if (api && (router || !o.router)) {
        clearTimeout(timer);
        resolve({ child, url: api[1]!, routerUrl: router?.[1] ?? "" });
      }
    });
    child.on("exit", (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
}

/** SIGTERM and wait for the exit (a no-op when it already ended). */
export async function stopServer(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}
