// Local processes for containers that run a command and for pods/exec and pods/attach:
// the stand-in has no container runtime, so a command runs on this machine as the
// stand-in's user, in a scratch directory, with the container's environment. A TTY is a
// real pseudo-terminal from util-linux `script`; resizes are applied to it with
// `stty -F`, so a program inside sees the size the client sent (and gets SIGWINCH).
// Part of the stand-in (see server.ts); only ever bound to loopback for tests.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface LocalProcess {
  child: ChildProcess;
  resize(cols: number, rows: number): void;
  /** Resolves with the exit code (128+signal when killed), or rejects when it could not start. */
  exited: Promise<number>;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), "kube-stand-in-"));
}

export function startProcess(
  argv: string[],
  env: Record<string, string>,
  cwd: string,
  tty: boolean,
  initialSize?: { cols: number; rows: number },
): LocalProcess {
  const baseEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: cwd, ...env };
  let child: ChildProcess;
  let ttyFile: string | undefined;
  if (tty) {
    // The shell records its terminal's name, sets the first size, then becomes the command.
    ttyFile = join(cwd, `.tty-${process.hrtime.bigint()}`);
    const size = initialSize ? `stty cols ${initialSize.cols} rows ${initialSize.rows} 2>/dev/null; ` : "";
    const inner = `tty > ${quote(ttyFile)}; ${size}exec ${argv.map(quote).join(" ")}`;
    child = spawn("script", ["-q", "-f", "-e", "-c", inner, "/dev/null"], {
      cwd,
      env: { ...baseEnv, SHELL: "/bin/sh", TERM: env.TERM ?? "xterm" },
      stdio: "pipe",
    });
  } else {
    child = spawn(argv[0]!, argv.slice(1), { cwd, env: baseEnv, stdio: "pipe" });
  }
  const exited = new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? 128 + (signal === "SIGKILL" ? 9 : 15)));
  });
  exited.catch(() => {});
  return {
    child,
    exited,
    resize(cols, rows) {
      if (!ttyFile) return;
      // The terminal name appears once the shell has started; a resize before that waits for it.
      const apply = (tries: number) => {
        if (existsSync(ttyFile!)) {
          const dev = readFileSync(ttyFile!, "utf8").trim();
          if (dev.startsWith("/dev/"))
            spawnSync("stty", ["-F", dev, "cols", String(cols), "rows", String(rows)]);
        } else if (tries > 0 && child.exitCode === null) setTimeout(() => apply(tries - 1), 10);
      };
      apply(200);
    },
  };
}
