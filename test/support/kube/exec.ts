// pods/exec and pods/attach over WebSocket with the channel protocol the API server
// speaks to @kubernetes/client-node and kubectl's websocket executor: subprotocol
// v4.channel.k8s.io (a 1.24 server offers no v5), one leading byte per message naming
// the stream (0 stdin, 1 stdout, 2 stderr, 3 error/status as a meta/v1 Status, 4 resize
// as {"Width","Height"}). SPDY is not served. The command runs as a local process
// (see process.ts). Part of the stand-in (see server.ts).
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { Kubelet } from "./controllers/kubelet.js";
import { authenticateAndAuthorize, parseResourcePath, requestRecord, type HttpDeps } from "./http.js";
import { startProcess } from "./process.js";
import { ApiError, badRequest, pathNotFound } from "./status.js";
import type { Any, KObject } from "./store.js";

const PROTOCOL = "v4.channel.k8s.io";
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;

const frame = (channel: number, data: Buffer | string) =>
  Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(data) ? data : Buffer.from(data)]);

function exitStatus(argv: string[], code: number): unknown {
  if (code === 0) return { metadata: {}, status: "Success" };
  return {
    metadata: {},
    status: "Failure",
    message: `command terminated with non-zero exit code: error executing command [${argv.join(" ")}], exit code ${code}`,
    reason: "NonZeroExitCode",
    details: { causes: [{ reason: "ExitCode", message: String(code) }] },
  };
}

/** A resize message; Go decodes JSON keys case-insensitively, so "width" is "Width". */
function terminalSize(payload: Buffer): { cols: number; rows: number } {
  const r = JSON.parse(payload.toString()) as Record<string, unknown>;
  const get = (k: string) => Number(Object.entries(r).find(([key]) => key.toLowerCase() === k)?.[1]);
  const size = { cols: get("width"), rows: get("height") };
  if (!Number.isFinite(size.cols) || !Number.isFinite(size.rows)) throw new Error("not a terminal size");
  return size;
}

