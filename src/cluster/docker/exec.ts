// Commands inside a running container (app run, admin commands of built-in services, app
// shell with a TTY). Exec streams are hijacked connections with the long idle limit
// (LONG_LIVED_IDLE_MS in connection.ts).
import type { Connection } from "./connection.js";

export interface ExecCreateOptions {
  cmd: string[];
  env?: string[];
  user?: string;
  tty?: boolean;
  stdin?: boolean;
}

export interface ExecClient {
  /** Resolves with the exec's id (404: no such container, 409: it is not running). */
  create(containerId: string, o: ExecCreateOptions): Promise<string>;
  /** Starts it; the stream carries its output (framed unless tty) and, with stdin, its input. */
  start(execId: string, o: { stdin?: boolean; tty?: boolean }): Promise<NodeJS.ReadWriteStream>;
  /** Running, and the exit code once it ended. */
  inspect(execId: string): Promise<{ running: boolean; exitCode: number | null }>;
  resize(execId: string, size: { width: number; height: number }): Promise<void>;
}

export function execClient(c: Connection): ExecClient {
  return {
    async create(containerId, o) {
      const exec = await c.docker.getContainer(containerId).exec({
        Cmd: o.cmd,
        ...(o.env ? { Env: o.env } : {}),
        ...(o.user ? { User: o.user } : {}),
        AttachStdin: o.stdin ?? false,
        AttachStdout: true,
        AttachStderr: true,
        Tty: o.tty ?? false,
      });
      return exec.id;
    },
    async start(execId, o) {
      return (await c.quiet.getExec(execId).start({
        hijack: true,
        stdin: o.stdin ?? false,
        Tty: o.tty ?? false,
      })) as unknown as NodeJS.ReadWriteStream;
    },
    async inspect(execId) {
      const info = await c.docker.getExec(execId).inspect();
      return { running: info.Running, exitCode: typeof info.ExitCode === "number" ? info.ExitCode : null };
    },
    async resize(execId, size) {
      await c.docker.getExec(execId).resize({ h: size.height, w: size.width });
    },
  };
}

/** The exit code, once the engine recorded it: an exec's stream can end a moment before. */
export async function execExitCode(exec: ExecClient, execId: string): Promise<number> {
  for (let i = 0; ; i++) {
    const info = await exec.inspect(execId);
    if (!info.running || i >= 50) return info.exitCode ?? -1;
    await new Promise((r) => setTimeout(r, 20));
  }
}
