// Running host commands (ip, iptables, openssl, ...) with errors that say which command failed.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly stderr: string,
    readonly code: number | string | undefined,
  ) {
    super(`${command} failed${code !== undefined ? ` (exit ${code})` : ""}: ${stderr.trim() || "no output"}`);
  }
}

export interface RunOptions {
  /** Text fed to the command's standard input. */
  input?: string;
  /** Do not throw on a non-zero exit; return the result instead. */
  allowFailure?: boolean;
  timeoutMs?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

export async function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  try {
    const child = execFileAsync(cmd, args, {
      timeout: opts.timeoutMs ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (opts.input !== undefined) {
      child.child.stdin?.end(opts.input);
    }
    const { stdout, stderr } = await child;
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number | string };
    const code = typeof e.code === "number" ? e.code : 1;
    if (opts.allowFailure) return { stdout: e.stdout ?? "", stderr: e.stderr ?? "", code };
    throw new CommandError([cmd, ...args].join(" "), e.stderr ?? String(err), e.code);
  }
}
