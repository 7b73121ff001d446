// pods/exec and pods/attach through client-node's WebSocket executor (the channel
// protocol, v4.channel.k8s.io on a 1.24 server): stdin/stdout/stderr, a TTY with an
// initial size and later resizes, and the exit code from the status channel.
import { Attach, Exec, type V1Status } from "@kubernetes/client-node";
import { PassThrough, Writable, type Readable } from "node:stream";
import type { KubeClient } from "./client.js";
import { KubeApiError, kubeError } from "./errors.js";

export interface TerminalSize {
  cols: number;
  rows: number;
}

export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  stdin?: Readable;
  stdout: Writable;
  /** Ignored with a TTY (a terminal has one output). */
  stderr?: Writable;
  tty?: boolean;
  size?: TerminalSize;
}

export interface ExecSession {
  /** Sends a new terminal size (TTY sessions only). */
  resize(size: TerminalSize): void;
  /** Resolves with the command's exit code when it ends. */
  exitCode: Promise<number>;
  /** Ends the session from this side. */
  close(): void;
}

/** A stdout wrapper that client-node sees as a resizable terminal (it reads columns/rows and listens for "resize"). */
class TerminalOutput extends Writable {
  columns: number;
  rows: number;
  constructor(
    private readonly target: Writable,
    size: TerminalSize,
  ) {
    super();
    this.columns = size.cols;
    this.rows = size.rows;
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.target.write(chunk, cb);
  }
  setSize(size: TerminalSize): void {
    this.columns = size.cols;
    this.rows = size.rows;
    this.emit("resize");
  }
}

/** The exit code a status-channel Status stands for; an error for any other failure. */
export function exitCodeOf(status: V1Status): number {
  if (status.status === "Success") return 0;
  if (status.reason === "NonZeroExitCode") {
    const c = (status.details?.causes ?? []).find((x) => x.reason === "ExitCode");
    const n = Number(c?.message);
    if (Number.isInteger(n)) return n;
  }
  throw new KubeApiError(
    502,
    `the command could not run in the container: ${status.message ?? status.reason ?? "unknown failure"}`,
    "server",
    status.message,
  );
}

type Opener = (
  stdout: Writable,
  onStatus: (s: V1Status) => void,
) => Promise<{ close(): void; on(ev: "close", f: () => void): void }>;

function session(
  k: KubeClient,
  op: { resource: string; namespace: string; name: string },
  out: Writable,
  tty: boolean,
  size: TerminalSize | undefined,
  open: Opener,
  withoutStatus?: () => Promise<number>,
): Promise<ExecSession> {
  const term = tty ? new TerminalOutput(out, size ?? { cols: 80, rows: 24 }) : undefined;
  let status: V1Status | undefined;
  const target = term ?? new PassThrough();
  if (!term) (target as PassThrough).pipe(out, { end: false });
  return open(target, (s) => (status = s))
    .catch((e) => {
      // The WebSocket upgrade is a GET, which a 1.24 server authorizes as "get" on pods/exec.
      throw kubeError(k.server, { verb: "get", ...op }, e);
    })
    .then((ws) => ({
      resize: (s: TerminalSize) => term?.setSize(s),
      close: () => ws.close(),
      exitCode: new Promise<number>((resolve, reject) => {
        ws.on("close", () => {
          if (!status && withoutStatus) return withoutStatus().then(resolve, reject);
          if (!status)
            return reject(
              new KubeApiError(
                502,
                `the connection to ${k.server} for ${op.resource} of pod ${op.name} closed before the command's exit status arrived`,
                "server",
              ),
            );
          try {
            resolve(exitCodeOf(status));
          } catch (e) {
            reject(e);
          }
        });
      }),
    }));
}

/**
 * Stdin for client-node: on v4.channel.k8s.io (all a 1.24 server speaks) there is no way
 * to half-close stdin, and client-node closes the whole connection when its stdin ends,
 * losing the output and exit status. So the end of the caller's stdin is not passed on:
 * a command that waits for end-of-input needs another signal (or a TTY and ^D).
 */
function keepOpen(stdin: Readable | undefined): Readable | null {
  if (!stdin) return null;
  const input = new PassThrough();
  stdin.pipe(input, { end: false });
  return input;
}

export interface Execs {
  exec(req: ExecRequest): Promise<ExecSession>;
  /** Attaches to the container's main process (stdin only if the container has stdin: true). */
  attach(req: Omit<ExecRequest, "command">): Promise<ExecSession>;
}

export function execs(k: KubeClient): Execs {
  return {
    exec(r) {
      const stderr = r.tty ? null : (r.stderr ?? null);
      return session(
        k,
        { resource: "pods/exec", namespace: r.namespace, name: r.pod },
        r.stdout,
        !!r.tty,
        r.size,
        (stdout, onStatus) =>
          new Exec(k.config).exec(
            r.namespace,
            r.pod,
            r.container,
            r.command,
            stdout,
            stderr,
            keepOpen(r.stdin),
            !!r.tty,
            onStatus,
          ),
      );
    },
    attach(r) {
      // Attach reports no exit status of its own: the container's terminated state has it.
      const exited = async () => {
        const pod = await k.call({ verb: "get", resource: "pods", namespace: r.namespace, name: r.pod }, () =>
          k.core.readNamespacedPod({ namespace: r.namespace, name: r.pod }),
        );
        const st = (pod.status?.containerStatuses ?? []).find((c) => c.name === r.container);
        const code = st?.state?.terminated?.exitCode ?? st?.lastState?.terminated?.exitCode;
        if (code === undefined)
          throw new KubeApiError(
            502,
            `the attach session to pod ${r.pod} ended while container ${r.container} still runs`,
            "server",
          );
        return code;
      };
      return session(
        k,
        { resource: "pods/attach", namespace: r.namespace, name: r.pod },
        r.stdout,
        !!r.tty,
        r.size,
        (stdout) =>
          new Attach(k.config).attach(
            r.namespace,
            r.pod,
            r.container,
            stdout,
            r.tty ? null : (r.stderr ?? null),
            keepOpen(r.stdin),
            !!r.tty,
          ),
        exited,
      );
    },
  };
}