export class ExecServer {
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => (offered.has(PROTOCOL) ? PROTOCOL : false),
  });

  constructor(
    private readonly deps: HttpDeps,
    private readonly kubelet: Kubelet,
  ) {}

  close(): void {
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    try {
      const url = new URL(req.url ?? "/", "https://stand-in");
      const t = parseResourcePath(url.pathname);
      if (
        !t ||
        t.resource.kind !== "Pod" ||
        !t.name ||
        (t.subresource !== "exec" && t.subresource !== "attach")
      )
        throw pathNotFound();
      authenticateAndAuthorize(this.deps, req, t, req.method === "POST" ? "create" : "get");
      const pod = this.deps.registry.store.mustGet(t.resource, t.namespace, t.name);
      const q = url.searchParams;
      const container = this.container(pod, q.get("container"));
      const argv = q.getAll("command");
      if (t.subresource === "exec" && argv.length === 0)
        throw badRequest("you must specify at least 1 command");
      const tty = q.get("tty") === "true" || q.get("tty") === "1";
      const want = (k: string) => q.get(k) === "true" || q.get(k) === "1";
      const io = { stdin: want("stdin"), stdout: want("stdout"), stderr: want("stderr") && !tty, tty };
      if (!io.stdin && !io.stdout && !io.stderr)
        throw badRequest("you must specify at least 1 of stdin, stdout, stderr");
      if (
        !(req.headers["sec-websocket-protocol"] ?? "")
          .split(",")
          .map((s) => s.trim())
          .includes(PROTOCOL)
      ) {
        throw badRequest(
          `unable to upgrade connection: the stand-in speaks only the ${PROTOCOL} subprotocol`,
        );
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.deps.record?.(requestRecord(this.deps, req, 101));
        if (t.subresource === "exec") this.exec(ws, pod, container, argv, io);
        else this.attach(ws, pod, container, io);
      });
    } catch (e) {
      const status = e instanceof ApiError ? e.status : badRequest(String(e)).status;
      this.deps.record?.(requestRecord(this.deps, req, status.code));
      const body = JSON.stringify(status);
      socket.end(
        `HTTP/1.1 ${status.code} ${status.reason ?? "Error"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
  }

  private container(pod: KObject, requested: string | null): Any {
    const cs: Any[] = pod.spec.containers ?? [];
    const name = requested ?? (cs.length === 1 ? cs[0].name : undefined);
    if (!name)
      throw badRequest(
        `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${cs.map((c) => c.name).join(" ")}]`,
      );
    const c = cs.find((x) => x.name === name);
    if (!c) throw badRequest(`container ${name} is not valid for pod ${pod.metadata.name}`);
    if (!pod.spec.nodeName) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
    const st = (pod.status?.containerStatuses ?? []).find((s: Any) => s.name === name);
    if (!st?.state?.running || !this.kubelet.podState(pod.metadata.uid))
      throw badRequest(`unable to upgrade connection: container not found ("${name}")`);
    return c;
  }

  private exec(
    ws: WebSocket,
    pod: KObject,
    c: Any,
    argv: string[],
    io: { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean },
  ): void {
    const st = this.kubelet.podState(pod.metadata.uid)!;
    const env = this.kubelet.resolveEnv(pod, c, st);
    let proc: ReturnType<typeof startProcess> | undefined;
    const pending: Buffer[] = [];
    let size: { cols: number; rows: number } | undefined;
    const begin = () => {
      if (proc || ws.readyState !== ws.OPEN) return;
      proc = startProcess(argv, { ...env, ...(io.tty ? { TERM: "xterm" } : {}) }, st.cwd, io.tty, size);
      proc.child.stdout?.on("data", (d: Buffer) => io.stdout && ws.send(frame(STDOUT, d)));
      proc.child.stderr?.on("data", (d: Buffer) => ws.send(frame(io.tty ? STDOUT : STDERR, d)));
      if (!io.stdin) proc.child.stdin?.end();
      for (const b of pending.splice(0)) proc.child.stdin?.write(b);
      proc.exited.then(
        (code) => finish(exitStatus(argv, code)),
        (e: Error) =>
          finish({
            metadata: {},
            status: "Failure",
            message: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${argv[0]}": ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "executable file not found in $PATH" : e.message}: unknown`,
            reason: "InternalError",
            details: { causes: [{ message: e.message }] },
            code: 500,
          }),
      );
    };
    const finish = (status: unknown) => {
      if (ws.readyState !== ws.OPEN) return;
      // Let the last output frames go out before the status and the close.
      setImmediate(() => {
        ws.send(frame(ERROR, JSON.stringify(status)));
        ws.close(1000);
      });
    };
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      if (!isBinary || data.length === 0) return;
      const channel = data[0];
      const payload = data.subarray(1);
      if (channel === STDIN && io.stdin) {
        if (proc) proc.child.stdin?.write(payload);
        else pending.push(Buffer.from(payload));
      } else if (channel === RESIZE) {
        try {
          size = terminalSize(payload);
          if (proc) proc.resize(size.cols, size.rows);
          else begin();
        } catch {
          // A malformed resize is ignored, as the real server logs and drops it.
        }
      }
    });
    ws.on("close", () => {
      if (proc && proc.child.exitCode === null) {
        proc.child.stdin?.end();
        proc.child.kill("SIGHUP");
      }
    });
    // With a TTY the client's first message is the terminal size; start once it came (or soon).
    if (io.tty) setTimeout(begin, 300);
    else begin();
  }

  private attach(
    ws: WebSocket,
    pod: KObject,
    c: Any,
    io: { stdin: boolean; stdout: boolean; tty: boolean },
  ): void {
    const st = this.kubelet.podState(pod.metadata.uid)!;
    const unfollow = this.deps.logs.follow(pod.metadata.uid, c.name, (line) => {
      if (line === null) {
        if (ws.readyState === ws.OPEN) {
          ws.send(frame(ERROR, JSON.stringify({ metadata: {}, status: "Success" })));
          ws.close(1000);
        }
      } else if (io.stdout) ws.send(frame(STDOUT, line + "\n"));
    });
    const proc = this.kubelet.containerProcess(st.uid, c.name);
    ws.on("message", (data: Buffer) => {
      if (data[0] === STDIN && io.stdin && c.stdin && proc) proc.child.stdin?.write(data.subarray(1));
      if (data[0] === RESIZE && proc) {
        try {
          const s = terminalSize(data.subarray(1));
          proc.resize(s.cols, s.rows);
        } catch {
          // ignored, as above
        }
      }
    });
    ws.on("close", unfollow);
  }
}
